/// An axis-aligned latitude/longitude box, inclusive on all sides.
///
/// Coordinates are treated as planar (see ``RegionIndex``), so a box never wraps around the
/// antimeridian: `minLon <= maxLon` always holds.
public struct RegionBoundingBox: Sendable, Equatable, CustomStringConvertible {
  public var minLat: Double
  public var minLon: Double
  public var maxLat: Double
  public var maxLon: Double

  public init(minLat: Double, minLon: Double, maxLat: Double, maxLon: Double) {
    self.minLat = minLat
    self.minLon = minLon
    self.maxLat = maxLat
    self.maxLon = maxLon
  }

  /// Whether the point lies inside or on the border of the box.
  public func contains(lat: Double, lon: Double) -> Bool {
    lat >= minLat && lat <= maxLat && lon >= minLon && lon <= maxLon
  }

  public var description: String {
    "lat \(minLat)...\(maxLat), lon \(minLon)...\(maxLon)"
  }
}
