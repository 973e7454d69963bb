/// A statistic over one numeric field's non-null values, written `{NAME: FIELD}` with no option and output as a
/// double: sum, mean, min, max, stddev. Such a statistic declares only its name, its words and its accumulator;
/// `StatisticAggregate` makes it an `Aggregate`.
protocol Statistic {
  /// The key that names it in a config entry.
  static var name: String { get }
  /// How `check` describes it, before the field's name (`sum of`).
  static var describedAs: String { get }
  /// Its accumulator over the value column `column`.
  static func accumulator(column: Int) -> FeatureAccumulator
}
