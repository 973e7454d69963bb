/// `{quantile: FIELD, q: Q}`: a value close to the field's rank-q value (within the relative error the contract
/// promises, `QuantileSketch.promisedErrorPercent`), null when there are none.
struct QuantileAggregate: Aggregate {
  static let name = "quantile"
  static let syntax = AggregateSchema.Syntax.fieldWithOptions(["q"], usage: "{quantile: FIELD, q: 0.9}")
  static let output = AggregateSchema.Output.double
  let field: String
  /// The rank, in [0, 1].
  let q: Double

  static func parse(_ entry: FeatureEntry) throws(ConfigError) -> Self {
    guard let q = try entry.number("q") else {
      throw entry.missing("q", expected: "the quantile, a number in [0, 1]")
    }
    guard q >= 0, q <= 1 else { throw entry.error(at: "q", "expected a number in [0, 1], got \(q)") }
    return Self(field: entry.field, q: q)
  }

  var input: AggregateSchema.Input { .values(field) }
  var options: [AggregateSchema.Option] { [.init(key: "q", value: q)] }
  var description: String {
    "quantile \(q) of \(field) (within \(QuantileSketch.promisedErrorPercent)% relative error)"
  }

  /// Quantiles of one field (p50 and p90 of a speed) share the sketches of the first of them.
  func makeAccumulator(plan: FieldPlan, earlier: [FeatureAccumulator?]) -> FeatureAccumulator? {
    let column = plan.valueColumn(field)
    let owner = earlier.lazy.compactMap { $0 as? QuantileAccumulator }.first { $0.owner && $0.column == column }
    return QuantileAccumulator(column: column, q: q, sharing: owner)
  }
}

extension FeatureSpec.Kind {
  /// `{quantile: FIELD, q: Q}`.
  public static func quantile(field: String, q: Double) -> Self { Self(QuantileAggregate(field: field, q: q)) }
}
