/// `{distinct: FIELD}`: the number of distinct non-null values of a field, exact up to `DistinctCounter.exactLimit`
/// and estimated beyond. Values of any type count, so it reads hashes of the raw values rather than numbers.
struct DistinctAggregate: Aggregate {
  static let name = "distinct"
  static let syntax = AggregateSchema.Syntax.field
  static let output = AggregateSchema.Output.integer
  let field: String

  static func parse(_ entry: FeatureEntry) -> Self { Self(field: entry.field) }

  var input: AggregateSchema.Input { .hashes(field) }
  var description: String {
    "distinct values of \(field) (exact to \(DistinctCounter.exactLimit), then within \(DistinctCounter.promisedErrorPercent)%)"
  }

  func makeAccumulator(plan: FieldPlan, earlier: [FeatureAccumulator?]) -> FeatureAccumulator? {
    DistinctAccumulator(column: plan.distinctColumn(field))
  }
}
