/// CSV snapshots: a header row, RFC 4180 quoting, times as RFC 3339 UTC, nulls empty.
public struct CSVSnapshotEncoder: SnapshotEncoder {
  public let fileExtension = "csv"
  public init() {}

  public func encode(_ table: SnapshotTable) throws -> [UInt8] {
    // Render column by column (one type switch per column, not per cell), then interleave the cells row by row.
    let cells = table.columns.map { RenderedColumn($0, rows: table.rowCount) }
    let header = ByteBuffer(capacity: 256)
    for (c, column) in table.columns.enumerated() {
      if c > 0 { header.append(44) }
      header.write(csvField: column.name)
    }
    header.append(10)
    guard !cells.isEmpty else { return header.bytes }
    // Exact size: the header, then every cell with a separator or newline after it.
    let body = cells.reduce(0) { $0 + $1.text.count } + table.rowCount * cells.count
    // The cells' pointers gathered first, so the loop over every cell touches no reference counts.
    let texts = cells.map { UnsafePointer($0.text.base) }
    let ends = cells.map { UnsafePointer($0.ends) }
    return withExtendedLifetime(cells) {
      [UInt8](unsafeUninitializedCapacity: header.count + body) { o, initialized in
        let out = o.baseAddress!
        out.update(from: header.base, count: header.count)
        var at = header.count
        let last = cells.count - 1
        texts.withUnsafeBufferPointer { texts in
          ends.withUnsafeBufferPointer { ends in
            for row in 0..<table.rowCount {
              for c in 0...last {
                let start = row == 0 ? 0 : Int(ends[c][row - 1])
                let length = Int(ends[c][row]) - start
                (out + at).update(from: texts[c] + start, count: length)
                at += length
                out[at] = c == last ? 10 : 44
                at += 1
              }
            }
          }
        }
        initialized = at
      }
    }
  }
}

/// One column's cells as CSV text, back to back, with the end offset of each cell.
///
/// A class owning raw memory, so the interleaving loop can read every column through plain pointers.
final class RenderedColumn {
  let text: ByteBuffer
  /// The end offset in `text` of each row's cell.
  let ends: UnsafeMutablePointer<Int32>

  init(_ column: SnapshotTable.Column, rows: Int) {
    let ends = UnsafeMutablePointer<Int32>.allocate(capacity: max(rows, 1))
    let w = ByteBuffer(capacity: rows * 8)
    switch column {
    case .string(_, let values):
      for (row, v) in values.enumerated() {
        if let v { w.write(csvField: v) }
        ends[row] = Int32(w.count)
      }
    case .timestamp(_, let millis):
      var last = Int64.min
      var lastText = ""
      for (row, m) in millis.enumerated() {
        // Rows are sorted by window start, so the same instant repeats: format it once.
        if m != last {
          last = m
          lastText = CivilDate.rfc3339(millis: m)
        }
        w.write(lastText)
        ends[row] = Int32(w.count)
      }
    case .int64(_, let values):
      for (row, v) in values.enumerated() {
        if let v { w.write(integer: v) }
        ends[row] = Int32(w.count)
      }
    case .double(_, let values):
      for (row, v) in values.enumerated() {
        if let v { w.write(double: v) }
        ends[row] = Int32(w.count)
      }
    }
    text = w
    self.ends = ends
  }

  deinit { ends.deallocate() }
}
