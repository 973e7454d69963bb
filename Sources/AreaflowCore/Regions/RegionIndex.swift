import Foundation

/// Administrative regions loaded from GeoJSON, indexed to answer "which regions contain this
/// point" at millions of lookups per second.
///
/// Built once at start-up and immutable afterwards, so one instance can be shared by every
/// worker without locks.
///
/// ## Input
/// A GeoJSON `FeatureCollection` whose features are `Polygon` or `MultiPolygon`. Each feature
/// is one region; its id is `properties[idProperty]`, a string or a number (rendered without a
/// trailing `.0`, so `7` and `7.0` both become `"7"`). Ids must be unique. Region indices
/// (`Int32`) follow the order of the features in the file.
///
/// ## Geometry semantics
/// - **Planar lon/lat.** Coordinates are treated as flat x = longitude, y = latitude; edges are
///   straight lines in that plane, not great circles. Nothing wraps around the antimeridian:
///   a region crossing ±180° must be split by the author into a MultiPolygon with one part on
///   each side.
/// - **Holes.** Rings after the first in a polygon are holes; a point in a hole is outside that
///   polygon. Inside/outside is decided by the even-odd rule over all rings of the polygon, so
///   holes are expected to lie inside the outer ring and not to overlap (not checked). Ring
///   orientation (clockwise or not) does not matter.
/// - **MultiPolygon.** A point is in the region when it is inside any of its polygons.
/// - **Overlaps.** Regions may overlap; a point inside several is reported in each of them.
/// - **Boundaries (half-open rule).** A point exactly on an edge or vertex is classified as if
///   it were moved an infinitesimal step east (greater longitude), and, when that still leaves
///   it on a horizontal edge, a further infinitesimal step north. For an axis-aligned
///   rectangle that means the south and west sides are inside and the north and east sides are
///   outside. The practical consequence: regions that tile an area and share edges
///   vertex-for-vertex split every point of the area, including those on shared edges and
///   corners, so each lands in exactly one region. The same rule applies to hole edges: a point
///   on the western or southern side of a hole is outside the polygon, on its eastern or
///   northern side inside. (Edges whose neighbours do not share the same vertices, e.g.
///   T-junctions, get no such guarantee.)
/// - **Degenerate input** is rejected: rings with fewer than 4 positions, unclosed rings, rings
///   enclosing no area, coordinates outside -180…180 / -90…90. See ``RegionFileError``.
///
/// ## How lookups are fast
/// An STR-packed R-tree over polygon bounding boxes finds the few candidate polygons; each
/// candidate is then tested with a crossing-number test that only looks at the edges in the
/// point's latitude band (see `PolygonEdgeTable`).
public final class RegionIndex: Sendable {
  /// Region ids by region index.
  private let ids: [String]
  /// Each region's parent area, when the file was read with a `parent_property`.
  public let parents: RegionParents?
  private let indexByID: [String: Int32]
  /// Per polygon in R-tree (packed) order: the region (feature) it belongs to. The edge table
  /// uses the same order, so polygons near each other on the map are near each other in
  /// memory, which is what makes random lookups cache-friendlier.
  private let polygonRegion: [Int32]
  /// Per region, plus a closing entry: first polygon of the region, in file order (the order
  /// used by `polygonRingStart`).
  private let regionPolygonStart: [Int]
  /// Per polygon, plus a closing entry: first ring of the polygon.
  private let polygonRingStart: [Int]
  /// Per ring, plus a closing entry: first position of the ring in `positions`.
  private let ringPositionStart: [Int]
  /// All ring positions as written in the file (closed), two `Double`s each: lon, lat.
  private let positions: [Double]
  private let edgeTable: PolygonEdgeTable
  private let tree: PackedRTree

  /// The box around every region, or `nil` when the file has no features.
  public let boundingBox: RegionBoundingBox?

  /// Number of regions (features); valid region indices are `0..<regionCount`.
  public var regionCount: Int { ids.count }

  /// Number of polygons (a MultiPolygon contributes one per part).
  public var polygonCount: Int { polygonRegion.count }

  /// Number of positions over all rings, as in the file (closing positions included).
  public var vertexCount: Int { positions.count / 2 }

  /// Loads and indexes regions from GeoJSON bytes.
  ///
  /// - Parameters:
  ///   - geoJSON: The UTF-8 bytes of a GeoJSON `FeatureCollection`.
  ///   - idProperty: The feature property holding each region's id, e.g. `"code"`.
  /// - Throws: ``RegionFileError`` naming the offending feature when the file is invalid.
  public convenience init(geoJSON: [UInt8], idProperty: String, parentProperty: String? = nil)
    throws(RegionFileError)
  {
    try self.init(geoJSON: Data(geoJSON), idProperty: idProperty, parentProperty: parentProperty)
  }

  /// Loads and indexes regions from a GeoJSON file on disk.
  public convenience init(contentsOf url: URL, idProperty: String) throws(RegionFileError) {
    let data: Data
    do {
      data = try Data(contentsOf: url)
    } catch {
      throw .unreadableFile(path: url.path, reason: error.localizedDescription)
    }
    try self.init(geoJSON: data, idProperty: idProperty)
  }

  /// Loads and indexes regions from GeoJSON data.
  /// - Parameter parentProperty: the property naming each region's parent area (`parent_property`), read in the
  ///   same pass into `parents`.
  public init(geoJSON: Data, idProperty: String, parentProperty: String? = nil) throws(RegionFileError) {
    let features = try RegionFileParser(idProperty: idProperty, parentProperty: parentProperty).parse(geoJSON)
    parents = parentProperty.map { _ in RegionParents(parents: features.map(\.parent)) }

    var ids: [String] = []
    var indexByID: [String: Int32] = [:]
    var fileOrderRegion: [Int32] = []
    var fileOrderRings: [[[(lon: Double, lat: Double)]]] = []
    var regionPolygonStart: [Int] = [0]
    var polygonRingStart: [Int] = [0]
    var ringPositionStart: [Int] = [0]
    var positions: [Double] = []
    var edgeTable = PolygonEdgeTable()
    var boxes: [(minX: Double, minY: Double, maxX: Double, maxY: Double, value: Int)] = []
    var overall: RegionBoundingBox?

    for (regionIndex, feature) in features.enumerated() {
      ids.append(feature.id)
      indexByID[feature.id] = Int32(regionIndex)
      for polygon in feature.polygons {
        var box = (
          minX: Double.infinity, minY: Double.infinity, maxX: -Double.infinity,
          maxY: -Double.infinity
        )
        for ring in polygon {
          for position in ring {
            positions.append(position.lon)
            positions.append(position.lat)
            box.minX = min(box.minX, position.lon)
            box.minY = min(box.minY, position.lat)
            box.maxX = max(box.maxX, position.lon)
            box.maxY = max(box.maxY, position.lat)
          }
          ringPositionStart.append(positions.count / 2)
        }
        polygonRingStart.append(ringPositionStart.count - 1)
        boxes.append((box.minX, box.minY, box.maxX, box.maxY, fileOrderRings.count))
        fileOrderRings.append(polygon)
        fileOrderRegion.append(Int32(regionIndex))
        if var o = overall {
          o.minLat = min(o.minLat, box.minY)
          o.minLon = min(o.minLon, box.minX)
          o.maxLat = max(o.maxLat, box.maxY)
          o.maxLon = max(o.maxLon, box.maxX)
          overall = o
        } else {
          overall = RegionBoundingBox(
            minLat: box.minY, minLon: box.minX, maxLat: box.maxY, maxLon: box.maxX)
        }
      }
      regionPolygonStart.append(fileOrderRings.count)
    }

    // Polygons enter the edge table in R-tree order (see `polygonRegion`).
    let tree = PackedRTree(items: boxes)
    var polygonRegion: [Int32] = []
    polygonRegion.reserveCapacity(fileOrderRings.count)
    for polygon in tree.packedValues {
      edgeTable.append(rings: fileOrderRings[polygon])
      polygonRegion.append(fileOrderRegion[polygon])
    }
    self.ids = ids
    self.indexByID = indexByID
    self.polygonRegion = polygonRegion
    self.regionPolygonStart = regionPolygonStart
    self.polygonRingStart = polygonRingStart
    self.ringPositionStart = ringPositionStart
    self.positions = positions
    self.edgeTable = edgeTable
    self.tree = tree
    self.boundingBox = overall
  }

  /// Appends to `result` the indices of all regions containing the point, in ascending order
  /// and without duplicates.
  ///
  /// Existing elements of `result` are left alone, so a caller reuses one buffer (calling
  /// `removeAll(keepingCapacity: true)` between lookups) and the hot path allocates nothing.
  /// Points on region boundaries follow the half-open rule described on ``RegionIndex``;
  /// NaN coordinates are in no region.
  ///
  /// - Complexity: O(log p) to find the candidate polygons among p polygons via the R-tree,
  ///   plus, per candidate, O(edges in the point's latitude band) — a few edges, independent
  ///   of how many vertices the polygon has.
  public func regions(containingLat lat: Double, lon: Double, into result: inout [Int32]) {
    collect(lat: lat, lon: lon, into: &result)
  }

  /// The same query for callers that keep area keys as
  /// `UInt64` (an `AreaScheme`), so they need no scratch buffer and no conversion pass.
  ///
  /// - Complexity: As for the `Int32` form.
  public func regions(containingLat lat: Double, lon: Double, into result: inout [UInt64]) {
    collect(lat: lat, lon: lon, into: &result)
  }

  /// The query behind both public forms, specialised for each within this module.
  @inline(__always)
  private func collect<Key: FixedWidthInteger>(lat: Double, lon: Double, into result: inout [Key]) {
    let base = result.count
    // Candidates are collected from the tree in small batches on the stack and then tested
    // together (see `PolygonEdgeTable.retainContaining`); a point rarely has more than a few.
    let batch = 16
    withUnsafeTemporaryAllocation(of: Int.self, capacity: 3 * batch) { buffer in
      let candidates = UnsafeMutableBufferPointer(rebasing: buffer[0..<batch])
      let scratch = UnsafeMutableBufferPointer(rebasing: buffer[batch..<(3 * batch)])
      var count = 0
      tree.forEachItem(containingX: lon, y: lat) { polygon in
        candidates[count] = polygon
        count += 1
        if count == batch {
          append(
            candidates, count: count, scratch: scratch, lat: lat, lon: lon, base: base, to: &result)
          count = 0
        }
      }
      if count > 0 {
        append(
          candidates, count: count, scratch: scratch, lat: lat, lon: lon, base: base, to: &result)
      }
    }
  }

  /// Tests a batch of candidate polygons and merges the regions of those containing the point
  /// into `result[base...]`, keeping that tail sorted and free of duplicates.
  @inline(__always)
  private func append<Key: FixedWidthInteger>(
    _ candidates: UnsafeMutableBufferPointer<Int>, count: Int,
    scratch: UnsafeMutableBufferPointer<Int>, lat: Double, lon: Double, base: Int,
    to result: inout [Key]
  ) {
    let kept = edgeTable.retainContaining(
      candidates, count: count, scratch: scratch, x: lon, y: lat)
    for k in 0..<kept {
      let region = Key(truncatingIfNeeded: polygonRegion[candidates[k]])
      // Several parts of one MultiPolygon may match.
      if result[base...].contains(region) { continue }
      // Insertion keeps the (almost always 0–2 element) tail sorted.
      result.append(region)
      var j = result.count - 1
      while j > base && result[j - 1] > region {
        result[j] = result[j - 1]
        j -= 1
      }
      result[j] = region
    }
  }

  /// Convenience form of ``regions(containingLat:lon:into:)`` that allocates a new array.
  public func regions(containingLat lat: Double, lon: Double) -> [Int32] {
    var result: [Int32] = []
    regions(containingLat: lat, lon: lon, into: &result)
    return result
  }

  /// The id of a region, as given in the file's id property.
  ///
  /// - Precondition: `region` is in `0..<regionCount`.
  public func id(of region: Int32) -> String {
    ids[Int(region)]
  }

  /// The index of the region with the given id, if any.
  public func index(ofID id: String) -> Int32? {
    indexByID[id]
  }

  /// The outline of a region for drawing: polygons, each a list of rings (outer ring first,
  /// then holes), each ring its positions as in the file (closed: last equals first).
  ///
  /// Allocates; meant for rendering and export, not for the per-event path.
  ///
  /// - Precondition: `region` is in `0..<regionCount`.
  public func boundary(of region: Int32) -> [[[(lat: Double, lon: Double)]]] {
    let r = Int(region)
    var result: [[[(lat: Double, lon: Double)]]] = []
    for polygon in regionPolygonStart[r]..<regionPolygonStart[r + 1] {
      var rings: [[(lat: Double, lon: Double)]] = []
      for ring in polygonRingStart[polygon]..<polygonRingStart[polygon + 1] {
        var points: [(lat: Double, lon: Double)] = []
        points.reserveCapacity(ringPositionStart[ring + 1] - ringPositionStart[ring])
        for p in ringPositionStart[ring]..<ringPositionStart[ring + 1] {
          points.append((lat: positions[2 * p + 1], lon: positions[2 * p]))
        }
        rings.append(points)
      }
      result.append(rings)
    }
    return result
  }

  /// The bounding box of one region.
  ///
  /// - Precondition: `region` is in `0..<regionCount`.
  public func boundingBox(of region: Int32) -> RegionBoundingBox {
    let r = Int(region)
    let first = ringPositionStart[polygonRingStart[regionPolygonStart[r]]]
    let end = ringPositionStart[polygonRingStart[regionPolygonStart[r + 1]]]
    var box = RegionBoundingBox(
      minLat: .infinity, minLon: .infinity, maxLat: -.infinity, maxLon: -.infinity)
    for p in first..<end {
      box.minLon = min(box.minLon, positions[2 * p])
      box.maxLon = max(box.maxLon, positions[2 * p])
      box.minLat = min(box.minLat, positions[2 * p + 1])
      box.maxLat = max(box.maxLat, positions[2 * p + 1])
    }
    return box
  }
}
