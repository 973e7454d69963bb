import AreaflowH3

/// H3 cells of one resolution (0–15). The key is the cell index itself; the label its lowercase hex form.
public struct H3Scheme: AreaScheme {
  public let name: String
  public let resolution: Int

  public init(name: String, resolution: Int) {
    precondition((0...15).contains(resolution), "H3 resolution must be 0...15")
    self.name = name
    self.resolution = resolution
  }

  public func assign(lat: Double, lon: Double, into keys: inout [UInt64]) -> Int {
    let cell = H3.latLngToCell(lat: lat, lng: lon, resolution: resolution)
    guard cell != 0 else { return 0 }
    keys.append(cell)
    return 1
  }

  /// One loop for a batch's points, with one cell cache: most points of a batch lie in a cell another point of it
  /// already found.
  public func assign(lats: [Double], lons: [Double], into column: inout AreaColumn) -> Int {
    var cache = H3CellCache()
    let n = lats.count
    let base = column.keys.count
    let startsBase = column.starts.count
    // Written through buffers (as `GeohashScheme` does), then trimmed by the points without a cell.
    column.keys.append(contentsOf: repeatElement(0, count: n))
    column.starts.append(contentsOf: repeatElement(0, count: n))
    var found = 0
    lats.withUnsafeBufferPointer { la in
      lons.withUnsafeBufferPointer { lo in
        column.keys.withUnsafeMutableBufferPointer { keys in
          column.starts.withUnsafeMutableBufferPointer { starts in
            for i in 0..<n {
              let cell = H3.latLngToCell(lat: la[i], lng: lo[i], resolution: resolution, cache: &cache)
              if cell != 0 {
                keys[base + found] = cell
                found += 1
              }
              starts[startsBase + i] = Int32(base + found)
            }
          }
        }
      }
    }
    column.keys.removeLast(n - found)
    return n - found
  }

  public func label(of key: UInt64) -> String { H3.cellToString(key) }

  public func ancestor(of key: UInt64, levels: Int) -> UInt64? {
    resolution - levels >= 0 ? H3.cellToParent(key, resolution: resolution - levels) : nil
  }

  /// A parent cell's index names its resolution, so its label is its hex form like any cell's.
  public func ancestorLabel(of key: UInt64, level: Int) -> String { H3.cellToString(key) }

  /// A coarser cell's boundary, from its index like any cell's.
  public func ancestorPolygons(label: String) -> [[[(lon: Double, lat: Double)]]]? {
    guard let cell = H3.stringToCell(label.lowercased()), H3.isValidCell(cell), H3.getResolution(cell) < resolution
    else { return nil }
    return [outline(of: cell)]
  }

  public var kind: String { "h3" }

  public func key(of label: String) -> UInt64? {
    guard let cell = H3.stringToCell(label.lowercased()), H3.isValidCell(cell), H3.getResolution(cell) == resolution
    else { return nil }
    return cell
  }

  /// Cells of one resolution print as 15 hex digits, so integer order is label order.
  public var labelsSortLikeKeys: Bool { true }

  public func outline(of key: UInt64) -> [[(lon: Double, lat: Double)]] {
    var ring = H3.cellToBoundary(key).map { (lon: $0.lng, lat: $0.lat) }
    if let first = ring.first { ring.append(first) }
    return [ring]
  }
}
