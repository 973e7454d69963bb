import AreaflowGenerate
import Testing

@testable import AreaflowCore

/// The batch loop of `H3Scheme` (one cell cache per batch) must give what one `assign` per point gives: the same
/// keys, offsets and count of points outside.
@Suite struct H3SchemeTests {
  @Test func batchAssignEqualsPointByPoint() {
    var random = SeededRandom(seed: 59)
    for res in [0, 5, 8, 11, 15] {
      let scheme = H3Scheme(name: "h", resolution: res)
      var lats: [Double] = []
      var lons: [Double] = []
      for n in 0..<20_000 {
        if n % 997 == 0 {
          lats.append(.nan)
          lons.append(13.4)
        } else if n % 2 == 0 {
          lats.append(52.3 + Double(random.below(400_000)) * 1e-6)
          lons.append(13.0 + Double(random.below(800_000)) * 1e-6)
        } else {
          lats.append(Double(random.below(180_000_000)) * 1e-6 - 90)
          lons.append(Double(random.below(360_000_000)) * 1e-6 - 180)
        }
      }
      var batch = AreaColumn()
      let outside = scheme.assign(lats: lats, lons: lons, into: &batch)
      var one = AreaColumn()
      var outsideOne = 0
      for i in lats.indices {
        if scheme.assign(lat: lats[i], lon: lons[i], into: &one.keys) == 0 { outsideOne += 1 }
        one.starts.append(Int32(one.keys.count))
      }
      #expect(batch.keys == one.keys)
      #expect(batch.starts == one.starts)
      #expect(outside == outsideOne)
      #expect(outside == 21)
    }
  }
}
