/// Turns closed rows from all shards into one sorted `SnapshotTable` per (window name, area scheme): the columns of
/// SPEC section 4 in order.
public struct RowAssembler: Sendable {
  public let windows: [WindowSpec]
  public let schemes: [any AreaScheme]
  public let dimensions: [String]
  public let features: [FeatureSpec]

  public init(config: PipelineConfig, schemes: [any AreaScheme]) {
    windows = config.windows
    self.schemes = schemes
    dimensions = config.input.dimensions
    features = config.features
  }

  /// One table per (window index, scheme index) that has rows, rows sorted by window start, area, dimensions.
  public func tables(_ rows: [ClosedRow], labels: [UInt64: [String?]]) -> [(window: Int, scheme: Int, table: SnapshotTable)] {
    var groups: [Int: [ClosedRow]] = [:]
    for row in rows { groups[Int(row.key.window) << 8 | Int(row.key.scheme), default: []].append(row) }
    return groups.keys.sorted().map { g in
      let w = g >> 8
      let s = g & 0xFF
      return (w, s, table(groups[g]!, window: w, scheme: s, labels: labels))
    }
  }

  func table(_ rows: [ClosedRow], window: Int, scheme: Int, labels: [UInt64: [String?]]) -> SnapshotTable {
    let spec = windows[window]
    let areaScheme = schemes[scheme]
    struct Keyed {
      var row: ClosedRow
      var area: String
      var dims: [String?]
    }
    let emptyDims = [String?](repeating: nil, count: dimensions.count)
    var keyed = rows.map {
      Keyed(
        row: $0, area: areaScheme.label(of: $0.key.area),
        dims: dimensions.isEmpty ? [] : labels[$0.key.dimensions] ?? emptyDims)
    }
    keyed.sort { a, b in
      if a.row.key.index != b.row.key.index { return a.row.key.index < b.row.key.index }
      if a.area != b.area { return a.area < b.area }
      for (x, y) in zip(a.dims, b.dims) where x != y {
        let xs = x ?? ""
        let ys = y ?? ""
        return xs != ys ? xs < ys : x == nil
      }
      return false
    }
    let n = keyed.count
    let nanosPerMilli: Int64 = 1_000_000
    var columns: [SnapshotTable.Column] = [
      .string(name: "window", values: Array(repeating: spec.name, count: n)),
      .timestamp(name: "window_start", millis: keyed.map { $0.row.key.index &* spec.every / nanosPerMilli }),
      .timestamp(name: "window_end", millis: keyed.map { ($0.row.key.index &* spec.every &+ spec.size) / nanosPerMilli }),
      .string(name: "area_scheme", values: Array(repeating: areaScheme.name, count: n)),
      .string(name: "area", values: keyed.map { $0.area }),
    ]
    for (d, name) in dimensions.enumerated() {
      columns.append(.string(name: name, values: keyed.map { $0.dims[d] }))
    }
    for (f, feature) in features.enumerated() {
      if feature.kind.isInteger {
        columns.append(.int64(name: feature.name, values: keyed.map {
          if case .integer(let v) = $0.row.values[f] { return v }
          return nil
        }))
      } else {
        columns.append(.double(name: feature.name, values: keyed.map {
          if case .double(let v) = $0.row.values[f] { return v }
          return nil
        }))
      }
    }
    return SnapshotTable(columns: columns, rowCount: n)
  }
}
