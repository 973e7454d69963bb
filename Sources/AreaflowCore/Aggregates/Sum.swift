/// `{sum: FIELD}`: the sum of the field's non-null values, null when there are none.
enum Sum: Statistic {
  static let name = "sum"
  static let describedAs = "sum of"
  static func accumulator(column: Int) -> FeatureAccumulator { SumAccumulator(column: column, mean: false) }
}
