import Foundation
import Testing

@testable import AreaflowCore

@Suite struct ConfigLoaderTests {
  static let valid = """
    name: t
    input:
      format: ndjson
      time: {field: ts, format: auto}
      lat: lat
      lon: lon
      dimensions: [route]
    areas:
      - {name: gh6, geohash: 6}
    windows:
      - {name: 1m, tumbling: 1m}
      - {name: 15m, hopping: 15m, every: 5m}
    watermark:
      max_out_of_order: 30s
      allowed_lateness: 0s
    features:
      events: count
      vehicles: {distinct: vehicle_id}
      p90: {quantile: speed, q: 0.9}
      slow: {share: speed, below: 5}
      fast: {share: speed, above: 50}
    output:
      dir: out/t
      format: csv
    """

  func load(_ text: String) throws(ConfigError) -> PipelineConfig {
    try ConfigLoader(file: "dir/c.yaml").load(text)
  }

  func error(_ text: String) -> ConfigError? {
    do {
      _ = try load(text)
      return nil
    } catch {
      return error
    }
  }

  @Test func validConfigLoadsInOrder() throws {
    let c = try load(Self.valid)
    #expect(c.name == "t")
    #expect(c.features.map(\.name) == ["events", "vehicles", "p90", "slow", "fast"])
    #expect(c.features[2].kind == .quantile(field: "speed", q: 0.9))
    #expect(c.features[4].kind == .share(field: "speed", threshold: 50, below: false))
    #expect(c.windows[1] == WindowSpec(name: "15m", size: 900_000_000_000, every: 300_000_000_000))
    #expect(c.watermark.maxOutOfOrder == 30_000_000_000)
    #expect(c.output.dir == "dir/out/t", "relative paths resolve against the config's directory")
    #expect(c.input.dimensions == ["route"])
  }

  /// Each case: a replacement applied to the valid config, and the line, column and key the error must name.
  @Test(arguments: [
    ("  lon: lon\n", "  lon: lon\n  color: red\n", 7, 3, "input.color"),
    ("tumbling: 1m}", "tumbling: 1 minute}", 11, 26, "windows.1m.tumbling"),
    ("geohash: 6}", "geohash: 13}", 9, 26, "areas.gh6.geohash"),
    ("q: 0.9}", "q: 1.5}", 19, 29, "features.p90.q"),
    ("below: 5}", "below: 5, above: 3}", 20, 9, "features.slow"),
    ("format: csv", "format: xlsx", 24, 11, "output.format"),
    ("every: 5m}", "every: 20m}", 12, 38, "windows.15m.every"),
    ("every: 5m}", "every: 0s}", 12, 38, "windows.15m.every"),
    ("  events: count\n", "  events: tally\n", 17, 11, "features.events"),
    ("max_out_of_order: 30s", "max_out_of_order: soon", 14, 21, "watermark.max_out_of_order"),
    ("  vehicles: {distinct: vehicle_id}\n", "  window: count\n", 18, 3, "features.window"),
  ])
  func errorsNameLineColumnAndKey(find: String, replace: String, line: Int, column: Int, key: String) {
    let e = error(Self.valid.replacingFirst(find, with: replace))
    #expect(e?.file == "dir/c.yaml")
    #expect(e?.line == line, "\(String(describing: e))")
    #expect(e?.column == column, "\(String(describing: e))")
    #expect(e?.key == key, "\(String(describing: e))")
    #expect(e?.description.contains("dir/c.yaml:\(line):\(column): \(key):") == true)
  }

  @Test func missingSectionsAreNamed() {
    let noFeatures = Self.valid.components(separatedBy: "features:")[0]
    #expect(error(noFeatures)?.key == "features")
    #expect(error("name: x\n")?.key == "input")
    #expect(error("")?.message.contains("empty") == true)
    #expect(error("input: [unclosed")?.message.contains("YAML syntax") == true)
  }

  @Test func unknownTopLevelKeyIsRefused() {
    let e = error(Self.valid + "\nextra: 1\n")
    #expect(e?.key == "extra")
    #expect(e?.line == 25)
  }

  @Test func duplicateNamesAreRefused() {
    let e = error(Self.valid.replacingFirst("{name: 15m, hopping", with: "{name: 1m, hopping"))
    #expect(e?.message.contains("used twice") == true)
  }
}

extension String {
  func replacingFirst(_ find: String, with replacement: String) -> String {
    guard let range = range(of: find) else { return self }
    return replacingCharacters(in: range, with: replacement)
  }
}
