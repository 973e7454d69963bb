/// Everything that can be wrong with a regions GeoJSON file.
///
/// Regions are loaded once at start-up, so every message is written for the person who has
/// to fix the file: it names the feature by its zero-based position in the `features` array
/// (the only identifier that always exists), and, for geometry problems, the polygon (always
/// `0` for a `Polygon`), ring (`0` is the outer ring, `1…` are holes) and position indices.
public enum RegionFileError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The file could not be read at all.
  case unreadableFile(path: String, reason: String)
  /// The bytes are not JSON; `byteOffset` is where the parser gave up, when it says so.
  case invalidJSON(byteOffset: Int?, reason: String)
  /// The top-level value is not a GeoJSON `FeatureCollection` with a `features` array.
  case notAFeatureCollection(reason: String)
  /// A `features` entry is not a GeoJSON `Feature` object.
  case malformedFeature(feature: Int, reason: String)
  /// The feature has no `geometry`, or it is `null`.
  case missingGeometry(feature: Int)
  /// The geometry is not a `Polygon` or `MultiPolygon`.
  case unsupportedGeometry(feature: Int, type: String)
  /// The geometry's `coordinates` do not have the nesting its type requires.
  case malformedGeometry(feature: Int, reason: String)
  /// A ring has fewer than the four positions a closed ring needs.
  case ringTooShort(feature: Int, polygon: Int, ring: Int, positions: Int)
  /// A ring's last position does not repeat its first.
  case ringNotClosed(feature: Int, polygon: Int, ring: Int)
  /// A ring encloses no area (all positions on one line or point).
  case degenerateRing(feature: Int, polygon: Int, ring: Int)
  /// A position is not a pair of finite numbers within longitude -180…180 and latitude -90…90.
  case invalidCoordinate(feature: Int, polygon: Int, ring: Int, position: Int, reason: String)
  /// The feature's `properties` lack the configured id property (or it is `null`).
  case missingID(feature: Int, property: String)
  /// The id property is present but is not a non-empty string or a number.
  case invalidID(feature: Int, property: String, reason: String)
  /// Two features carry the same id; region ids must be unique.
  case duplicateID(id: String, firstFeature: Int, secondFeature: Int)

  public var description: String {
    switch self {
    case .unreadableFile(let path, let reason):
      return "cannot read regions file '\(path)': \(reason)"
    case .invalidJSON(let byteOffset, let reason):
      let position = byteOffset.map { " near byte offset \($0)" } ?? ""
      return "regions file is not valid JSON\(position): \(reason); fix the JSON syntax"
    case .notAFeatureCollection(let reason):
      return
        "regions file must be a GeoJSON FeatureCollection "
        + "({\"type\": \"FeatureCollection\", \"features\": [...]}): \(reason)"
    case .malformedFeature(let feature, let reason):
      return
        "feature \(feature): \(reason); each entry of 'features' must be a GeoJSON Feature object"
    case .missingGeometry(let feature):
      return
        "feature \(feature): has no geometry; give it a Polygon or MultiPolygon geometry or remove it"
    case .unsupportedGeometry(let feature, let type):
      return
        "feature \(feature): geometry type '\(type)' is not supported; "
        + "regions must be Polygon or MultiPolygon"
    case .malformedGeometry(let feature, let reason):
      return "feature \(feature): \(reason)"
    case .ringTooShort(let feature, let polygon, let ring, let positions):
      return
        "feature \(feature), polygon \(polygon), ring \(ring): has \(positions) positions; "
        + "a closed ring needs at least 4 (three corners plus the first repeated at the end)"
    case .ringNotClosed(let feature, let polygon, let ring):
      return
        "feature \(feature), polygon \(polygon), ring \(ring): is not closed; "
        + "repeat the first position as the last one"
    case .degenerateRing(let feature, let polygon, let ring):
      return
        "feature \(feature), polygon \(polygon), ring \(ring): encloses no area "
        + "(all positions lie on one line); remove or fix the ring"
    case .invalidCoordinate(let feature, let polygon, let ring, let position, let reason):
      return
        "feature \(feature), polygon \(polygon), ring \(ring), position \(position): \(reason); "
        + "positions are [longitude, latitude] with longitude in -180...180 and latitude in -90...90"
    case .missingID(let feature, let property):
      return
        "feature \(feature): properties have no '\(property)'; every region needs a unique id there"
    case .invalidID(let feature, let property, let reason):
      return
        "feature \(feature): property '\(property)' \(reason); use a non-empty string or a number"
    case .duplicateID(let id, let firstFeature, let secondFeature):
      return
        "features \(firstFeature) and \(secondFeature) both have id '\(id)'; "
        + "region ids must be unique (merge them into one MultiPolygon or rename one)"
    }
  }
}
