/// `{stddev: FIELD}`: the sample standard deviation (n − 1) of the field's non-null values, null below two.
struct StddevAggregate: FieldAggregate {
  static let name = "stddev"
  static let output = AggregateSchema.Output.double
  let field: String

  var description: String { "sample standard deviation of \(field)" }

  func makeAccumulator(plan: FieldPlan, earlier: [FeatureAccumulator?]) -> FeatureAccumulator? {
    StddevAccumulator(column: plan.valueColumn(field))
  }
}

extension FeatureSpec.Kind {
  /// `{stddev: FIELD}`.
  public static func stddev(field: String) -> Self { Self(StddevAggregate(field: field)) }
}
