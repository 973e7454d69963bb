/// The Kafka messages of final rows (SPEC section 9, `output.kafka`), and the record file that carries them from a
/// commit to their publication.
///
/// - The key is the row's identity as deterministic text: the JSON array `[window, window_start, area_scheme, area,
///   dimension values…]`, so a republished row has the same key and a compacted topic keeps one message per row.
/// - The value is the row's NDJSON snapshot line without its line end: the same columns and value formatting.
///
/// A record file holds one message per line, `KEY TAB VALUE`: neither contains a raw tab or line end, since both
/// are JSON text.
public struct KafkaRecordEncoder: Sendable {
  /// The columns of the key, in key order.
  public let keyColumns: [String]

  /// - Parameter dimensions: the config's `input.dimensions`, in column order.
  public init(dimensions: [String]) {
    keyColumns = ["window", "window_start", "area_scheme", "area"] + dimensions
  }

  /// Appends every row of `table` to a record file's bytes.
  public func append(_ table: SnapshotTable, to w: inout TextWriter) {
    let keys = NDJSONSnapshotEncoder.keys(of: table)
    let keyIndices = keyColumns.compactMap { name in table.columns.firstIndex { $0.name == name } }
    for row in 0..<table.rowCount {
      w.write(byte: 91)
      for (i, c) in keyIndices.enumerated() {
        if i > 0 { w.write(byte: 44) }
        NDJSONSnapshotEncoder.write(table.columns[c], row: row, to: &w)
      }
      w.write(byte: 93)
      w.write(byte: 9)
      NDJSONSnapshotEncoder.write(row: row, of: table, keys: keys, to: &w)
      w.write(byte: 10)
    }
  }

  /// The messages of a record file, as (key, value) byte slices, in file order.
  public static func messages(in bytes: [UInt8]) -> [(key: ArraySlice<UInt8>, value: ArraySlice<UInt8>)] {
    var result: [(key: ArraySlice<UInt8>, value: ArraySlice<UInt8>)] = []
    var start = bytes.startIndex
    while start < bytes.endIndex {
      let end = bytes[start...].firstIndex(of: 10) ?? bytes.endIndex
      if let tab = bytes[start..<end].firstIndex(of: 9) {
        result.append((bytes[start..<tab], bytes[(tab + 1)..<end]))
      }
      start = end + 1
    }
    return result
  }
}
