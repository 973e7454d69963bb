/// The `Aggregate` of a `Statistic`: what every `{NAME: FIELD}` statistic of numbers has in common, said once.
struct StatisticAggregate<S: Statistic>: Aggregate {
  static var name: String { S.name }
  static var syntax: AggregateSchema.Syntax { .field }
  static var output: AggregateSchema.Output { .double }
  let field: String

  static func parse(_ entry: FeatureEntry) -> Self { Self(field: entry.field) }

  var input: AggregateSchema.Input { .values(field) }
  var description: String { "\(S.describedAs) \(field)" }

  func makeAccumulator(plan: FieldPlan, earlier: [FeatureAccumulator?]) -> FeatureAccumulator? {
    S.accumulator(column: plan.valueColumn(field))
  }
}
