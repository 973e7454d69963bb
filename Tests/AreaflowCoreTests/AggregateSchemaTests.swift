import Foundation
import Testing

@testable import AreaflowCore

/// The aggregate table is the one place an aggregate is declared: every config entry parses to the aggregate it
/// names, with the description `check` prints, the column type the snapshots write and the input it reads.
@Suite struct AggregateSchemaTests {
  /// Each case: a config entry, then what the table says about it.
  @Test(
    arguments: [
      ("count", "count", "count of events", true, nil),
      ("{sum: d}", "sum", "sum of d", false, "d"),
      ("{mean: s}", "mean", "mean of s", false, "s"),
      ("{min: s}", "min", "minimum of s", false, "s"),
      ("{max: s}", "max", "maximum of s", false, "s"),
      ("{stddev: s}", "stddev", "sample standard deviation of s", false, "s"),
      ("{quantile: s, q: 0.9}", "quantile", "quantile 0.9 of s (within 1% relative error)", false, "s"),
      ("{distinct: id}", "distinct", "distinct values of id (exact to 256, then within 2%)", true, "id"),
      ("{share: s, below: 5}", "share", "share of s below 5.0", false, "s"),
      ("{share: s, above: 50}", "share", "share of s above 50.0", false, "s"),
    ] as [(String, String, String, Bool, String?)])
  func entryParsesToItsAggregate(entry: String, name: String, description: String, integer: Bool, field: String?)
    throws
  {
    let text =
      "input: {time: ts, lat: lat, lon: lon}\nareas: [{name: g, geohash: 5}]\nwindows: [{name: w, tumbling: 1m}]\nfeatures: {f: \(entry)}\n"
    let kind = try ConfigLoader(file: "c.yaml").load(text).features[0].kind
    #expect(kind.name == name)
    #expect(kind.description == description)
    #expect(kind.isInteger == integer)
    #expect(kind.field == field)
  }

  @Test func namesAreUniqueAndListedOnce() {
    let names = AggregateSchema.all.map { $0.name }
    #expect(Set(names).count == names.count)
    #expect(names == ["count", "sum", "mean", "min", "max", "stddev", "distinct", "quantile", "share"])
  }

  @Test func usageIsBuiltFromTheTable() {
    #expect(
      AggregateSchema.usage
        == "expected count or one of {sum|mean|min|max|stddev|distinct: FIELD}, {quantile: FIELD, q: 0.9}, {share: FIELD, below: X} / {share: FIELD, above: X}"
    )
    #expect(
      AggregateSchema.entryKeys.sorted() == [
        "above", "below", "count", "distinct", "max", "mean", "min", "q", "quantile", "share", "stddev", "sum",
      ])
  }

  /// Options of another aggregate, a missing option and a bare aggregate written as a mapping are refused in the
  /// words they always were.
  @Test(arguments: [
    ("{mean: s, q: 0.5}", "features.f.q", "q belongs to a quantile feature only"),
    ("{quantile: s, q: 0.5, below: 1}", "features.f.below", "below belongs to a share feature only"),
    ("{share: s, above: 1, q: 0.5}", "features.f.q", "q belongs to a quantile feature only"),
    ("{quantile: s}", "features.f.q", "missing; expected the quantile, a number in [0, 1]"),
    ("{quantile: s, q: high}", "features.f.q", "expected a number"),
    ("{share: s}", "features.f", "a share needs exactly one of below: X or above: X"),
    ("{count: s}", "features.f", "count takes no field: write `f: count`"),
    ("{sum: a, mean: b}", "features.f", AggregateSchema.usage),
    ("mean", "features.f", AggregateSchema.usage),
  ])
  func malformedEntriesAreRefusedAsBefore(entry: String, key: String, message: String) {
    let text =
      "input: {time: ts, lat: lat, lon: lon}\nareas: [{name: g, geohash: 5}]\nwindows: [{name: w, tumbling: 1m}]\nfeatures: {f: \(entry)}\n"
    do {
      _ = try ConfigLoader(file: "c.yaml").load(text)
      Issue.record("\(entry) was accepted")
    } catch {
      #expect(error.key == key)
      #expect(error.message == message)
    }
  }

  @Test func quantilesOfOneFieldShareOneSketchColumn() throws {
    let text =
      "input: {time: ts, lat: lat, lon: lon}\nareas: [{name: g, geohash: 5}]\nwindows: [{name: w, tumbling: 1m}]\nfeatures: {p50: {quantile: s, q: 0.5}, m: {mean: s}, p90: {quantile: s, q: 0.9}, o: {quantile: t, q: 0.5}}\n"
    let config = try ConfigLoader(file: "c.yaml").load(text)
    let made = FeatureAccumulatorFactory.makeAll(config.features, plan: FieldPlan(config: config))
    let p50 = try #require(made[0] as? QuantileAccumulator)
    let p90 = try #require(made[2] as? QuantileAccumulator)
    let other = try #require(made[3] as? QuantileAccumulator)
    #expect(p50.owner && !p90.owner && other.owner)
    #expect(p50.storage === p90.storage && p50.storage !== other.storage)
  }
}
