/// `count`: the window's events. The window store counts every group's events itself, so it has no accumulator.
struct CountAggregate: Aggregate {
  static let name = "count"
  static let syntax = AggregateSchema.Syntax.bare
  static let output = AggregateSchema.Output.integer

  static func parse(_ entry: FeatureEntry) -> Self { Self() }

  var input: AggregateSchema.Input { .none }
  var description: String { "count of events" }

  func makeAccumulator(plan: FieldPlan, earlier: [FeatureAccumulator?]) -> FeatureAccumulator? { nil }
}
