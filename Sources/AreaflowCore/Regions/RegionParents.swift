/// The parent area of each region of a GeoJSON file, from a feature property (`parent_property`): a district's
/// borough, a ward's district. It gives `privacy.small_groups: roll_up` one level to go up for region schemes.
public struct RegionParents: Sendable {
  /// The parents' labels (the property's values), in order of first appearance.
  public let labels: [String]
  /// Per region (in file order, as `RegionIndex` numbers them): the index of its parent in `labels`, or -1.
  let parentOf: [Int32]

  /// - Parameter parents: per region in file order, its parent's name, or nil for none.
  init(parents: [String?]) {
    var labels: [String] = []
    var positions: [String: Int32] = [:]
    parentOf = parents.map { name in
      guard let name else { return -1 }
      if let known = positions[name] { return known }
      positions[name] = Int32(labels.count)
      labels.append(name)
      return Int32(labels.count - 1)
    }
    self.labels = labels
  }

  /// The parent index of region `region`, or nil.
  func parent(of region: Int) -> Int? {
    region < parentOf.count && parentOf[region] >= 0 ? Int(parentOf[region]) : nil
  }
}
