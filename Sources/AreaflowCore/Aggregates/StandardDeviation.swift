/// `{stddev: FIELD}`: the sample standard deviation (n − 1) of the field's non-null values, null below two.
enum StandardDeviation: Statistic {
  static let name = "stddev"
  static let describedAs = "sample standard deviation of"
  static func accumulator(column: Int) -> FeatureAccumulator { StddevAccumulator(column: column) }
}
