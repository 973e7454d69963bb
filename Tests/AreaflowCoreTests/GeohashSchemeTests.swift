import AreaflowGenerate
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

  /// The batch assign, written through buffers, appends the per-point keys and one offset per point after whatever
  /// the column already holds.
  @Test func batchAssignEqualsPointAssign() {
    var random = SeededRandom(seed: 4)
    let scheme = GeohashScheme(name: "g", precision: 6)
    var column = AreaColumn()
    var want: [UInt64] = []
    for n in [0, 1, 7, 300] {
      let lats = (0..<n).map { _ in random.unit() * 180 - 90 }
      let lons = (0..<n).map { _ in random.unit() * 360 - 180 }
      #expect(scheme.assign(lats: lats, lons: lons, into: &column) == 0)
      for i in 0..<n { _ = scheme.assign(lat: lats[i], lon: lons[i], into: &want) }
    }
    #expect(column.keys == want)
    #expect(column.starts == (0...want.count).map { Int32($0) })
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

  /// The O(1) encoder equals interval halving bit for bit: random points, points exactly on cell edges and a hair
  /// either side of them, and the corners of the world, at every precision.
  @Test func scaledEncoderEqualsIntervalHalving() {
    var random = SeededRandom(seed: 11)
    for precision in 1...12 {
      let bits = precision * 5
      let scheme = GeohashScheme(name: "g", precision: precision)
      var points: [(Double, Double)] = [(-90, -180), (90, 180), (-90, 180), (90, -180), (0, 0), (-0.0, -0.0)]
      for _ in 0..<20_000 { points.append((random.unit() * 180 - 90, random.unit() * 360 - 180)) }
      for _ in 0..<5_000 {
        // A cell edge of this precision, exactly, and its neighbouring doubles.
        let lonCells = Double(UInt64(1) << UInt64((bits + 1) / 2))
        let latCells = Double(UInt64(1) << UInt64(bits / 2))
        let lon = -180 + (random.unit() * lonCells).rounded(.down) * (360 / lonCells)
        let lat = -90 + (random.unit() * latCells).rounded(.down) * (180 / latCells)
        points += [(lat, lon), (lat.nextDown, lon.nextDown), (lat.nextUp, lon.nextUp), (lat.nextDown, lon.nextUp)]
      }
      for (lat, lon) in points where abs(lat) <= 90 && abs(lon) <= 180 {
        let fast = GeohashScheme.encodeBits(lat: lat, lon: lon, bits: bits)
        let slow = GeohashScheme.encodeBitsByHalving(lat: lat, lon: lon, bits: bits)
        let scheme = scheme.encode(lat: lat, lon: lon)
        #expect(fast == slow && scheme == slow, "precision \(precision) at \(lat), \(lon)")
        if fast != slow || scheme != slow { return }
      }
    }
  }
}
