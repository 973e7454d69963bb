import Testing

@testable import AreaflowCore

/// The sequencer's split of (event, scheme, area) entries between shards, held to its definition: every entry once,
/// in the shard its area hashes to, each shard's entries in event order with schemes inside an event.
@Suite struct RoutingTests {
  static let config = try! ConfigLoader(file: "c.yaml").load(
    """
    input: {time: {field: ts, format: epoch_s}, lat: lat, lon: lon}
    areas: [{name: g, geohash: 5}, {name: r, regions: r.geojson, id_property: id}]
    windows: [{name: 1m, tumbling: 1m}]
    features: {n: count}

    """)

  /// Two overlapping squares: a point may be in none, one or both of them, so the region column has zero, one or
  /// two keys per event.
  static func schemes() throws -> [any AreaScheme] {
    let index = try RegionTestSupport.index(
      RegionTestSupport.polygon(id: "west", RegionTestSupport.rectangle(lon: 13.0...13.5, lat: 52.0...53.0)),
      RegionTestSupport.polygon(id: "east", RegionTestSupport.rectangle(lon: 13.3...13.8, lat: 52.0...53.0)))
    return [GeohashScheme(name: "g", precision: 5), RegionScheme(name: "r", index: index)]
  }

  @Test(arguments: [1, 2, 3, 4])
  func everyEntryOnceInItsShardInEventOrder(shards: Int) throws {
    let schemes = try Self.schemes()
    var random = SystemRandomNumberGenerator()
    var text = ""
    for i in 0..<3000 {
      let lon = 12.8 + Double.random(in: 0..<1.2, using: &random)
      let lat = 52.1 + Double.random(in: 0..<0.8, using: &random)
      text += "{\"ts\":\(1_772_438_400 + i),\"lat\":\(lat),\"lon\":\(lon)}\n"
    }
    let chunk = LineChunk(input: 0, inputName: "t", bytes: Array(text.utf8), firstLine: 1)
    let batch = BatchDecoder(config: Self.config, schemes: schemes).decode(chunk)
    #expect(batch.count == 3000)
    let regions = batch.areas[1]
    let perEvent = (0..<batch.count).map { regions.starts[$0 + 1] - regions.starts[$0] }
    #expect(Set(perEvent) == [0, 1, 2], "points in none, one and both regions")

    var stamper = WatermarkStamper(
      windows: Self.config.windows, watermark: Self.config.watermark, shardCount: shards)
    let routes = stamper.stamp(batch).routes

    var expected = [[UInt64]](repeating: [], count: shards)
    for i in 0..<batch.count {
      for (s, column) in batch.areas.enumerated() {
        for position in Int(column.starts[i])..<Int(column.starts[i + 1]) {
          let shard = Int(ByteHasher.mix(column.keys[position] &+ UInt64(s)) % UInt64(shards))
          expected[shard].append(RouteEntry.pack(event: i, scheme: s, keyIndex: position))
        }
      }
    }
    #expect(routes == expected)
    #expect(routes.map(\.count).reduce(0, +) == batch.areas.map(\.keys.count).reduce(0, +))
  }
}
