/// NDJSON snapshots: one object per row with keys in column order; nulls (and non-finite numbers, which JSON
/// cannot hold) are `null`.
public struct NDJSONSnapshotEncoder: SnapshotEncoder {
  public let fileExtension = "ndjson"
  public init() {}

  public func encode(_ table: SnapshotTable) throws -> [UInt8] {
    var w = TextWriter()
    w.bytes.reserveCapacity(table.rowCount * 192 + 64)
    let keys = Self.keys(of: table)
    for row in 0..<table.rowCount {
      Self.write(row: row, of: table, keys: keys, to: &w)
      w.write(byte: 10)
    }
    return w.bytes
  }

  /// Each column's `"name":`, encoded once per table.
  static func keys(of table: SnapshotTable) -> [[UInt8]] {
    table.columns.map { column -> [UInt8] in
      var k = TextWriter()
      k.write(jsonString: column.name)
      k.write(byte: 58)
      return k.bytes
    }
  }

  /// One row as a JSON object, without a line end: the NDJSON line, and the value of a Kafka message.
  static func write(row: Int, of table: SnapshotTable, keys: [[UInt8]], to w: inout TextWriter) {
    w.write(byte: 123)
    for (c, column) in table.columns.enumerated() {
      if c > 0 { w.write(byte: 44) }
      w.bytes.append(contentsOf: keys[c])
      write(column, row: row, to: &w)
    }
    w.write(byte: 125)
  }

  /// One cell as a JSON value.
  static func write(_ column: SnapshotTable.Column, row: Int, to w: inout TextWriter) {
    switch column {
    case .string(_, let values):
      if let v = values[row] { w.write(jsonString: v) } else { w.write("null") }
    case .timestamp(_, let millis):
      w.write(byte: 34)
      w.write(CivilDate.rfc3339(millis: millis[row]))
      w.write(byte: 34)
    case .int64(_, let values):
      if let v = values[row] { w.write(String(v)) } else { w.write("null") }
    case .double(_, let values):
      if let v = values[row], v.isFinite { w.write(double: v) } else { w.write("null") }
    }
  }
}
