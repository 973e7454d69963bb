import Foundation

/// Turns GeoJSON bytes into validated region features.
///
/// This runs once at start-up, so it favours clear error messages over speed and uses
/// Foundation's `JSONSerialization` instead of a hand-written parser. Everything the spatial
/// index relies on (closed rings, at least three distinct corners, finite in-range
/// coordinates, unique ids) is checked here, so the index itself never has to.
struct RegionFileParser {
  /// One validated feature: its id and its polygons, each a list of rings (outer ring first,
  /// then holes), each ring a closed list of positions exactly as written in the file.
  struct Feature {
    var id: String
    var polygons: [[[(lon: Double, lat: Double)]]]
    /// The value of `parentProperty`, when one is asked for and the feature has it.
    var parent: String?
  }

  let idProperty: String
  /// The property naming each region's parent area (`parent_property`), read in the same pass.
  var parentProperty: String?

  /// Parses and validates the whole file.
  func parse(_ data: Data) throws(RegionFileError) -> [Feature] {
    let root: Any
    do {
      root = try JSONSerialization.jsonObject(with: data, options: [])
    } catch {
      throw Self.jsonError(error)
    }
    guard let collection = root as? [String: Any] else {
      throw .notAFeatureCollection(reason: "the top-level value is not an object")
    }
    guard let type = collection["type"] as? String, type == "FeatureCollection" else {
      let found = (collection["type"] as? String).map { "'\($0)'" } ?? "missing"
      throw .notAFeatureCollection(reason: "'type' is \(found)")
    }
    guard let features = collection["features"] as? [Any] else {
      throw .notAFeatureCollection(reason: "'features' is missing or not an array")
    }

    var result: [Feature] = []
    result.reserveCapacity(features.count)
    var firstFeatureWithID: [String: Int] = [:]
    for (index, value) in features.enumerated() {
      let feature = try parseFeature(value, index: index)
      if let first = firstFeatureWithID[feature.id] {
        throw .duplicateID(id: feature.id, firstFeature: first, secondFeature: index)
      }
      firstFeatureWithID[feature.id] = index
      result.append(feature)
    }
    return result
  }

  private func parseFeature(_ value: Any, index: Int) throws(RegionFileError) -> Feature {
    guard let object = value as? [String: Any] else {
      throw .malformedFeature(feature: index, reason: "it is not an object")
    }
    if let type = object["type"] as? String, type != "Feature" {
      throw .malformedFeature(feature: index, reason: "its 'type' is '\(type)', not 'Feature'")
    }
    // Validate geometry before the id so a feature missing both reports the more basic problem.
    guard let geometryValue = object["geometry"], !(geometryValue is NSNull) else {
      throw .missingGeometry(feature: index)
    }
    guard let geometry = geometryValue as? [String: Any] else {
      throw .malformedGeometry(feature: index, reason: "'geometry' is not an object")
    }
    guard let type = geometry["type"] as? String else {
      throw .malformedGeometry(feature: index, reason: "geometry has no 'type'")
    }
    let polygons: [[[(lon: Double, lat: Double)]]]
    switch type {
    case "Polygon":
      guard let rings = geometry["coordinates"] as? [Any] else {
        throw .malformedGeometry(
          feature: index, reason: "Polygon 'coordinates' must be an array of rings")
      }
      polygons = [try parsePolygon(rings, feature: index, polygon: 0)]
    case "MultiPolygon":
      guard let parts = geometry["coordinates"] as? [Any] else {
        throw .malformedGeometry(
          feature: index, reason: "MultiPolygon 'coordinates' must be an array of polygons")
      }
      guard !parts.isEmpty else {
        throw .malformedGeometry(feature: index, reason: "MultiPolygon has no polygons")
      }
      var parsed: [[[(lon: Double, lat: Double)]]] = []
      for (polygonIndex, part) in parts.enumerated() {
        guard let rings = part as? [Any] else {
          throw .malformedGeometry(
            feature: index, reason: "MultiPolygon polygon \(polygonIndex) must be an array of rings"
          )
        }
        parsed.append(try parsePolygon(rings, feature: index, polygon: polygonIndex))
      }
      polygons = parsed
    default:
      throw .unsupportedGeometry(feature: index, type: type)
    }
    let id = try parseID(object["properties"], feature: index)
    return Feature(id: id, polygons: polygons, parent: parentProperty.flatMap { parent(object["properties"], $0) })
  }

  /// A parent's name: a non-empty string or a number, as ids are; anything else means no parent.
  private func parent(_ properties: Any?, _ property: String) -> String? {
    switch (properties as? [String: Any])?[property] {
    case let s as String where !s.isEmpty: s
    case let n as NSNumber where !Self.isBoolean(n): Self.render(n)
    default: nil
    }
  }

  private func parseID(_ properties: Any?, feature: Int) throws(RegionFileError) -> String {
    guard let properties = properties as? [String: Any],
      let value = properties[idProperty], !(value is NSNull)
    else {
      throw .missingID(feature: feature, property: idProperty)
    }
    if let string = value as? String {
      guard !string.isEmpty else {
        throw .invalidID(feature: feature, property: idProperty, reason: "is an empty string")
      }
      return string
    }
    if let number = value as? NSNumber, !Self.isBoolean(number) {
      return Self.render(number)
    }
    throw .invalidID(
      feature: feature, property: idProperty, reason: "is neither a string nor a number")
  }

  private func parsePolygon(
    _ rings: [Any], feature: Int, polygon: Int
  ) throws(RegionFileError) -> [[(lon: Double, lat: Double)]] {
    guard !rings.isEmpty else {
      throw .malformedGeometry(feature: feature, reason: "polygon \(polygon) has no rings")
    }
    var result: [[(lon: Double, lat: Double)]] = []
    result.reserveCapacity(rings.count)
    for (ringIndex, ringValue) in rings.enumerated() {
      guard let positions = ringValue as? [Any] else {
        throw .malformedGeometry(
          feature: feature,
          reason: "polygon \(polygon), ring \(ringIndex) must be an array of positions")
      }
      guard positions.count >= 4 else {
        throw .ringTooShort(
          feature: feature, polygon: polygon, ring: ringIndex, positions: positions.count)
      }
      var ring: [(lon: Double, lat: Double)] = []
      ring.reserveCapacity(positions.count)
      for (positionIndex, positionValue) in positions.enumerated() {
        func invalid(_ reason: String) -> RegionFileError {
          .invalidCoordinate(
            feature: feature, polygon: polygon, ring: ringIndex, position: positionIndex,
            reason: reason)
        }
        guard let pair = positionValue as? [Any], pair.count >= 2 else {
          throw invalid("is not an array of at least two numbers")
        }
        guard let lon = Self.double(pair[0]), let lat = Self.double(pair[1]) else {
          throw invalid("longitude or latitude is not a number")
        }
        guard lon.isFinite, lon >= -180, lon <= 180 else {
          throw invalid("longitude \(lon) is out of range")
        }
        guard lat.isFinite, lat >= -90, lat <= 90 else {
          throw invalid("latitude \(lat) is out of range")
        }
        ring.append((lon, lat))
      }
      guard let first = ring.first, let last = ring.last, first == last else {
        throw .ringNotClosed(feature: feature, polygon: polygon, ring: ringIndex)
      }
      guard Self.twiceSignedArea(ring) != 0 else {
        throw .degenerateRing(feature: feature, polygon: polygon, ring: ringIndex)
      }
      result.append(ring)
    }
    return result
  }

  /// Shoelace sum relative to the first position (which keeps cancellation small).
  private static func twiceSignedArea(_ ring: [(lon: Double, lat: Double)]) -> Double {
    let origin = ring[0]
    var sum = 0.0
    for i in 1..<(ring.count - 1) {
      let a = ring[i]
      let b = ring[i + 1]
      sum +=
        (a.lon - origin.lon) * (b.lat - origin.lat) - (b.lon - origin.lon) * (a.lat - origin.lat)
    }
    return sum
  }

  private static func double(_ value: Any) -> Double? {
    guard let number = value as? NSNumber, !isBoolean(number) else { return nil }
    return number.doubleValue
  }

  /// `JSONSerialization` hands out JSON `true`/`false` as `NSNumber`s whose type encoding is
  /// `c` (char); without this check `true` would pass as the number 1.
  private static func isBoolean(_ number: NSNumber) -> Bool {
    number.objCType.pointee == CChar(UInt8(ascii: "c"))
  }

  /// Renders numeric ids the way people write them: `7`, not `7.0`.
  private static func render(_ number: NSNumber) -> String {
    let value = number.doubleValue
    let encoding = number.objCType.pointee
    let isFloatingPoint =
      encoding == CChar(UInt8(ascii: "d")) || encoding == CChar(UInt8(ascii: "f"))
    if isFloatingPoint {
      if value == value.rounded(), abs(value) < 9_007_199_254_740_992 {
        return String(Int64(value))
      }
      return "\(value)"
    }
    return number.stringValue
  }

  /// Maps a `JSONSerialization` failure to ``RegionFileError/invalidJSON(byteOffset:reason:)``,
  /// fishing the offset out of the message ("… around character 123.") since that is the only
  /// place the Linux implementation reports it.
  private static func jsonError(_ error: any Error) -> RegionFileError {
    let nsError = error as NSError
    let reason =
      (nsError.userInfo["NSDebugDescription"] as? String) ?? nsError.localizedDescription
    var offset: Int?
    if let range = reason.range(of: "around character ") {
      let digits = reason[range.upperBound...].prefix { $0.isNumber }
      offset = Int(digits)
    }
    if offset == nil, let index = nsError.userInfo["NSJSONSerializationErrorIndex"] as? Int {
      offset = index
    }
    return .invalidJSON(byteOffset: offset, reason: reason)
  }
}
