import Foundation
import Testing

@testable import AreaflowCore

/// The checkpoint fingerprint is an explicit encoding of what the saved state depends on: settings the state does
/// not depend on leave it alone, every setting it does depend on changes it, and its text is pinned so that a change
/// of form (which refuses every earlier checkpoint) is never accidental.
@Suite struct StateFingerprintTests {
  static let base = """
    name: fp
    input:
      format: ndjson
      time: {field: ts, format: epoch_ms}
      lat: pos.lat
      lon: pos.lon
      dimensions: [route, "odd \\"name\\""]
    areas:
      - {name: gh6, geohash: 6}
      - {name: hex8, h3: 8}
      - {name: lad, regions: regions.geojson, id_property: code}
    windows:
      - {name: 1m, tumbling: 1m}
      - {name: 15m, hopping: 15m, every: 5m}
    watermark: {max_out_of_order: 30s, allowed_lateness: 2s, idle_timeout: 60s}
    features:
      events: count
      vehicles: {distinct: vehicle_id}
      speed_mean: {mean: speed}
      speed_sd: {stddev: speed}
      p90: {quantile: speed, q: 0.9}
      speed_min: {min: speed}
      speed_max: {max: speed}
      delay: {sum: delay_s}
      slow: {share: speed, below: 5}
    output: {dir: out/a, format: csv, flush_every: 10s}
    """

  func fingerprint(_ text: String) throws -> String {
    LiveCheckpoint.fingerprint(of: try ConfigLoader(file: "dir/c.yaml").load(text))
  }

  @Test func pinnedText() throws {
    let expected =
      #"state[areaflow-window-store-3] "#
      + #"input[format=ndjson,time="ts",time_format=epoch_ms,lat="pos.lat",lon="pos.lon",dimensions=["route","odd \"name\""]] "#
      + #"areas[gh6(geohash=6),hex8(h3=8),lad(regions="dir/regions.geojson",id_property="code")] "#
      + #"windows[1m(size=60000000000,every=60000000000),15m(size=900000000000,every=300000000000)] "#
      + #"watermark[max_out_of_order=30000000000,allowed_lateness=2000000000] "#
      + #"features[events(count),vehicles(distinct="vehicle_id"),speed_mean(mean="speed"),speed_sd(stddev="speed"),"#
      + #"p90(quantile="speed",q=0.9),speed_min(min="speed"),speed_max(max="speed"),delay(sum="delay_s"),"#
      + #"slow(share="speed",below=5.0)]"#
    #expect(try fingerprint(Self.base) == expected)
  }

  @Test func windowStateTextIsPinned() throws {
    let config = try ConfigLoader(file: "dir/c.yaml").load(Self.base)
    let store = WindowStore(config: config, plan: FieldPlan(config: config))
    #expect(
      store.stateFingerprint
        == #"windows[1m(size=60000000000,every=60000000000),15m(size=900000000000,every=300000000000)] "#
        + #"lateness[2000000000] "#
        + #"features[events(count),vehicles(distinct="vehicle_id"),speed_mean(mean="speed"),speed_sd(stddev="speed"),"#
        + #"p90(quantile="speed",q=0.9),speed_min(min="speed"),speed_max(max="speed"),delay(sum="delay_s"),"#
        + #"slow(share="speed",below=5.0)]"#)
  }

  /// Settings the saved state does not depend on: the name, where and how snapshots are written, how often, what
  /// the HTTP API keeps, and when an idle input lets the watermark advance.
  @Test(arguments: [
    ("name: fp", "name: other"),
    ("dir: out/a", "dir: /elsewhere"),
    ("format: csv", "format: parquet"),
    ("flush_every: 10s", "flush_every: 1s"),
    ("idle_timeout: 60s", "idle_timeout: 5m"),
    ("output: {", "http: {retain: 5}\noutput: {"),
  ])
  func unchangedBySettingsTheStateDoesNotDependOn(find: String, replace: String) throws {
    let changed = Self.base.replacingFirst(find, with: replace)
    #expect(changed != Self.base)
    #expect(try fingerprint(changed) == fingerprint(Self.base))
  }

  /// Every setting the state depends on changes it.
  @Test(arguments: [
    ("format: ndjson", "format: csv"),
    ("{field: ts,", "{field: time,"),
    ("format: epoch_ms}", "format: epoch_s}"),
    ("lat: pos.lat", "lat: lat"),
    ("dimensions: [route, ", "dimensions: ["),
    ("geohash: 6", "geohash: 7"),
    ("h3: 8", "h3: 9"),
    ("id_property: code", "id_property: name"),
    ("tumbling: 1m", "tumbling: 2m"),
    ("every: 5m", "every: 3m"),
    ("{name: 1m,", "{name: one,"),
    ("max_out_of_order: 30s", "max_out_of_order: 31s"),
    ("allowed_lateness: 2s", "allowed_lateness: 3s"),
    ("q: 0.9", "q: 0.95"),
    ("below: 5", "below: 6"),
    ("below: 5", "above: 5"),
    ("{mean: speed}", "{mean: delay_s}"),
    ("{min: speed}", "{max: speed}"),
    ("speed_min:", "speed_low:"),
  ])
  func changedByEverySettingTheStateDependsOn(find: String, replace: String) throws {
    let changed = Self.base.replacingFirst(find, with: replace)
    #expect(changed != Self.base)
    #expect(try fingerprint(changed) != fingerprint(Self.base), "\(replace)")
  }

  @Test func freeTextCannotForgeASeparator() {
    #expect(StateFingerprint.quoted(#"a",b\c"#) == #""a\",b\\c""#)
    #expect(StateFingerprint.quoted("tab\there") == #""tab\u0009here""#)
  }
}
