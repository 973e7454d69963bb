import Foundation

/// The parent area of each region of a GeoJSON file, from a feature property (`parent_property`): a district's
/// borough, a ward's district. It gives `privacy.small_groups: roll_up` one level to go up for region schemes.
public struct RegionParents: Sendable {
  /// The parents' labels (the property's values), in order of first appearance.
  public let labels: [String]
  /// Per region (in file order, as `RegionIndex` numbers them): the index of its parent in `labels`, or -1.
  let parentOf: [Int32]

  /// Reads the property of every feature; a feature without it (or with null) has no parent.
  /// - Throws: `RegionFileError` when the file is not a GeoJSON FeatureCollection.
  public init(geoJSON: [UInt8], property: String) throws(RegionFileError) {
    guard let root = try? JSONSerialization.jsonObject(with: Data(geoJSON)) as? [String: Any],
      let features = root["features"] as? [Any]
    else { throw .notAFeatureCollection(reason: "expected an object with a features list") }
    var labels: [String] = []
    var positions: [String: Int32] = [:]
    var parentOf: [Int32] = []
    for feature in features {
      let properties = (feature as? [String: Any])?["properties"] as? [String: Any]
      let text: String?
      switch properties?[property] {
      case let s as String where !s.isEmpty: text = s
      case let n as NSNumber: text = n.stringValue
      default: text = nil
      }
      guard let text else {
        parentOf.append(-1)
        continue
      }
      if positions[text] == nil {
        positions[text] = Int32(labels.count)
        labels.append(text)
      }
      parentOf.append(positions[text]!)
    }
    self.labels = labels
    self.parentOf = parentOf
  }

  /// The parent index of region `region`, or nil.
  func parent(of region: Int) -> Int? {
    region < parentOf.count && parentOf[region] >= 0 ? Int(parentOf[region]) : nil
  }
}
