/// Turns closed rows from all shards into one sorted `SnapshotTable` per (window name, area scheme): the columns of
/// SPEC section 4 in order, rows sorted by window start, area label and dimension labels.
///
/// Sorting uses integer ranks (area keys whose order is their labels' order, and the rank of each dimension
/// combination's labels) so no string is compared or built per comparison.
public struct RowAssembler: Sendable {
  public let windows: [WindowSpec]
  public let schemes: [any AreaScheme]
  public let dimensions: [String]
  public let features: [FeatureSpec]
  /// `privacy`: tables end with the `disclosure` and `area_level` columns (SPEC section 8).
  public let marksDisclosure: Bool

  public init(config: PipelineConfig, schemes: [any AreaScheme]) {
    windows = config.windows
    self.schemes = schemes
    dimensions = config.input.dimensions
    features = config.features
    marksDisclosure = config.privacy?.contributorField != nil
  }

  /// One table per (window index, scheme index) that has rows, in window then scheme order.
  public func tables(_ rows: ClosedRows, labels: [UInt64: [String?]]) -> [(
    window: Int, scheme: Int, table: SnapshotTable
  )] {
    plan(rows, labels: labels).map { part in
      (part.window, part.scheme, table(rows, part.order, window: part.window, scheme: part.scheme, labels: labels))
    }
  }

  /// The sort behind `tables`: per (window index, scheme index) with rows, in window then scheme order, the row
  /// indices of its table in output order. Each table can then be built on its own (the sink builds them in
  /// parallel).
  public func plan(_ rows: ClosedRows, labels: [UInt64: [String?]]) -> [(
    window: Int, scheme: Int, order: ArraySlice<Int>
  )] {
    guard !rows.isEmpty else { return [] }
    // Each row's dimension combination as a dense index: one hash lookup per row, the rest by array.
    var dimensionIndex: [UInt64: Int32] = [:]
    var present: [UInt64] = []
    var rowDimensions = [Int32](repeating: 0, count: rows.count)
    if !dimensions.isEmpty {
      for (i, key) in rows.keys.enumerated() {
        let d = key.dimensions
        if let known = dimensionIndex[d] {
          rowDimensions[i] = known
        } else {
          dimensionIndex[d] = Int32(present.count)
          rowDimensions[i] = Int32(present.count)
          present.append(d)
        }
      }
    }
    // Rank of every dimension combination by its labels (nil sorts before "").
    var dimensionRank = [Int32](repeating: 0, count: present.count)
    let byLabels = present.indices.sorted { a, b in
      let x = labels[present[a]] ?? []
      let y = labels[present[b]] ?? []
      for (p, q) in zip(x, y) where p != q {
        guard let p else { return true }
        guard let q else { return false }
        return p < q
      }
      return false
    }
    for (rank, index) in byLabels.enumerated() { dimensionRank[index] = Int32(rank) }
    // Areas whose labels do not sort like their keys (region ids) get a rank by label.
    var areaRank: [Int: [UInt64: Int]] = [:]
    for (s, scheme) in schemes.enumerated() where !scheme.labelsSortLikeKeys {
      let present = Set(rows.keys.filter { $0.scheme == Int32(s) }.map(\.area))
      let ordered = present.map { ($0, scheme.label(of: $0)) }.sorted { $0.1 < $1.1 }
      areaRank[s] = Dictionary(uniqueKeysWithValues: ordered.enumerated().map { ($1.0, $0) })
    }
    // Rolled-up parents (privacy) come after the areas of their window, level by level.
    struct SortKey: Comparable {
      var window: Int32, scheme: Int32, index: Int64, level: UInt8, area: UInt64, dims: Int32
      static func < (a: SortKey, b: SortKey) -> Bool {
        (a.window, a.scheme, a.index, a.level, a.area, a.dims) < (b.window, b.scheme, b.index, b.level, b.area, b.dims)
      }
    }
    let sortKeys = rows.keys.indices.map { i in
      let k = rows.keys[i]
      let level = rows.levels.isEmpty ? 0 : rows.levels[i]
      return SortKey(
        window: k.window, scheme: k.scheme, index: k.index, level: level,
        area: level == 0 ? areaRank[Int(k.scheme)].map { UInt64($0[k.area]!) } ?? k.area : k.area,
        dims: dimensions.isEmpty ? 0 : dimensionRank[Int(rowDimensions[i])])
    }
    let order = sortKeys.indices.sorted { sortKeys[$0] < sortKeys[$1] }
    var result: [(Int, Int, ArraySlice<Int>)] = []
    var start = 0
    while start < order.count {
      let first = rows.keys[order[start]]
      var end = start
      while end < order.count, rows.keys[order[end]].window == first.window,
        rows.keys[order[end]].scheme == first.scheme
      {
        end += 1
      }
      let w = Int(first.window)
      let s = Int(first.scheme)
      result.append((w, s, order[start..<end]))
      start = end
    }
    return result
  }

  /// One table of a `plan`: its columns in SPEC order, rows in `order`.
  public func table(
    _ rows: ClosedRows, _ order: ArraySlice<Int>, window: Int, scheme: Int, labels: [UInt64: [String?]]
  ) -> SnapshotTable {
    let spec = windows[window]
    let areaScheme = schemes[scheme]
    let n = order.count
    let nanosPerMilli: Int64 = 1_000_000
    var columns: [SnapshotTable.Column] = [
      .string(name: "window", values: Array(repeating: spec.name, count: n)),
      .timestamp(name: "window_start", millis: order.map { rows.keys[$0].index &* spec.every / nanosPerMilli }),
      .timestamp(
        name: "window_end", millis: order.map { (rows.keys[$0].index &* spec.every &+ spec.size) / nanosPerMilli }),
      .string(name: "area_scheme", values: Array(repeating: areaScheme.name, count: n)),
      .string(
        name: "area",
        values: order.map { i in
          let level = rows.levels.isEmpty ? 0 : Int(rows.levels[i])
          return level == 0
            ? areaScheme.label(of: rows.keys[i].area) : areaScheme.ancestorLabel(of: rows.keys[i].area, level: level)
        }),
    ]
    for (d, name) in dimensions.enumerated() {
      columns.append(.string(name: name, values: order.map { labels[rows.keys[$0].dimensions]?[d] ?? nil }))
    }
    for (f, feature) in features.enumerated() {
      switch rows.columns[f] {
      case .integers(let a): columns.append(.int64(name: feature.name, values: order.map { a[$0] }))
      case .doubles(let a): columns.append(.double(name: feature.name, values: order.map { a[$0] }))
      }
    }
    if marksDisclosure {
      columns.append(
        .string(
          name: "disclosure",
          values: order.map { i in
            rows.suppressed[i] ? "suppressed" : rows.levels[i] > 0 ? "rolled_up" : "published"
          }))
      columns.append(.int64(name: "area_level", values: order.map { Int64(rows.levels[$0]) }))
    }
    return SnapshotTable(columns: columns, rowCount: n)
  }
}
