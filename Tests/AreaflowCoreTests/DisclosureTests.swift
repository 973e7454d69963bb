import Testing

@testable import AreaflowCore

/// Disclosure control in the window store itself (SPEC section 8): which groups are published, suppressed or
/// rolled up, with what values, whatever the shard count.
@Suite struct DisclosureTests {
  static let config = """
    input: {time: {field: ts, format: epoch_s}, lat: lat, lon: lon}
    areas: [{name: gh4, geohash: 4}]
    windows: [{name: 1m, tumbling: 1m}]
    features:
      n: count
      ids: {distinct: id}
      top: {max: v, min_contributors: 4}
    privacy:
      min_contributors: {field: id, k: 3}
      small_groups: roll_up
      roll_up_levels: 2
    """

  /// Cell u33d has three ids (published); u33f (one id) and u339 (two ids, three events) are small but share the
  /// parent u33, which reaches three ids; u281 (one id) is small and so is every parent of it.
  static let lines = [
    (52.52, 13.40, "a1"), (52.52, 13.40, "a2"), (52.52, 13.40, "a3"),
    (52.52, 13.75, "b1"),
    (52.35, 13.40, "c1"), (52.35, 13.40, "c2"), (52.35, 13.40, "c2"),
    (48.14, 11.58, "d1"),
  ].enumerated().map { i, e in #"{"ts":\#(1_772_438_400 + i),"lat":\#(e.0),"lon":\#(e.1),"id":"\#(e.2)","v":\#(i)}"# }

  func rows(shards: Int) throws -> [String: (disclosure: String, level: Int, values: [FeatureValue])] {
    let config = try ConfigLoader(file: "c.yaml").load(Self.config)
    let schemes: [any AreaScheme] = [GeohashScheme(name: "gh4", precision: 4)]
    let decoder = BatchDecoder(config: config, schemes: schemes)
    var stamper = WatermarkStamper(
      windows: config.windows, watermark: config.watermark, shardCount: shards, routingSchemes: schemes,
      routingLevels: 2)
    let stores = (0..<shards).map { _ in WindowStore(config: config, plan: decoder.plan, schemes: schemes) }
    let batch = decoder.decode(
      LineChunk(input: 0, inputName: "t", bytes: Array((Self.lines.joined(separator: "\n") + "\n").utf8), firstLine: 1))
    let stamped = stamper.stamp(batch)
    var closed = ClosedRows(features: config.features)
    for (k, store) in stores.enumerated() {
      store.add(stamped, entries: stamped.routes[k])
      closed.append(contentsOf: store.close(upTo: nil))
    }
    #expect(closed.suppressed.count == closed.count && closed.levels.count == closed.count)
    var result: [String: (String, Int, [FeatureValue])] = [:]
    for (i, key) in closed.keys.enumerated() {
      let level = Int(closed.levels[i])
      let label = level == 0 ? schemes[0].label(of: key.area) : schemes[0].ancestorLabel(of: key.area, level: level)
      let disclosure = closed.suppressed[i] ? "suppressed" : level > 0 ? "rolled_up" : "published"
      result[label] = (disclosure, level, config.features.indices.map { closed.value(row: i, feature: $0) })
    }
    return result
  }

  @Test(arguments: [1, 2, 3])
  func smallGroupsAreSuppressedAndRolledUpExactly(shards: Int) throws {
    let rows = try rows(shards: shards)
    #expect(Set(rows.keys) == ["u33d", "u33f", "u339", "u281", "u33"])
    #expect(rows["u33d"]!.disclosure == "published")
    // Three contributors: published, but `top` needs four.
    #expect(rows["u33d"]!.values == [.integer(3), .integer(3), .double(nil)])
    for small in ["u33f", "u339", "u281"] {
      #expect(rows[small]!.disclosure == "suppressed")
      #expect(rows[small]!.values == [.integer(nil), .integer(nil), .double(nil)])
    }
    // The parent holds only the suppressed children u33f and u339: four events of three ids.
    #expect(rows["u33"]!.disclosure == "rolled_up" && rows["u33"]!.level == 1)
    #expect(rows["u33"]!.values == [.integer(4), .integer(3), .double(nil)])
  }
}
