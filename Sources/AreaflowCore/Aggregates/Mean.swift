/// `{mean: FIELD}`: the mean of the field's non-null values, null when there are none.
enum Mean: Statistic {
  static let name = "mean"
  static let describedAs = "mean of"
  static func accumulator(column: Int) -> FeatureAccumulator { SumAccumulator(column: column, mean: true) }
}
