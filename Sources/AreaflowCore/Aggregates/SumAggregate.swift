/// `{sum: FIELD}`: the sum of the field's non-null values, null when there are none.
struct SumAggregate: FieldAggregate {
  static let name = "sum"
  static let output = AggregateSchema.Output.double
  let field: String

  var description: String { "sum of \(field)" }

  func makeAccumulator(plan: FieldPlan, earlier: [FeatureAccumulator?]) -> FeatureAccumulator? {
    SumAccumulator(column: plan.valueColumn(field), mean: false)
  }
}

extension FeatureSpec.Kind {
  /// `{sum: FIELD}`.
  public static func sum(field: String) -> Self { Self(SumAggregate(field: field)) }
}
