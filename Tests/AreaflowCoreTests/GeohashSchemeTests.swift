import Testing

@testable import AreaflowCore

@Suite struct GeohashSchemeTests {
  @Test(arguments: [
    (57.64911, 10.40744, 11, "u4pruydqqvj"),
    (42.6, -5.6, 5, "ezs42"),
    (-25.382708, -49.265506, 8, "6gkzwgjz"),
    (52.5200, 13.4050, 6, "u33dc0"),
    (0.0, 0.0, 4, "s000"),
    (-90.0, -180.0, 3, "000"),
    (90.0, 180.0, 3, "zzz"),
  ])
  func knownVectors(lat: Double, lon: Double, precision: Int, expected: String) {
    #expect(GeohashScheme.encode(lat: lat, lon: lon, precision: precision) == expected)
  }

  @Test func boxContainsThePoint() {
    var random = SeededRandom(seed: 3)
    for precision in 1...12 {
      let scheme = GeohashScheme(name: "g", precision: precision)
      for _ in 0..<200 {
        let lat = random.unit() * 180 - 90
        let lon = random.unit() * 360 - 180
        var keys: [UInt64] = []
        #expect(scheme.assign(lat: lat, lon: lon, into: &keys) == 1)
        let box = scheme.box(of: keys[0])
        #expect(box.minLat <= lat && lat <= box.maxLat && box.minLon <= lon && lon <= box.maxLon)
        #expect(scheme.label(of: keys[0]).count == precision)
      }
    }
  }
}
