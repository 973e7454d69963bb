import Foundation
import Testing

@testable import AreaflowCore

private typealias Support = RegionTestSupport

@Suite("RegionIndex lookups")
struct RegionIndexTests {
  private let square = Support.polygon(id: "A", Support.rectangle(lon: 10...20, lat: 40...50))

  @Test func pointInsideIsFound() throws {
    let index = try Support.index(square)
    #expect(Support.ids(index, lat: 45, lon: 15) == ["A"])
  }

  @Test func pointOutsideIsNotFound() throws {
    let index = try Support.index(square)
    #expect(Support.ids(index, lat: 45, lon: 25).isEmpty)
    #expect(Support.ids(index, lat: 55, lon: 15).isEmpty)
  }

  @Test func nanPointIsInNoRegion() throws {
    let index = try Support.index(square)
    #expect(Support.ids(index, lat: .nan, lon: 15).isEmpty)
    #expect(Support.ids(index, lat: 45, lon: .nan).isEmpty)
  }

  @Test func pointInHoleIsOutside() throws {
    let index = try Support.index(
      Support.polygon(
        id: "A", Support.rectangle(lon: 0...6, lat: 0...6),
        Support.rectangle(lon: 2...4, lat: 2...4)))
    #expect(Support.ids(index, lat: 3, lon: 3).isEmpty)
    #expect(Support.ids(index, lat: 1, lon: 1) == ["A"])
    #expect(Support.ids(index, lat: 3, lon: 5) == ["A"])
  }

  @Test func pointOnHoleEdgeFollowsHalfOpenRule() throws {
    // The hole owns its west and south sides (so those points are outside the polygon) and
    // not its east and north sides (so those points are inside).
    let index = try Support.index(
      Support.polygon(
        id: "A", Support.rectangle(lon: 0...6, lat: 0...6),
        Support.rectangle(lon: 2...4, lat: 2...4)))
    #expect(Support.ids(index, lat: 3, lon: 2).isEmpty)
    #expect(Support.ids(index, lat: 2, lon: 3).isEmpty)
    #expect(Support.ids(index, lat: 3, lon: 4) == ["A"])
    #expect(Support.ids(index, lat: 4, lon: 3) == ["A"])
  }

  @Test func multiPolygonMatchesAnyPart() throws {
    let index = try Support.index(
      Support.multiPolygon(
        id: "M", [Support.rectangle(lon: 0...1, lat: 0...1)],
        [Support.rectangle(lon: 5...6, lat: 5...6)]))
    #expect(Support.ids(index, lat: 0.5, lon: 0.5) == ["M"])
    #expect(Support.ids(index, lat: 5.5, lon: 5.5) == ["M"])
    #expect(Support.ids(index, lat: 3, lon: 3).isEmpty)
  }

  @Test func multiPolygonWithOverlappingPartsIsReportedOnce() throws {
    let index = try Support.index(
      Support.multiPolygon(
        id: "M", [Support.rectangle(lon: 0...4, lat: 0...4)],
        [Support.rectangle(lon: 2...6, lat: 2...6)]))
    #expect(index.regions(containingLat: 3, lon: 3) == [0])
  }

  @Test func rectangleIncludesSouthAndWestSidesOnly() throws {
    let index = try Support.index(square)
    #expect(Support.ids(index, lat: 45, lon: 10) == ["A"])  // west
    #expect(Support.ids(index, lat: 40, lon: 15) == ["A"])  // south
    #expect(Support.ids(index, lat: 40, lon: 10) == ["A"])  // south-west corner
    #expect(Support.ids(index, lat: 45, lon: 20).isEmpty)  // east
    #expect(Support.ids(index, lat: 50, lon: 15).isEmpty)  // north
    #expect(Support.ids(index, lat: 50, lon: 20).isEmpty)  // north-east corner
  }

  @Test func pointOnSharedAxisAlignedEdgeIsCountedOnce() throws {
    let index = try Support.index(
      Support.polygon(id: "W", Support.rectangle(lon: 0...1, lat: 0...1)),
      Support.polygon(id: "E", Support.rectangle(lon: 1...2, lat: 0...1)),
      Support.polygon(id: "N", Support.rectangle(lon: 0...1, lat: 1...2)))
    #expect(Support.ids(index, lat: 0.5, lon: 1) == ["E"])
    #expect(Support.ids(index, lat: 1, lon: 0.5) == ["N"])
  }

  @Test func pointOnSharedSlopedEdgeIsCountedOnce() throws {
    // The shared edge runs from (0.3, 0) to (0.9, 1); each ring walks it in the opposite
    // direction, which must not change the outcome for points on or near it.
    let west: Support.Ring = [(0, 0), (0.3, 0), (0.9, 1), (0, 1), (0, 0)]
    let east: Support.Ring = [(0.3, 0), (2, 0), (2, 1), (0.9, 1), (0.3, 0)]
    let index = try Support.index(Support.polygon(id: "W", west), Support.polygon(id: "E", east))
    for step in 0..<1000 {
      let t = Double(step) / 1000
      let lat = t
      let lon = 0.3 + 0.6 * t
      for nudge in [0, lon.ulp, -lon.ulp] {
        #expect(index.regions(containingLat: lat, lon: lon + nudge).count == 1)
      }
    }
  }

  @Test func sharedVertexOfFourRegionsBelongsToNorthEastOne() throws {
    let index = try Support.index(
      Support.polygon(id: "SW", Support.rectangle(lon: 0...1, lat: 0...1)),
      Support.polygon(id: "SE", Support.rectangle(lon: 1...2, lat: 0...1)),
      Support.polygon(id: "NW", Support.rectangle(lon: 0...1, lat: 1...2)),
      Support.polygon(id: "NE", Support.rectangle(lon: 1...2, lat: 1...2)))
    #expect(Support.ids(index, lat: 1, lon: 1) == ["NE"])
  }

  @Test func diamondVerticesFollowHalfOpenRule() throws {
    // Nudged east (then north), only the west vertex of a diamond moves inside it.
    let diamond: Support.Ring = [(1, 0), (2, 1), (1, 2), (0, 1), (1, 0)]
    let index = try Support.index(Support.polygon(id: "D", diamond))
    #expect(Support.ids(index, lat: 1, lon: 0) == ["D"])
    #expect(Support.ids(index, lat: 0, lon: 1).isEmpty)
    #expect(Support.ids(index, lat: 2, lon: 1).isEmpty)
    #expect(Support.ids(index, lat: 1, lon: 2).isEmpty)
  }

  @Test func overlappingRegionsAreAllReturnedInAscendingOrder() throws {
    let index = try Support.index(
      Support.polygon(id: "big", Support.rectangle(lon: 0...10, lat: 0...10)),
      Support.polygon(id: "small", Support.rectangle(lon: 4...6, lat: 4...6)),
      Support.polygon(id: "middle", Support.rectangle(lon: 2...8, lat: 2...8)))
    #expect(index.regions(containingLat: 5, lon: 5) == [0, 1, 2])
    #expect(index.regions(containingLat: 3, lon: 3) == [0, 2])
  }

  @Test func moreOverlappingRegionsThanOneCandidateBatchAreAllReturned() throws {
    // 40 nested squares: more candidates than the query tests in one batch (16).
    let features: [String] = (1...40).map { (k: Int) -> String in
      let half = Double(k)
      return Support.polygon(id: "S\(k)", Support.rectangle(lon: -half...half, lat: -half...half))
    }
    let bytes = Array(
      "{\"type\": \"FeatureCollection\", \"features\": [\(features.joined(separator: ","))]}".utf8)
    let index = try RegionIndex(geoJSON: bytes, idProperty: "id")
    #expect(index.regions(containingLat: 0, lon: 0) == (0..<40).map { Int32($0) })
    #expect(index.regions(containingLat: 30.5, lon: 0) == (30..<40).map { Int32($0) })
  }

  @Test func resultIsAppendedAfterExistingElements() throws {
    let index = try Support.index(square)
    var result: [Int32] = [7]
    index.regions(containingLat: 45, lon: 15, into: &result)
    #expect(result == [7, 0])
  }

  @Test func uInt64FormAppendsSameRegions() throws {
    let index = try Support.index(
      Support.polygon(id: "big", Support.rectangle(lon: 0...10, lat: 0...10)),
      Support.polygon(id: "small", Support.rectangle(lon: 4...6, lat: 4...6)))
    var keys: [UInt64] = [99]
    index.regions(containingLat: 5, lon: 5, into: &keys)
    #expect(keys == [99, 0, 1])
  }

  @Test func ringOrientationDoesNotMatter() throws {
    let clockwise = Array(Support.rectangle(lon: 10...20, lat: 40...50).reversed())
    let index = try Support.index(Support.polygon(id: "A", clockwise))
    #expect(Support.ids(index, lat: 45, lon: 15) == ["A"])
  }

  @Test func numericIDsAreRenderedWithoutTrailingZero() throws {
    let ring = Support.ringJSON(Support.rectangle(lon: 0...1, lat: 0...1))
    let bytes = Array(
      """
      {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"n": 7}, "geometry": {"type": "Polygon", "coordinates": [\(ring)]}},
        {"type": "Feature", "properties": {"n": 8.0}, "geometry": {"type": "Polygon", "coordinates": [\(ring)]}},
        {"type": "Feature", "properties": {"n": 2.5}, "geometry": {"type": "Polygon", "coordinates": [\(ring)]}}
      ]}
      """.utf8)
    let index = try RegionIndex(geoJSON: bytes, idProperty: "n")
    #expect((0..<3).map { index.id(of: Int32($0)) } == ["7", "8", "2.5"])
  }

  @Test func idLookupReturnsRegionIndex() throws {
    let index = try Support.index(
      Support.polygon(id: "A", Support.rectangle(lon: 0...1, lat: 0...1)),
      Support.polygon(id: "B", Support.rectangle(lon: 1...2, lat: 0...1)))
    #expect(index.regionCount == 2)
    #expect(index.index(ofID: "B") == 1)
    #expect(index.index(ofID: "C") == nil)
  }

  @Test func boundaryReturnsRingsAsLatLon() throws {
    let index = try Support.index(
      Support.multiPolygon(
        id: "M",
        [Support.rectangle(lon: 0...6, lat: 0...6), Support.rectangle(lon: 2...4, lat: 2...4)],
        [Support.rectangle(lon: 10...11, lat: 20...21)]))
    let boundary = index.boundary(of: 0)
    #expect(boundary.count == 2)
    #expect(boundary[0].count == 2)
    #expect(boundary[1].count == 1)
    #expect(boundary[1][0].count == 5)
    #expect(boundary[1][0][1].lat == 20)
    #expect(boundary[1][0][1].lon == 11)
  }

  @Test func boundingBoxCoversAllRegions() throws {
    let index = try Support.index(
      Support.polygon(id: "A", Support.rectangle(lon: 0...1, lat: 5...6)),
      Support.polygon(id: "B", Support.rectangle(lon: -3...2, lat: 7...9)))
    #expect(index.boundingBox == RegionBoundingBox(minLat: 5, minLon: -3, maxLat: 9, maxLon: 2))
    #expect(
      index.boundingBox(of: 1) == RegionBoundingBox(minLat: 7, minLon: -3, maxLat: 9, maxLon: 2))
  }

  @Test func emptyCollectionHasNoRegions() throws {
    let index = try Support.index()
    #expect(index.regionCount == 0)
    #expect(index.boundingBox == nil)
    #expect(index.regions(containingLat: 0, lon: 0).isEmpty)
  }

  @Test func polygonWithThousandsOfVerticesIsTestedCorrectly() throws {
    // A 5,000-gon approximating a circle exercises the latitude bands.
    var ring: Support.Ring = (0..<5000).map { k in
      let angle = 2 * Double.pi * Double(k) / 5000
      return (10 + cos(angle), 50 + sin(angle))
    }
    ring.append(ring[0])
    let index = try Support.index(Support.polygon(id: "C", ring))
    #expect(Support.ids(index, lat: 50, lon: 10) == ["C"])
    #expect(Support.ids(index, lat: 50.99, lon: 10) == ["C"])
    #expect(Support.ids(index, lat: 50.7, lon: 10.7) == ["C"])
    #expect(Support.ids(index, lat: 50.72, lon: 10.72).isEmpty)
    #expect(Support.ids(index, lat: 49.0001, lon: 10.1).isEmpty)
  }
}
