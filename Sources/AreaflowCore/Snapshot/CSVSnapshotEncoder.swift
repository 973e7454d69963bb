/// CSV snapshots: a header row, RFC 4180 quoting, times as RFC 3339 UTC, nulls empty.
public struct CSVSnapshotEncoder: SnapshotEncoder {
  public let fileExtension = "csv"
  public init() {}

  public func encode(_ table: SnapshotTable) throws -> [UInt8] {
    // Render column by column (one type switch per column, not per cell), then interleave the cells row by row.
    let cells = table.columns.map { RenderedColumn($0, rows: table.rowCount) }
    var out: [UInt8] = []
    out.reserveCapacity(cells.reduce(0) { $0 + $1.text.count } + table.rowCount * table.columns.count + 256)
    var header = TextWriter()
    for (c, column) in table.columns.enumerated() {
      if c > 0 { header.write(byte: 44) }
      header.write(csvField: column.name)
    }
    out.append(contentsOf: header.bytes)
    out.append(10)
    // Exact size: every cell, a separator or newline after each.
    let body = cells.reduce(0) { $0 + $1.text.count } + table.rowCount * cells.count
    let headerCount = out.count
    out.append(contentsOf: repeatElement(0, count: body))
    out.withUnsafeMutableBufferPointer { o in
      var at = headerCount
      for row in 0..<table.rowCount {
        for (c, column) in cells.enumerated() {
          let start = row == 0 ? 0 : Int(column.ends[row - 1])
          let end = Int(column.ends[row])
          column.text.withUnsafeBufferPointer { text in
            if end > start {
              UnsafeMutableRawPointer(o.baseAddress! + at).copyMemory(
                from: text.baseAddress! + start, byteCount: end - start)
            }
          }
          at += end - start
          o[at] = c == cells.count - 1 ? 10 : 44
          at += 1
        }
      }
    }
    return out
  }
}

/// One column's cells as CSV text, back to back, with the end offset of each cell.
struct RenderedColumn {
  var text: [UInt8] = []
  var ends: [Int32] = []

  init(_ column: SnapshotTable.Column, rows: Int) {
    ends.reserveCapacity(rows)
    var w = TextWriter()
    w.bytes.reserveCapacity(rows * 8)
    switch column {
    case .string(_, let values):
      for v in values {
        if let v { w.write(csvField: v) }
        ends.append(Int32(w.bytes.count))
      }
    case .timestamp(_, let millis):
      var last = Int64.min
      var lastText: [UInt8] = []
      for m in millis {
        // Rows are sorted by window start, so the same instant repeats: format it once.
        if m != last {
          last = m
          lastText = Array(CivilDate.rfc3339(millis: m).utf8)
        }
        w.bytes.append(contentsOf: lastText)
        ends.append(Int32(w.bytes.count))
      }
    case .int64(_, let values):
      for v in values {
        if let v { w.write(integer: v) }
        ends.append(Int32(w.bytes.count))
      }
    case .double(_, let values):
      for v in values {
        if let v { w.write(double: v) }
        ends.append(Int32(w.bytes.count))
      }
    }
    text = w.bytes
  }
}
