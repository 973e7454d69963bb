import AreaflowGenerate
import Foundation
import Testing

@testable import AreaflowCore

private typealias Support = RegionTestSupport

@Suite("RegionIndex at scale and on fixtures")
struct RegionIndexScaleTests {
  /// Straightforward even-odd test over the boundary returned by the index, using the same
  /// edge arithmetic (lower end first) so results agree bit for bit.
  private static func bruteForceContains(
    _ polygon: [[(lat: Double, lon: Double)]], lat: Double, lon: Double
  )
    -> Bool
  {
    var inside = false
    for ring in polygon {
      for i in 0..<(ring.count - 1) {
        var a = ring[i]
        var b = ring[i + 1]
        if a.lat == b.lat { continue }
        if a.lat > b.lat { swap(&a, &b) }
        if lat >= a.lat && lat < b.lat
          && lon < a.lon + (lat - a.lat) * ((b.lon - a.lon) / (b.lat - a.lat))
        {
          inside.toggle()
        }
      }
    }
    return inside
  }

  @Test func rTreeQueryEqualsBruteForceOnRandomPoints() throws {
    let file = SyntheticRegionFile(
      columns: 50, rows: 40, segmentsPerSide: 10, holeEvery: 7, seed: 1)
    let (bytes, stats) = file.make()
    let index = try RegionIndex(geoJSON: bytes, idProperty: "id")
    #expect(index.polygonCount == 2000)
    #expect(stats.polygons == 2000)

    // Flatten every polygon with its bounding box for the brute-force pass (flat arrays keep
    // the 200 million box checks tolerable in debug builds).
    var polygonRegion: [Int32] = []
    var polygonRings: [[[(lat: Double, lon: Double)]]] = []
    var boxes: [Double] = []
    for region in 0..<Int32(index.regionCount) {
      for polygon in index.boundary(of: region) {
        let points = polygon.joined()
        polygonRegion.append(region)
        polygonRings.append(polygon)
        boxes += [
          points.map(\.lat).min()!, points.map(\.lat).max()!,
          points.map(\.lon).min()!, points.map(\.lon).max()!,
        ]
      }
    }

    var random = SeededRandom(seed: 99)
    var result: [Int32] = []
    var expected: [Int32] = []
    var mismatches = 0
    var hits = 0
    boxes.withUnsafeBufferPointer { boxes in
      for _ in 0..<100_000 {
        // Slightly larger than the tiled box so some points fall outside everything.
        let lat = 52.39 + 0.26 * random.unit()
        let lon = 13.19 + 0.42 * random.unit()
        expected.removeAll(keepingCapacity: true)
        for p in 0..<polygonRegion.count {
          guard
            lat >= boxes[4 * p] && lat <= boxes[4 * p + 1] && lon >= boxes[4 * p + 2]
              && lon <= boxes[4 * p + 3]
          else { continue }
          if Self.bruteForceContains(polygonRings[p], lat: lat, lon: lon),
            !expected.contains(polygonRegion[p])
          {
            expected.append(polygonRegion[p])
          }
        }
        expected.sort()
        result.removeAll(keepingCapacity: true)
        index.regions(containingLat: lat, lon: lon, into: &result)
        if result != expected { mismatches += 1 }
        hits += result.count
      }
    }
    #expect(mismatches == 0)
    #expect(hits > 50_000)
  }

  @Test func tilingPutsEveryVertexAndPointInExactlyOneRegion() throws {
    // Cells with holes plus islands filling those holes tile the box without gaps, so every
    // point of the box, including every shared vertex, must be in exactly one region, except
    // the box's own north and east sides, which are outside under the half-open rule.
    let file = SyntheticRegionFile(
      columns: 12, rows: 10, segmentsPerSide: 8, holeEvery: 3, islands: true, seed: 5)
    let index = try RegionIndex(geoJSON: file.make().geoJSON, idProperty: "id")
    var tested = 0
    var wrong = 0
    for region in 0..<Int32(index.regionCount) {
      for point in index.boundary(of: region).joined().joined()
      where point.lat < file.maxLat && point.lon < file.maxLon {
        tested += 1
        if index.regions(containingLat: point.lat, lon: point.lon).count != 1 { wrong += 1 }
      }
    }
    var random = SeededRandom(seed: 3)
    for _ in 0..<20_000 {
      let lat = file.minLat + (file.maxLat - file.minLat) * random.unit()
      let lon = file.minLon + (file.maxLon - file.minLon) * random.unit()
      tested += 1
      if index.regions(containingLat: lat, lon: lon).count != 1 { wrong += 1 }
    }
    #expect(tested > 25_000)
    #expect(wrong == 0)
  }

  @Test func sampleFixtureLoads() throws {
    let url = Support.packageRoot.appendingPathComponent("fixtures/regions/sample.geojson")
    let index = try RegionIndex(contentsOf: url, idProperty: "code")
    #expect(index.regionCount == 10)
    #expect(
      (0..<10).map { index.id(of: Int32($0)) } == (1...10).map { String(format: "D%02d", $0) })
    let box = try #require(index.boundingBox)
    #expect(
      box.minLat >= 52.40 && box.maxLat <= 52.64 && box.minLon >= 13.20 && box.maxLon <= 13.60)

    func ids(_ lat: Double, _ lon: Double) -> [String] { Support.ids(index, lat: lat, lon: lon) }
    #expect(ids(52.51, 13.36) == ["D01"])  // Mitte
    #expect(ids(52.515, 13.40).isEmpty)  // the lake: a hole in Mitte
    #expect(ids(52.57, 13.40) == ["D02"])
    #expect(ids(52.61, 13.40) == ["D09"])  // Havelufer, main part
    #expect(ids(52.51, 13.225) == ["D09"])  // Havelufer, island
    #expect(ids(52.42, 13.40) == ["D10"])
    #expect(ids(52.50, 13.58).isEmpty)  // east of the city
    #expect(ids(52.62, 13.22).isEmpty)
  }
}
