/// A lookup table in memory: for each key value of the `on` column, the values of the joined columns, kept in one
/// byte buffer so the decoder reads them in place like the line's own values.
public struct LookupTable: Sendable, Equatable {
  /// Every joined value's bytes, back to back.
  let bytes: [UInt8]
  /// Per row, per joined column: the value's range in `bytes` (start, end), or (-1, -1) for an empty cell.
  let ranges: [[(Int32, Int32)]]
  /// Key bytes' hash → row.
  private let rows: [UInt64: Int32]
  /// Rows of the table, for messages.
  public var count: Int { ranges.count }

  /// A table that cannot be used, with what is wrong.
  public struct Problem: Error, CustomStringConvertible {
    public let description: String
  }

  /// Parses a CSV table with a header row (RFC 4180).
  /// - Throws: `Problem` when the header lacks a named column, a record is not valid CSV, or a key repeats.
  public init(csv: [UInt8], on: String, fields: [String]) throws(Problem) {
    var lines: [ArraySlice<UInt8>] = []
    csv.withUnsafeBufferPointer { b in
      guard let p = b.baseAddress else { return }
      var start = 0
      var inQuotes = false
      var newlines = 0
      while start < b.count {
        let end = CSVRecordScanner.recordEnd(p, from: start, to: b.count, inQuotes: &inQuotes, newlines: &newlines)
        let stop = end ?? b.count
        var contentEnd = stop
        if contentEnd > start, p[contentEnd - 1] == 13 { contentEnd -= 1 }
        if contentEnd > start { lines.append(csv[start..<contentEnd]) }
        start = stop + 1
      }
    }
    guard let headerLine = lines.first else { throw Problem(description: "the table is empty") }
    guard let names = CSVRecordScanner.headerNames(headerLine) else {
      throw Problem(description: "line 1: the header is not valid CSV")
    }
    guard names.contains(on) else {
      throw Problem(description: "the header has no column '\(on)' (lookup.on); it has \(names.joined(separator: ","))")
    }
    for f in fields where !names.contains(f) {
      throw Problem(
        description: "the header has no column '\(f)' (lookup.fields); it has \(names.joined(separator: ","))")
    }
    // Slot 0 is the key column, slots 1... the joined fields.
    let columns = names.map { n in n == on ? 0 : (fields.firstIndex(of: n).map { $0 + 1 } ?? -1) }
    var bytes: [UInt8] = []
    var ranges: [[(Int32, Int32)]] = []
    var rows: [UInt64: Int32] = [:]
    for (number, line) in lines.enumerated().dropFirst() {
      let record = Array(line)
      var tokens = [FieldToken](repeating: FieldToken(), count: fields.count + 1)
      let ok = record.withUnsafeBufferPointer { b in
        CSVRecordScanner.scan(b.baseAddress!, 0, b.count, columns: columns, tokens: &tokens)
      }
      guard ok else {
        throw Problem(description: "line \(number + 1): not a valid CSV record of \(names.count) fields")
      }
      func text(_ t: FieldToken) -> [UInt8]? {
        guard t.kind == .string else { return nil }
        return record.withUnsafeBufferPointer { b in
          t.escaped ? CSVRecordScanner.unescape(b.baseAddress!, t.start, t.end) : Array(record[t.start..<t.end])
        }
      }
      guard let key = text(tokens[0]) else { continue }  // a row without a key matches nothing
      let hash = key.withUnsafeBufferPointer { ByteHasher.hash($0.baseAddress!, 0, $0.count) }
      guard rows[hash] == nil else {
        throw Problem(description: "line \(number + 1): the key '\(String(decoding: key, as: UTF8.self))' repeats")
      }
      rows[hash] = Int32(ranges.count)
      ranges.append(
        tokens.dropFirst().map { t in
          guard let value = text(t) else { return (-1, -1) }
          let start = Int32(bytes.count)
          bytes.append(contentsOf: value)
          return (start, Int32(bytes.count))
        })
    }
    self.bytes = bytes
    self.ranges = ranges
    self.rows = rows
  }

  /// The row of a key given as bytes, or nil.
  @inline(__always)
  func row(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Int? {
    rows[ByteHasher.hash(p, start, end)].map(Int.init)
  }

  public static func == (a: LookupTable, b: LookupTable) -> Bool { a.bytes == b.bytes && a.rows == b.rows }
}
