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
    var lastMillis = [Int64](repeating: Int64.min, count: table.columns.count)
    var lastText = [[UInt8]](repeating: [], count: table.columns.count)
    for row in 0..<table.rowCount {
      for (c, column) in table.columns.enumerated() {
        if c > 0 { w.write(byte: 44) }
        switch column {
        case .string(_, let values): if let v = values[row] { w.write(csvField: v) }
        case .timestamp(_, let millis):
          // Rows are sorted by window start, so the same instant repeats: format it once.
          if millis[row] != lastMillis[c] {
            lastMillis[c] = millis[row]
            lastText[c] = Array(CivilDate.rfc3339(millis: millis[row]).utf8)
          }
          w.bytes.append(contentsOf: lastText[c])
        case .int64(_, let values): if let v = values[row] { w.write(String(v)) }
        case .double(_, let values): if let v = values[row] { w.write(double: v) }
        }
      }
      w.write(byte: 10)
    }
    return w.bytes
  }
}
