/// `{mean: FIELD}`: the mean of the field's non-null values, null when there are none.
struct MeanAggregate: FieldAggregate {
  static let name = "mean"
  static let output = AggregateSchema.Output.double
  let field: String

  var description: String { "mean of \(field)" }

  func makeAccumulator(plan: FieldPlan, earlier: [FeatureAccumulator?]) -> FeatureAccumulator? {
    SumAccumulator(column: plan.valueColumn(field), mean: true)
  }
}

extension FeatureSpec.Kind {
  /// `{mean: FIELD}`.
  public static func mean(field: String) -> Self { Self(MeanAggregate(field: field)) }
}
