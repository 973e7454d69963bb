/// `{min: FIELD}`: the smallest of the field's non-null values, null when there are none.
enum Minimum: Statistic {
  static let name = "min"
  static let describedAs = "minimum of"
  static func accumulator(column: Int) -> FeatureAccumulator { ExtremumAccumulator(column: column, isMax: false) }
}
