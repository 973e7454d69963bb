/// One aggregate a feature can compute, declared in one place: how its config entry is written and checked, the
/// input it reads, the type of its output column, its description for `check` and the accumulator that computes it.
///
/// `AggregateSchema.all` lists every aggregate. Config loading, field planning, accumulators, snapshot column types,
/// the API's feature kinds and the checkpoint fingerprint ask the aggregate instead of switching over a list of
/// kinds, so adding an aggregate is one conforming type (plus its accumulator, if new) and a line in that list.
/// Everything here runs while a pipeline is set up, never per event.
protocol Aggregate: Sendable {
  /// The key that names it in a config entry (`count`, `quantile`, …); also its kind in the API's `/v1/meta`.
  static var name: String { get }
  /// How its config entry is written: what `ConfigLoader` accepts, and what its errors suggest instead.
  static var syntax: AggregateSchema.Syntax { get }
  /// The type of its output column, in every snapshot format and the API.
  static var output: AggregateSchema.Output { get }
  /// Builds it from a config entry whose shape `syntax` has already checked, validating its options.
  /// - Throws: `ConfigError` naming the option at fault.
  static func parse(_ entry: FeatureEntry) throws(ConfigError) -> Self
  /// The input field it reads, and as what.
  var input: AggregateSchema.Input { get }
  /// Its numeric options as written in the config, in a fixed order. They give its state its meaning, so they take
  /// part in equality and in the checkpoint fingerprint.
  var options: [AggregateSchema.Option] { get }
  /// What it computes, in words, for `check`.
  var description: String { get }
  /// The accumulator that computes it, or nil when the window store keeps it itself (`count`).
  /// - Parameters:
  ///   - plan: the input columns, to find the one it reads.
  ///   - earlier: the accumulators of the features before it, which it may share state with.
  func makeAccumulator(plan: FieldPlan, earlier: [FeatureAccumulator?]) -> FeatureAccumulator?
}

extension Aggregate {
  /// Most aggregates take no option besides their field.
  var options: [AggregateSchema.Option] { [] }
}
