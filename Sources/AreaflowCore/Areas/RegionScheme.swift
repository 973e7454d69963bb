/// Administrative regions from a GeoJSON file: a point falls in every region whose polygon contains it (holes
/// excluded), possibly none. The key is the region's index in the file; the label its `id_property` value.
public struct RegionScheme: AreaScheme {
  public let name: String
  public let index: RegionIndex

  public init(name: String, index: RegionIndex) {
    self.name = name
    self.index = index
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
