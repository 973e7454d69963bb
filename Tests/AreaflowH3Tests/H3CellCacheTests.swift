import Foundation
import Testing

@testable import AreaflowH3

/// A cell from `H3CellCache` must be the cell the walk gives: across resolutions sharing one cache, for points
/// spread over the world (slots collide all the time) and for dense city points (most lookups hit).
@Suite struct H3CellCacheTests {
  @Test func cachedCellsEqualWalkedCells() {
    var rng = H3LiveReferenceTests.SeededGenerator(state: 0xCAC4E)
    var cache = H3CellCache()
    var checked = 0
    for _ in 0..<60_000 {
      let p = H3QuickRouteTests.randomPoint(&rng)
      let res = Int.random(in: 0...15, using: &rng)
      let cached = H3.latLngToCell(lat: p.lat, lng: p.lng, resolution: res, cache: &cache)
      #expect(cached == H3.latLngToCell(lat: p.lat, lng: p.lng, resolution: res), "\(p) res \(res)")
      checked += 1
    }
    // A city's worth of points at two resolutions, each point asked twice: the second answer comes from the cache.
    for _ in 0..<60_000 {
      let lat = Double.random(in: 52.3...52.7, using: &rng)
      let lng = Double.random(in: 13.0...13.8, using: &rng)
      for res in [8, 9] {
        let walked = H3.latLngToCell(lat: lat, lng: lng, resolution: res)
        #expect(H3.latLngToCell(lat: lat, lng: lng, resolution: res, cache: &cache) == walked)
        #expect(H3.latLngToCell(lat: lat, lng: lng, resolution: res, cache: &cache) == walked)
        checked += 2
      }
    }
    #expect(checked == 300_000)
  }

  @Test func pointsWithoutACellStayZero() {
    var cache = H3CellCache()
    #expect(H3.latLngToCell(lat: .nan, lng: 1, resolution: 8, cache: &cache) == 0)
    #expect(H3.latLngToCell(lat: 1, lng: .infinity, resolution: 8, cache: &cache) == 0)
    #expect(H3.latLngToCell(lat: 1, lng: 1, resolution: 16, cache: &cache) == 0)
    #expect(H3.latLngToCell(lat: 1, lng: 1, resolution: 8, cache: &cache) != 0)
  }
}
