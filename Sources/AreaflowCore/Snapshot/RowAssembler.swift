/// Turns closed rows from all shards into one sorted `SnapshotTable` per (window name, area scheme): the columns of
/// SPEC section 4 in order, rows sorted by window start, area label and dimension labels.
///
/// Sorting uses integer ranks (area keys whose order is their labels' order, and the rank of each dimension
/// combination's labels) so no string is compared or built per comparison. When the ranks fit, each row's sort key
/// and row index are packed into one integer (`PackedRowOrder`), so the sort compares integers only.
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
    let plan = plan(rows, labels: labels)
    return plan.parts.indices.map { i in (plan.parts[i].window, plan.parts[i].scheme, plan.table(i)) }
  }

  /// The sort behind `tables`: per (window index, scheme index) with rows, in window then scheme order, the row
  /// indices of its table in output order. Each table can then be built on its own (the sink builds them in
  /// parallel).
  public func plan(_ rows: ClosedRows, labels: [UInt64: [String?]]) -> RowPlan {
    guard !rows.isEmpty else {
      return RowPlan(assembler: self, rows: rows, labels: labels, rowCombination: [], combinations: [], parts: [])
    }
    // Each row's dimension combination as a dense index: one cheap hash probe per row, the rest by array.
    var rowCombination: [Int32] = []
    var combinations: [UInt64] = []
    if !dimensions.isEmpty {
      var index = DenseKeyIndex()
      rowCombination = rows.keys.map { index.index(of: $0.dimensions) }
      combinations = index.keys
    }
    // Rank of every dimension combination by its labels (nil sorts before "").
    let combinationLabels = combinations.map { labels[$0] ?? [] }
    var dimensionRank = [Int32](repeating: 0, count: combinations.count)
    let byLabels = combinations.indices.sorted { a, b in
      for (p, q) in zip(combinationLabels[a], combinationLabels[b]) where p != q {
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
    let areaOrder: [UInt64]?
    if areaRank.isEmpty {
      areaOrder = nil
    } else {
      areaOrder = rows.keys.indices.map { i in
        let k = rows.keys[i]
        let level = rows.levels.isEmpty ? 0 : rows.levels[i]
        return level == 0 ? areaRank[Int(k.scheme)].map { UInt64($0[k.area]!) } ?? k.area : k.area
      }
    }
    let order =
      PackedRowOrder.sorted(
        rows, windows: windows.count, schemes: schemes.count, areas: areaOrder, combinations: rowCombination,
        dimensionRank: dimensionRank)
      ?? generalOrder(rows, areas: areaOrder, combinations: rowCombination, dimensionRank: dimensionRank)
    var parts: [(window: Int, scheme: Int, order: ArraySlice<Int>)] = []
    var start = 0
    while start < order.count {
      let first = rows.keys[order[start]]
      var end = start
      while end < order.count, rows.keys[order[end]].window == first.window,
        rows.keys[order[end]].scheme == first.scheme
      {
        end += 1
      }
      parts.append((Int(first.window), Int(first.scheme), order[start..<end]))
      start = end
    }
    return RowPlan(
      assembler: self, rows: rows, labels: labels, rowCombination: rowCombination, combinations: combinations,
      parts: parts)
  }

  /// The order by one stable sort on a key per row: the reference for `PackedRowOrder`, and the order of commits
  /// whose ranks do not fit in its integers.
  func generalOrder(_ rows: ClosedRows, areas: [UInt64]?, combinations: [Int32], dimensionRank: [Int32]) -> [Int] {
    // Rolled-up parents (privacy) come after the areas of their window, level by level.
    struct SortKey: Comparable {
      var window: Int32, scheme: Int32, index: Int64, level: UInt8, area: UInt64, dims: Int32
      static func < (a: SortKey, b: SortKey) -> Bool {
        (a.window, a.scheme, a.index, a.level, a.area, a.dims) < (b.window, b.scheme, b.index, b.level, b.area, b.dims)
      }
    }
    let sortKeys = rows.keys.indices.map { i in
      let k = rows.keys[i]
      return SortKey(
        window: k.window, scheme: k.scheme, index: k.index, level: rows.levels.isEmpty ? 0 : rows.levels[i],
        area: areas?[i] ?? k.area, dims: combinations.isEmpty ? 0 : dimensionRank[Int(combinations[i])])
    }
    return sortKeys.indices.sorted { sortKeys[$0] < sortKeys[$1] }
  }

  /// The names of a table's columns, in order.
  public var columnNames: [String] {
    ["window", "window_start", "window_end", "area_scheme", "area"] + dimensions + features.map(\.name)
      + (marksDisclosure ? ["disclosure", "area_level"] : [])
  }

  /// One table of a `plan`: its columns in SPEC order, rows in `order`.
  public func table(
    _ rows: ClosedRows, _ order: ArraySlice<Int>, window: Int, scheme: Int, labels: [UInt64: [String?]]
  ) -> SnapshotTable {
    table(
      rows, order, window: window, scheme: scheme,
      dimensionLabels: dimensions.isEmpty ? { _ in [] } : { labels[rows.keys[$0].dimensions] ?? [] })
  }

  /// `table`, with each row's dimension labels from `dimensionLabels(row)`.
  func table(
    _ rows: ClosedRows, _ order: ArraySlice<Int>, window: Int, scheme: Int, dimensionLabels: (Int) -> [String?]
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
      columns.append(
        .string(
          name: name,
          values: order.map { i in
            let labels = dimensionLabels(i)
            return d < labels.count ? labels[d] : nil
          }))
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
