/// CSV snapshots: a header row, RFC 4180 quoting, times as RFC 3339 UTC, nulls empty.
public struct CSVSnapshotEncoder: SnapshotEncoder {
  public let fileExtension = "csv"
  public init() {}

  public func encode(_ table: SnapshotTable) throws -> [UInt8] {
    var w = TextWriter()
    w.bytes.reserveCapacity(table.rowCount * 96 + 256)
    for (c, column) in table.columns.enumerated() {
      if c > 0 { w.write(byte: 44) }
      w.write(csvField: column.name)
    }
    w.write(byte: 10)
    for row in 0..<table.rowCount {
      for (c, column) in table.columns.enumerated() {
        if c > 0 { w.write(byte: 44) }
        switch column {
        case .string(_, let values): if let v = values[row] { w.write(csvField: v) }
        case .timestamp(_, let millis): w.write(CivilDate.rfc3339(millis: millis[row]))
        case .int64(_, let values): if let v = values[row] { w.write(String(v)) }
        case .double(_, let values): if let v = values[row] { w.write(double: v) }
        }
      }
      w.write(byte: 10)
    }
    return w.bytes
  }
}
