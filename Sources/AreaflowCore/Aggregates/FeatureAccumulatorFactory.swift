/// Builds the accumulators of a config's features, each bound to its input column, by asking each feature's
/// `Aggregate` (see `AggregateSchema`). Runs once per window store, never per event.
enum FeatureAccumulatorFactory {
  /// One accumulator per feature, in order (nil for `count`, which the store keeps itself); a feature may share
  /// state with an earlier one (quantiles of one field share their sketches).
  static func makeAll(_ features: [FeatureSpec], plan: FieldPlan) -> [FeatureAccumulator?] {
    var made: [FeatureAccumulator?] = []
    for feature in features { made.append(feature.kind.aggregate.makeAccumulator(plan: plan, earlier: made)) }
    return made
  }

  /// A feature's accumulator on its own, sharing nothing.
  static func make(_ feature: FeatureSpec, plan: FieldPlan) -> FeatureAccumulator? {
    feature.kind.aggregate.makeAccumulator(plan: plan, earlier: [])
  }
}
