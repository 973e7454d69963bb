/// One window instance's rows as the HTTP API serves them: immutable, so handlers read them while the pipeline
/// goes on. Final views hold exactly the rows committed to the snapshot files; an open view holds the partial values
/// of a window still open at the last flush.
public struct WindowView: Sendable {
  /// Index of the window spec in the config.
  public let window: Int
  public let name: String
  /// Window start and end, milliseconds since the epoch.
  public let start: Int64
  public let end: Int64
  public let isFinal: Bool
  /// Per area scheme index, the rows of this window instance (the snapshot columns).
  public let tables: [Int: SnapshotTable]

  public init(window: Int, name: String, start: Int64, end: Int64, isFinal: Bool, tables: [Int: SnapshotTable]) {
    self.window = window
    self.name = name
    self.start = start
    self.end = end
    self.isFinal = isFinal
    self.tables = tables
  }

  /// Rows per scheme index.
  public var rowCounts: [Int: Int] { tables.mapValues(\.rowCount) }

  /// Splits assembled snapshot tables (sorted by window, scheme, window start) into one view per window instance.
  public static func split(
    _ tables: [(window: Int, scheme: Int, table: SnapshotTable)], windows: [WindowSpec], isFinal: Bool
  ) -> [WindowView] {
    var parts: [WindowKey: [Int: SnapshotTable]] = [:]
    for (w, s, table) in tables {
      guard case .timestamp(_, let starts)? = table.columns.first(where: { $0.name == "window_start" }) else {
        continue
      }
      var runStart = 0
      while runStart < table.rowCount {
        var runEnd = runStart + 1
        while runEnd < table.rowCount, starts[runEnd] == starts[runStart] { runEnd += 1 }
        let key = WindowKey(window: w, start: starts[runStart])
        let slice = table.rows(runStart..<runEnd)
        if let existing = parts[key]?[s] {
          parts[key]![s] = existing.appending(slice)
        } else {
          parts[key, default: [:]][s] = slice
        }
        runStart = runEnd
      }
    }
    return parts.map { key, tables in
      let spec = windows[key.window]
      return WindowView(
        window: key.window, name: spec.name, start: key.start, end: key.start + spec.size / 1_000_000,
        isFinal: isFinal, tables: tables)
    }.sorted { ($0.window, $0.start) < ($1.window, $1.start) }
  }

  struct WindowKey: Hashable {
    var window: Int
    var start: Int64
  }
}
