import AreaflowParquet
import Foundation

/// Reads one committed snapshot file (CSV, NDJSON or Parquet, by extension) back into a `SnapshotTable`, for
/// `inspect`. Not a hot path: clarity over speed.
public enum SnapshotFileDecoder {
  public struct DecodeError: Error, CustomStringConvertible {
    public let description: String
    public init(description: String) { self.description = description }
  }

  /// Decodes `bytes` of a file named `name`.
  public static func decode(_ bytes: [UInt8], name: String) throws -> SnapshotTable {
    if name.hasSuffix(".parquet") { return try ParquetReader(bytes: bytes).readTable() }
    if name.hasSuffix(".ndjson") { return try ndjson(bytes, name: name) }
    if name.hasSuffix(".csv") { return try csv(bytes, name: name) }
    throw DecodeError(description: "\(name): not a snapshot file (.csv, .ndjson or .parquet)")
  }

  static func csv(_ bytes: [UInt8], name: String) throws -> SnapshotTable {
    var records: [[String?]] = []
    var field: [UInt8] = []
    var record: [String?] = []
    var quoted = false
    var wasQuoted = false
    var i = 0
    func endField() {
      record.append(field.isEmpty && !wasQuoted ? nil : String(decoding: field, as: UTF8.self))
      field = []
      wasQuoted = false
    }
    while i < bytes.count {
      let c = bytes[i]
      if quoted {
        if c == 34 {
          if i + 1 < bytes.count, bytes[i + 1] == 34 {
            field.append(34)
            i += 1
          } else {
            quoted = false
          }
        } else {
          field.append(c)
        }
      } else if c == 34 {
        quoted = true
        wasQuoted = true
      } else if c == 44 {
        endField()
      } else if c == 10 {
        endField()
        records.append(record)
        record = []
      } else if c != 13 {
        field.append(c)
      }
      i += 1
    }
    if !field.isEmpty || !record.isEmpty {
      endField()
      records.append(record)
    }
    guard let header = records.first else { return SnapshotTable(columns: [], rowCount: 0) }
    let rows = records.dropFirst()
    for (n, r) in rows.enumerated() where r.count != header.count {
      throw DecodeError(description: "\(name): row \(n + 2) has \(r.count) fields, the header \(header.count)")
    }
    let columns = header.enumerated().map { c, title in
      column(name: title ?? "", values: rows.map { $0[c] })
    }
    return SnapshotTable(columns: columns, rowCount: rows.count)
  }

  static func ndjson(_ bytes: [UInt8], name: String) throws -> SnapshotTable {
    var names: [String] = []
    var rows: [[String: Any]] = []
    for (n, line) in bytes.split(separator: 10).enumerated() where !line.isEmpty {
      guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else {
        throw DecodeError(description: "\(name): line \(n + 1) is not a JSON object")
      }
      if names.isEmpty {
        // Key order of the first row: JSONSerialization loses it, so read it from the text.
        names = keyOrder(Array(line))
      }
      rows.append(object)
    }
    let columns = names.map { key in
      column(
        name: key,
        values: rows.map { row -> String? in
          switch row[key] {
          case let n as NSNumber: return n.stringValue
          case let s as String: return s
          default: return nil
          }
        })
    }
    return SnapshotTable(columns: columns, rowCount: rows.count)
  }

  /// Top-level keys of a flat JSON object line, in order.
  static func keyOrder(_ line: [UInt8]) -> [String] {
    var keys: [String] = []
    var i = 0
    var depth = 0
    var expectKey = false
    while i < line.count {
      let c = line[i]
      if c == 123 {
        depth += 1
        expectKey = depth == 1
      } else if c == 125 {
        depth -= 1
      } else if c == 44, depth == 1 {
        expectKey = true
      } else if c == 34 {
        var j = i + 1
        var text: [UInt8] = []
        while j < line.count, line[j] != 34 {
          if line[j] == 92 { j += 1 }
          if j < line.count { text.append(line[j]) }
          j += 1
        }
        if expectKey, depth == 1 {
          keys.append(String(decoding: text, as: UTF8.self))
          expectKey = false
        }
        i = j
      }
      i += 1
    }
    return keys
  }

  /// A typed column from text cells: times for the window bounds, numbers when every cell is one, else text.
  static func column(name: String, values: [String?]) -> SnapshotTable.Column {
    if name == "window_start" || name == "window_end" {
      let millis = values.map { v -> Int64 in
        guard let v else { return 0 }
        let bytes = Array(v.utf8)
        return bytes.withUnsafeBufferPointer { b in
          b.baseAddress.flatMap { TimeParser.parseRFC3339($0, 0, b.count) }.map { $0 / 1_000_000 } ?? 0
        }
      }
      return .timestamp(name: name, millis: millis)
    }
    if ["window", "area_scheme", "area"].contains(name) { return .string(name: name, values: values) }
    let numbers = values.map { $0.flatMap(Double.init) }
    if zip(values, numbers).allSatisfy({ $0 == nil || $1 != nil }), values.contains(where: { $0 != nil }) {
      if values.allSatisfy({ $0 == nil || Int64($0!) != nil }) {
        return .int64(name: name, values: values.map { $0.flatMap { Int64($0) } })
      }
      return .double(name: name, values: numbers)
    }
    return .string(name: name, values: values)
  }
}
