/// `{max: FIELD}`: the largest of the field's non-null values, null when there are none.
struct MaxAggregate: FieldAggregate {
  static let name = "max"
  static let output = AggregateSchema.Output.double
  let field: String

  var description: String { "maximum of \(field)" }

  func makeAccumulator(plan: FieldPlan, earlier: [FeatureAccumulator?]) -> FeatureAccumulator? {
    ExtremumAccumulator(column: plan.valueColumn(field), isMax: true)
  }
}

extension FeatureSpec.Kind {
  /// `{max: FIELD}`.
  public static func max(field: String) -> Self { Self(MaxAggregate(field: field)) }
}
