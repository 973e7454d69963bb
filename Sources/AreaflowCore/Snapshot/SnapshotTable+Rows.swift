/// Row ranges of a table: the HTTP views cut committed tables into one piece per window instance and join the
/// pieces of a window that several commits wrote.
extension SnapshotTable {
  /// The rows in `range`, every column sliced.
  public func rows(_ range: Range<Int>) -> SnapshotTable {
    SnapshotTable(
      columns: columns.map { column in
        switch column {
        case .string(let n, let v): .string(name: n, values: Array(v[range]))
        case .timestamp(let n, let v): .timestamp(name: n, millis: Array(v[range]))
        case .int64(let n, let v): .int64(name: n, values: Array(v[range]))
        case .double(let n, let v): .double(name: n, values: Array(v[range]))
        }
      }, rowCount: range.count)
  }

  /// This table's rows followed by `other`'s (same columns).
  public func appending(_ other: SnapshotTable) -> SnapshotTable {
    SnapshotTable(
      columns: zip(columns, other.columns).map { a, b in
        switch (a, b) {
        case (.string(let n, let x), .string(_, let y)): .string(name: n, values: x + y)
        case (.timestamp(let n, let x), .timestamp(_, let y)): .timestamp(name: n, millis: x + y)
        case (.int64(let n, let x), .int64(_, let y)): .int64(name: n, values: x + y)
        case (.double(let n, let x), .double(_, let y)): .double(name: n, values: x + y)
        default: a
        }
      }, rowCount: rowCount + other.rowCount)
  }
}
