/// `{share: FIELD, below: X}` or `{share: FIELD, above: X}`: the fraction of the field's non-null values strictly
/// below (or above) X, null when there are none.
struct ShareAggregate: Aggregate {
  static let name = "share"
  static let syntax = AggregateSchema.Syntax.fieldWithOptions(
    ["below", "above"], usage: "{share: FIELD, below: X} / {share: FIELD, above: X}")
  static let output = AggregateSchema.Output.double
  let field: String
  let threshold: Double
  /// Whether it counts values below the threshold rather than above it.
  let below: Bool

  static func parse(_ entry: FeatureEntry) throws(ConfigError) -> Self {
    let below = entry.has("below")
    guard below != entry.has("above") else {
      throw entry.error(at: nil, "a share needs exactly one of below: X or above: X")
    }
    let threshold = try entry.number(below ? "below" : "above")!
    return Self(field: entry.field, threshold: threshold, below: below)
  }

  var input: AggregateSchema.Input { .values(field) }
  var options: [AggregateSchema.Option] { [.init(key: below ? "below" : "above", value: threshold)] }
  var description: String { "share of \(field) \(below ? "below" : "above") \(threshold)" }

  func makeAccumulator(plan: FieldPlan, earlier: [FeatureAccumulator?]) -> FeatureAccumulator? {
    ShareAccumulator(column: plan.valueColumn(field), threshold: threshold, below: below)
  }
}

extension FeatureSpec.Kind {
  /// `{share: FIELD, below: X}` when `below`, else `{share: FIELD, above: X}`.
  public static func share(field: String, threshold: Double, below: Bool) -> Self {
    Self(ShareAggregate(field: field, threshold: threshold, below: below))
  }
}
