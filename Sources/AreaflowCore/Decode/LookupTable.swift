import AreaflowParquet
import Foundation

/// A lookup table in memory: for each key value of the `on` column, the values of the joined columns, kept in one
/// byte buffer so the decoder reads them in place like the line's own values.
public struct LookupTable: Sendable, Equatable {
  /// Every joined value's bytes, back to back.
  let bytes: [UInt8]
  /// Per row, per joined column: the value's range in `bytes` (start, end), or (-1, -1) for an empty cell.
  let ranges: [[(Int32, Int32)]]
  /// Every key's bytes, back to back, and per row its range: a lookup compares the bytes, not only the hash.
  private let keyBytes: [UInt8]
  private let keyRanges: [(Int32, Int32)]
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
    var builder = Builder()
    for (number, line) in lines.enumerated().dropFirst() {
      let record = Array(line)
      var tokens = [FieldToken](repeating: FieldToken(), count: fields.count + 1)
      let ok = record.withUnsafeBufferPointer { b in
        tokens.withUnsafeMutableBufferPointer { t in
          CSVRecordScanner.scan(b.baseAddress!, 0, b.count, columns: columns, tokens: t)
        }
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
      try builder.add(key: text(tokens[0]), values: tokens.dropFirst().map(text), row: "line \(number + 1)")
    }
    self.init(builder)
  }

  /// Reads a Parquet table (as pyarrow, DuckDB or polars write it: flat, snappy, zstd or uncompressed). Numbers
  /// become their shortest decimal text and booleans `true`/`false`, so a joined value reads like the same value
  /// in a CSV table.
  /// - Throws: `Problem` when the file is not a Parquet file the reader handles, lacks a named column, or a key
  ///   repeats.
  public init(parquet: [UInt8], on: String, fields: [String]) throws(Problem) {
    let table: ParquetTable
    do {
      let reader = try ParquetReader(bytes: parquet)
      let names = reader.metadata.columns.map(\.name)
      for column in [on] + fields where !names.contains(column) {
        let role = column == on ? "lookup.on" : "lookup.fields"
        throw Problem(
          description: "the table has no column '\(column)' (\(role)); it has \(names.joined(separator: ","))")
      }
      table = try reader.readTable(only: Set([on] + fields))
    } catch let problem as Problem {
      throw problem
    } catch {
      throw Problem(description: "not a Parquet table areaflow can read: \(error)")
    }
    func texts(_ name: String) -> [[UInt8]?] {
      switch table.columns.first(where: { $0.name == name }) {
      case .string(_, let v)?: v.map { $0.map { Array($0.utf8) } }
      case .int64(_, let v)?: v.map { $0.map { Array(String($0).utf8) } }
      case .double(_, let v)?: v.map { $0.map { Array(Self.decimal($0).utf8) } }
      case .timestamp(_, let v)?: v.map { Array(String($0).utf8) }
      case nil: Array(repeating: nil, count: table.rowCount)
      }
    }
    let keys = texts(on)
    let values = fields.map(texts)
    var builder = Builder()
    for row in 0..<table.rowCount {
      try builder.add(key: keys[row], values: values.map { $0[row] }, row: "row \(row + 1)")
    }
    self.init(builder)
  }

  /// Reads the table `spec` names from its bytes, as CSV or, for a `.parquet` file, as Parquet.
  public static func load(_ bytes: [UInt8], spec: LookupSpec) throws(Problem) -> LookupTable {
    spec.table.lowercased().hasSuffix(".parquet")
      ? try LookupTable(parquet: bytes, on: spec.on, fields: spec.fields)
      : try LookupTable(csv: bytes, on: spec.on, fields: spec.fields)
  }

  /// A double as the shortest text that reads back as the same value, without a trailing `.0` for whole numbers
  /// (so an id stored as a double still matches the same id written as an integer).
  private static func decimal(_ value: Double) -> String {
    if value.isFinite, value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
    return "\(value)"
  }

  private init(_ builder: Builder) {
    self.bytes = builder.bytes
    self.ranges = builder.ranges
    self.keyBytes = builder.keyBytes
    self.keyRanges = builder.keyRanges
    self.rows = builder.rows
  }

  /// Collects rows in the table's in-memory form, whatever file format they came from.
  private struct Builder {
    var bytes: [UInt8] = []
    var ranges: [[(Int32, Int32)]] = []
    var keyBytes: [UInt8] = []
    var keyRanges: [(Int32, Int32)] = []
    var rows: [UInt64: Int32] = [:]

    /// Adds a row; a row without a key matches nothing and is left out.
    /// - Parameter row: where the row is, for the message when its key repeats.
    mutating func add(key: [UInt8]?, values: [[UInt8]?], row: String) throws(Problem) {
      guard let key else { return }
      let hash = key.withUnsafeBufferPointer { ByteHasher.hash($0.baseAddress!, 0, $0.count) }
      // Two keys with one 64-bit hash would also land here: refused rather than joined to the wrong row.
      guard rows[hash] == nil else {
        throw Problem(description: "\(row): the key '\(String(decoding: key, as: UTF8.self))' repeats")
      }
      rows[hash] = Int32(ranges.count)
      keyRanges.append((Int32(keyBytes.count), Int32(keyBytes.count + key.count)))
      keyBytes.append(contentsOf: key)
      ranges.append(
        values.map { value in
          guard let value else { return (-1, -1) }
          let start = Int32(bytes.count)
          bytes.append(contentsOf: value)
          return (start, Int32(bytes.count))
        })
    }
  }

  /// The row of a key given as bytes, or nil.
  @inline(__always)
  func row(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Int? {
    guard let row = rows[ByteHasher.hash(p, start, end)].map(Int.init) else { return nil }
    let (keyStart, keyEnd) = keyRanges[row]
    guard Int(keyEnd - keyStart) == end - start else { return nil }
    let same = keyBytes.withUnsafeBufferPointer { k in
      memcmp(k.baseAddress! + Int(keyStart), p + start, end - start) == 0
    }
    return same ? row : nil
  }

  public static func == (a: LookupTable, b: LookupTable) -> Bool { a.bytes == b.bytes && a.rows == b.rows }
}
