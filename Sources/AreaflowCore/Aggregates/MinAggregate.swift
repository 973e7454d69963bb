/// `{min: FIELD}`: the smallest of the field's non-null values, null when there are none.
struct MinAggregate: FieldAggregate {
  static let name = "min"
  static let output = AggregateSchema.Output.double
  let field: String

  var description: String { "minimum of \(field)" }

  func makeAccumulator(plan: FieldPlan, earlier: [FeatureAccumulator?]) -> FeatureAccumulator? {
    ExtremumAccumulator(column: plan.valueColumn(field), isMax: false)
  }
}

extension FeatureSpec.Kind {
  /// `{min: FIELD}`.
  public static func min(field: String) -> Self { Self(MinAggregate(field: field)) }
}
