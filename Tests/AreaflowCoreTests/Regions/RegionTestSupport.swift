import Foundation

@testable import AreaflowCore

/// Small builders for hand-written GeoJSON in tests, plus fixture lookup.
enum RegionTestSupport {
  typealias Ring = [(lon: Double, lat: Double)]

  /// The directory containing `Package.swift`, found by walking up from this file, so tests
  /// work wherever the package is checked out and whatever the working directory.
  static let packageRoot: URL = {
    var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    while directory.path != "/" {
      if FileManager.default.fileExists(
        atPath: directory.appendingPathComponent("Package.swift").path)
      {
        return directory
      }
      directory.deleteLastPathComponent()
    }
    fatalError("no Package.swift above \(#filePath)")
  }()

  /// A closed, counter-clockwise axis-aligned rectangle.
  static func rectangle(lon: ClosedRange<Double>, lat: ClosedRange<Double>) -> Ring {
    [
      (lon.lowerBound, lat.lowerBound), (lon.upperBound, lat.lowerBound),
      (lon.upperBound, lat.upperBound), (lon.lowerBound, lat.upperBound),
      (lon.lowerBound, lat.lowerBound),
    ]
  }

  static func ringJSON(_ ring: Ring) -> String {
    "[" + ring.map { "[\($0.lon), \($0.lat)]" }.joined(separator: ", ") + "]"
  }

  static func polygon(id: String, _ rings: Ring...) -> String {
    """
    {"type": "Feature", "properties": {"id": "\(id)"},
     "geometry": {"type": "Polygon", "coordinates": [\(rings.map(ringJSON).joined(separator: ", "))]}}
    """
  }

  static func multiPolygon(id: String, _ polygons: [Ring]...) -> String {
    let parts = polygons.map { "[" + $0.map(ringJSON).joined(separator: ", ") + "]" }
    return """
      {"type": "Feature", "properties": {"id": "\(id)"},
       "geometry": {"type": "MultiPolygon", "coordinates": [\(parts.joined(separator: ", "))]}}
      """
  }

  static func collection(_ features: String...) -> [UInt8] {
    Array(
      "{\"type\": \"FeatureCollection\", \"features\": [\(features.joined(separator: ",\n"))]}"
        .utf8)
  }

  /// Builds an index with `idProperty: "id"`, failing the test on error.
  static func index(_ features: String...) throws -> RegionIndex {
    let bytes = Array(
      "{\"type\": \"FeatureCollection\", \"features\": [\(features.joined(separator: ",\n"))]}"
        .utf8)
    return try RegionIndex(geoJSON: bytes, idProperty: "id")
  }

  /// Loads `json` and returns the error it is rejected with (nil if it loads).
  static func loadError(_ json: String, idProperty: String = "id") -> RegionFileError? {
    do {
      _ = try RegionIndex(geoJSON: Array(json.utf8), idProperty: idProperty)
      return nil
    } catch {
      return error
    }
  }

  /// Ids of the regions containing the point, in result order.
  static func ids(_ index: RegionIndex, lat: Double, lon: Double) -> [String] {
    index.regions(containingLat: lat, lon: lon).map { index.id(of: $0) }
  }
}
