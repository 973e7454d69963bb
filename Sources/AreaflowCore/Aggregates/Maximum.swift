/// `{max: FIELD}`: the largest of the field's non-null values, null when there are none.
enum Maximum: Statistic {
  static let name = "max"
  static let describedAs = "maximum of"
  static func accumulator(column: Int) -> FeatureAccumulator { ExtremumAccumulator(column: column, isMax: true) }
}
