/// What `areaflow inspect` reports about a snapshot directory, computed from its tables and `_summary.json`.
public struct SnapshotInspection: Sendable {
  public struct WindowInfo: Sendable, Equatable {
    public var name: String
    public var windows: Int
    public var firstStart: Int64
    public var lastEnd: Int64
    public var rows: Int
  }
  public struct SchemeInfo: Sendable, Equatable {
    public var name: String
    public var areas: Int
    public var rows: Int
  }
  public struct TopArea: Sendable, Equatable {
    public var scheme: String
    public var area: String
    public var value: Double
    public var rows: Int
  }

  public var files: [(path: String, rows: Int)] = []
  public var rows = 0
  public var windows: [WindowInfo] = []
  public var schemes: [SchemeInfo] = []
  public var features: [String] = []
  /// The feature ranked by `--top`, how it is combined across rows, and the top areas.
  public var topFeature: String?
  public var topMethod = ""
  public var top: [TopArea] = []

  public init() {}

  /// Builds the report. `topFeature`: rank areas by it (integer features by their total, others by their mean
  /// over the area's rows).
  public static func make(files: [(path: String, table: SnapshotTable)], topFeature: String?) throws
    -> SnapshotInspection
  {
    var r = SnapshotInspection()
    var windowStarts: [String: Set<Int64>] = [:]
    var windowRange: [String: (Int64, Int64, Int)] = [:]
    var schemeAreas: [String: Set<String>] = [:]
    var schemeRows: [String: Int] = [:]
    var totals: [String: (scheme: String, area: String, sum: Double, n: Int)] = [:]
    var topIsInteger = false
    let fixed: Set<String> = ["window", "window_start", "window_end", "area_scheme", "area"]
    for (path, table) in files {
      r.files.append((path, table.rowCount))
      r.rows += table.rowCount
      var byName: [String: SnapshotTable.Column] = [:]
      for c in table.columns { byName[c.name] = c }
      for c in table.columns where !fixed.contains(c.name) && !r.features.contains(c.name) {
        if case .string = c { continue }
        r.features.append(c.name)
      }
      guard case .string(_, let windows)? = byName["window"], case .timestamp(_, let starts)? = byName["window_start"],
        case .timestamp(_, let ends)? = byName["window_end"], case .string(_, let schemes)? = byName["area_scheme"],
        case .string(_, let areas)? = byName["area"]
      else {
        throw SnapshotFileDecoder.DecodeError(
          description: "\(path): missing the window, window_start, window_end, area_scheme or area column")
      }
      var topValues: [Double?]? = nil
      if let f = topFeature {
        switch byName[f] {
        case .int64(_, let v)?:
          topValues = v.map { $0.map(Double.init) }
          topIsInteger = true
        case .double(_, let v)?: topValues = v
        default: topValues = nil
        }
      }
      for i in 0..<table.rowCount {
        let w = windows[i] ?? ""
        windowStarts[w, default: []].insert(starts[i])
        let range = windowRange[w] ?? (Int64.max, Int64.min, 0)
        windowRange[w] = (min(range.0, starts[i]), max(range.1, ends[i]), range.2 + 1)
        let s = schemes[i] ?? ""
        let a = areas[i] ?? ""
        schemeAreas[s, default: []].insert(a)
        schemeRows[s, default: 0] += 1
        if let v = topValues?[i], v.isFinite {
          let key = s + "\u{0}" + a
          let t = totals[key] ?? (s, a, 0, 0)
          totals[key] = (s, a, t.sum + v, t.n + 1)
        }
      }
    }
    if let f = topFeature, !r.features.contains(f) {
      throw SnapshotFileDecoder.DecodeError(
        description:
          "--top \(f): no numeric column of that name; the features are \(r.features.joined(separator: ", "))")
    }
    r.windows = windowRange.keys.sorted().map { w in
      let x = windowRange[w]!
      return WindowInfo(name: w, windows: windowStarts[w]!.count, firstStart: x.0, lastEnd: x.1, rows: x.2)
    }
    r.schemes = schemeAreas.keys.sorted().map {
      SchemeInfo(name: $0, areas: schemeAreas[$0]!.count, rows: schemeRows[$0]!)
    }
    if let f = topFeature {
      r.topFeature = f
      r.topMethod = topIsInteger ? "total" : "mean"
      r.top = totals.values.map { t in
        TopArea(scheme: t.scheme, area: t.area, value: topIsInteger ? t.sum : t.sum / Double(t.n), rows: t.n)
      }
      .sorted { ($0.value, $1.scheme, $1.area) > ($1.value, $0.scheme, $0.area) }
      .prefix(5).map { $0 }
    }
    return r
  }
}
