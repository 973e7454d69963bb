/// Administrative regions from a GeoJSON file: a point falls in every region whose polygon contains it (holes
/// excluded), possibly none. The key is the region's index in the file; the label its `id_property` value.
public struct RegionScheme: AreaScheme {
  public let name: String
  public let index: RegionIndex
  /// `parent_property`: each region's parent area, the one level a roll-up can go up; nil without one.
  public var parents: RegionParents? { index.parents }

  public init(name: String, index: RegionIndex) {
    self.name = name
    self.index = index
  }

  /// A parent area's key is its index among the parents' labels: one level up, and only through `parent_property`.
  public func ancestor(of key: UInt64, levels: Int) -> UInt64? {
    if levels == 0 { return key }
    guard levels == 1, let parents, let parent = parents.parent(of: Int(key)) else { return nil }
    return UInt64(parent)
  }

  public func ancestorLabel(of key: UInt64, level: Int) -> String {
    level == 0 ? label(of: key) : parents?.labels[Int(key)] ?? ""
  }

  /// A parent area is drawn as the polygons of all its regions.
  public func ancestorPolygons(label: String) -> [[[(lon: Double, lat: Double)]]]? {
    guard let parents, let parent = parents.labels.firstIndex(of: label) else { return nil }
    let children = (0..<index.regionCount).filter { parents.parent(of: $0) == parent }
    return children.isEmpty ? nil : children.flatMap { polygons(of: UInt64($0)) }
  }

  public func assign(lat: Double, lon: Double, into keys: inout [UInt64]) -> Int {
    let before = keys.count
    index.regions(containingLat: lat, lon: lon, into: &keys)
    return keys.count - before
  }

  public func label(of key: UInt64) -> String { index.id(of: Int32(truncatingIfNeeded: key)) }

  public var kind: String { "regions" }

  public func key(of label: String) -> UInt64? { index.index(ofID: label).map { UInt64($0) } }

  public func polygons(of key: UInt64) -> [[[(lon: Double, lat: Double)]]] {
    index.boundary(of: Int32(truncatingIfNeeded: key)).map { polygon in
      polygon.map { ring in ring.map { (lon: $0.lon, lat: $0.lat) } }
    }
  }

  public func outline(of key: UInt64) -> [[(lon: Double, lat: Double)]] {
    index.boundary(of: Int32(truncatingIfNeeded: key)).flatMap { polygon in
      polygon.map { ring in ring.map { (lon: $0.lon, lat: $0.lat) } }
    }
  }
}
