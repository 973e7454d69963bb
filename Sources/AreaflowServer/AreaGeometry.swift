import AreaflowCore
import Synchronization

/// Area polygons and their bounding boxes by (scheme, label), computed once per area and kept: the HTTP API draws
/// and filters the same areas request after request.
final class AreaGeometry: Sendable {
  struct Shape: Sendable {
    /// Polygons, each rings of [lon, lat] (outer first, closed).
    let polygons: [[[(lon: Double, lat: Double)]]]
    let minLon: Double, minLat: Double, maxLon: Double, maxLat: Double
  }

  private let schemes: [any AreaScheme]
  private let cache = Mutex<[Int: [String: Shape]]>([:])

  init(schemes: [any AreaScheme]) { self.schemes = schemes }

  /// The shape of area `label` of scheme `scheme`, or nil when the label names no area of it.
  func shape(scheme: Int, label: String) -> Shape? {
    if let hit = cache.withLock({ $0[scheme]?[label] }) { return hit }
    // A rolled-up row (privacy) names a parent area, which has an outline but no key of the scheme's own level.
    guard
      var polygons = schemes[scheme].key(of: label).map({ schemes[scheme].polygons(of: $0) })
        ?? schemes[scheme].ancestorPolygons(label: label)
    else { return nil }
    for p in polygons.indices {
      for r in polygons[p].indices
      where polygons[p][r].first.map({ f in
        polygons[p][r].last.map { $0 != f } ?? false
      }) ?? false {
        polygons[p][r].append(polygons[p][r][0])
      }
    }
    var minLon = Double.infinity
    var minLat = Double.infinity
    var maxLon = -Double.infinity
    var maxLat = -Double.infinity
    for polygon in polygons {
      for point in polygon.first ?? [] {
        minLon = min(minLon, point.lon)
        maxLon = max(maxLon, point.lon)
        minLat = min(minLat, point.lat)
        maxLat = max(maxLat, point.lat)
      }
    }
    let shape = Shape(polygons: polygons, minLon: minLon, minLat: minLat, maxLon: maxLon, maxLat: maxLat)
    cache.withLock { $0[scheme, default: [:]][label] = shape }
    return shape
  }

  /// Whether the area's bounding box meets the box (minLon, minLat, maxLon, maxLat).
  func intersects(scheme: Int, label: String, box: (Double, Double, Double, Double)) -> Bool {
    guard let s = shape(scheme: scheme, label: label) else { return false }
    return s.minLon <= box.2 && s.maxLon >= box.0 && s.minLat <= box.3 && s.maxLat >= box.1
  }
}

/// `(lon, lat)` pairs compare by value.
func != (a: (lon: Double, lat: Double), b: (lon: Double, lat: Double)) -> Bool { a.lon != b.lon || a.lat != b.lat }
