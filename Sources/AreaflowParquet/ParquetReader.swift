/// Reads Parquet files written by `ParquetWriter` back into a `ParquetTable` (for `areaflow inspect`
/// and tests).
///
/// Deliberately narrow: flat schemas of BYTE_ARRAY, INT64 and DOUBLE leaves; data page v1; PLAIN
/// values or dictionary indices (RLE_DICTIONARY / PLAIN_DICTIONARY) with a PLAIN dictionary page;
/// RLE definition levels; UNCOMPRESSED or ZSTD pages; any number of row groups. Anything else is
/// reported as `ParquetError.unsupported` instead of being misread.
public struct ParquetReader: Sendable {
  /// The parsed footer.
  public let metadata: ParquetFileMetadata
  private let bytes: [UInt8]

  /// Parses the footer of the file in `bytes`.
  public init(bytes: [UInt8]) throws {
    let magic = ParquetFormat.magic
    guard bytes.count >= 12, Array(bytes[0..<4]) == magic, Array(bytes[(bytes.count - 4)...]) == magic else {
      throw ParquetError.malformed("not a Parquet file (missing PAR1 magic)")
    }
    let lengthOffset = bytes.count - 8
    var footerLength = 0
    for b in 0..<4 { footerLength |= Int(bytes[lengthOffset + b]) << (8 * b) }
    guard footerLength > 0, footerLength <= lengthOffset - 4 else {
      throw ParquetError.malformed("footer length \(footerLength) out of range")
    }
    self.bytes = bytes
    self.metadata = try bytes.withUnsafeBytes { raw in
      var reader = ThriftCompactReader(
        UnsafeRawBufferPointer(rebasing: raw[(lengthOffset - footerLength)..<lengthOffset]))
      return try ParquetFileMetadata.decode(from: &reader)
    }
  }

  /// Decodes every row group into one table.
  public func readTable() throws -> ParquetTable {
    let codec = ZstdCodec()
    var columns: [ParquetTable.Column] = []
    for (index, schema) in metadata.columns.enumerated() {
      columns.append(try readColumn(index, schema: schema, codec: codec))
    }
    guard let rowCount = Int(exactly: metadata.numRows) else { throw ParquetError.malformed("row count") }
    for column in columns where column.nameAndCount.count != rowCount {
      throw ParquetError.malformed(
        "column \(column.nameAndCount.name) holds \(column.nameAndCount.count) values, footer says \(rowCount) rows")
    }
    return ParquetTable(columns: columns, rowCount: rowCount)
  }

  /// The table column kind a schema leaf maps to.
  private enum Kind { case string, timestamp, int64, double }

  private static func kind(of schema: ParquetFileMetadata.SchemaColumn) throws -> Kind {
    switch schema.physicalType {
    case .byteArray: return .string
    case .double: return .double
    case .int64:
      switch (schema.logicalType, schema.convertedType) {
      case (.timestamp(_, .millis)?, _), (nil, .timestampMillis?): return .timestamp
      case (.timestamp?, _): throw ParquetError.unsupported("timestamps other than milliseconds in \(schema.name)")
      default: return .int64
      }
    default:
      throw ParquetError.unsupported("physical type \(schema.physicalType) of column \(schema.name)")
    }
  }

  /// Values of one column across all row groups, in the representation of its kind.
  private struct ColumnValues {
    var strings: [String?] = []
    var integers: [Int64?] = []
    var doubles: [Double?] = []
  }

  private func readColumn(
    _ index: Int, schema: ParquetFileMetadata.SchemaColumn, codec: ZstdCodec
  ) throws -> ParquetTable.Column {
    let kind = try Self.kind(of: schema)
    guard schema.repetition != .repeated else { throw ParquetError.unsupported("repeated column \(schema.name)") }
    let optional = schema.repetition == .optional
    var values = ColumnValues()
    for rowGroup in metadata.rowGroups {
      guard index < rowGroup.columns.count else { throw ParquetError.malformed("row group lacks column \(index)") }
      try readChunk(rowGroup.columns[index], kind: kind, optional: optional, codec: codec, into: &values)
    }
    switch kind {
    case .string: return .string(name: schema.name, values: values.strings)
    case .int64: return .int64(name: schema.name, values: values.integers)
    case .double: return .double(name: schema.name, values: values.doubles)
    case .timestamp:
      var millis: [Int64] = []
      millis.reserveCapacity(values.integers.count)
      for value in values.integers {
        guard let value else { throw ParquetError.unsupported("null timestamp in \(schema.name)") }
        millis.append(value)
      }
      return .timestamp(name: schema.name, millis: millis)
    }
  }

  private func readChunk(
    _ chunk: ParquetFileMetadata.ColumnChunk, kind: Kind, optional: Bool, codec: ZstdCodec,
    into values: inout ColumnValues
  ) throws {
    guard chunk.codec == .zstd || chunk.codec == .uncompressed else {
      throw ParquetError.unsupported("compression codec \(chunk.codec)")
    }
    var position = Int(chunk.dictionaryPageOffset ?? chunk.dataPageOffset)
    var remaining = Int(chunk.numValues)
    var dictionary: [[UInt8]] = []
    var levels: [UInt32] = []
    var indices: [UInt32] = []
    while remaining > 0 {
      guard position >= 4, position < bytes.count - 8 else { throw ParquetError.malformed("page offset out of range") }
      let header = try bytes.withUnsafeBytes { raw in
        var reader = ThriftCompactReader(UnsafeRawBufferPointer(rebasing: raw[position..<(bytes.count - 8)]))
        let header = try ParquetPageHeader.decode(from: &reader)
        position += reader.position
        return header
      }
      let compressedEnd = position + Int(header.compressedPageSize)
      guard compressedEnd <= bytes.count - 8 else { throw ParquetError.malformed("page runs past the footer") }
      let payload: [UInt8] =
        chunk.codec == .zstd
        ? try bytes[position..<compressedEnd].withUnsafeBytes {
          try codec.decompress($0, decompressedSize: Int(header.uncompressedPageSize))
        }
        : Array(bytes[position..<compressedEnd])
      position = compressedEnd
      switch header.type {
      case .dictionaryPage:
        guard header.encoding == .plain || header.encoding == .plainDictionary else {
          throw ParquetError.unsupported("dictionary encoding \(header.encoding)")
        }
        dictionary = try payload.withUnsafeBytes { try Self.plainByteArrays($0, count: Int(header.numValues)).values }
      case .dataPage:
        let count = Int(header.numValues)
        guard count <= remaining else { throw ParquetError.malformed("page holds more values than the chunk") }
        try payload.withUnsafeBytes { page in
          var offset = 0
          levels.removeAll(keepingCapacity: true)
          var present = count
          if optional {
            guard page.count >= 4 else { throw ParquetError.malformed("definition levels truncated") }
            let length = Int(page.loadUnaligned(as: UInt32.self).littleEndian)
            guard 4 + length <= page.count else { throw ParquetError.malformed("definition levels truncated") }
            try RLEHybridDecoder.decode(
              UnsafeRawBufferPointer(rebasing: page[4..<4 + length]), bitWidth: 1, count: count, into: &levels)
            present = levels.reduce(0) { $0 + Int($1) }
            offset = 4 + length
          }
          let data = UnsafeRawBufferPointer(rebasing: page[offset...])
          switch header.encoding {
          case .plain:
            try Self.appendPlain(data, kind: kind, present: present, levels: optional ? levels : nil, into: &values)
          case .rleDictionary, .plainDictionary:
            guard kind == .string, !dictionary.isEmpty || present == 0 else {
              throw ParquetError.malformed("dictionary-encoded page without a dictionary")
            }
            guard data.count >= 1 else { throw ParquetError.malformed("dictionary page data truncated") }
            indices.removeAll(keepingCapacity: true)
            try RLEHybridDecoder.decode(
              UnsafeRawBufferPointer(rebasing: data[1...]), bitWidth: Int(data[0]), count: present, into: &indices)
            var next = 0
            for row in 0..<count {
              if optional && levels[row] == 0 {
                values.strings.append(nil)
              } else {
                let i = Int(indices[next])
                guard i < dictionary.count else { throw ParquetError.malformed("dictionary index out of range") }
                values.strings.append(String(decoding: dictionary[i], as: UTF8.self))
                next += 1
              }
            }
          default:
            throw ParquetError.unsupported("value encoding \(header.encoding)")
          }
        }
        remaining -= count
      default:
        throw ParquetError.unsupported("page type \(header.type)")
      }
    }
  }

  /// Appends one page's PLAIN values, interleaving nulls where `levels` has a 0.
  private static func appendPlain(
    _ data: UnsafeRawBufferPointer, kind: Kind, present: Int, levels: [UInt32]?, into values: inout ColumnValues
  ) throws {
    let count = levels?.count ?? present
    switch kind {
    case .string:
      let strings = try plainByteArrays(data, count: present).values
      var next = 0
      for row in 0..<count {
        if let levels, levels[row] == 0 {
          values.strings.append(nil)
        } else {
          values.strings.append(String(decoding: strings[next], as: UTF8.self))
          next += 1
        }
      }
    case .int64, .timestamp, .double:
      guard data.count >= present * 8 else { throw ParquetError.malformed("PLAIN values truncated") }
      var next = 0
      for row in 0..<count {
        if let levels, levels[row] == 0 {
          if kind == .double { values.doubles.append(nil) } else { values.integers.append(nil) }
        } else {
          let bits = UInt64(littleEndian: data.loadUnaligned(fromByteOffset: next * 8, as: UInt64.self))
          if kind == .double {
            values.doubles.append(Double(bitPattern: bits))
          } else {
            values.integers.append(Int64(bitPattern: bits))
          }
          next += 1
        }
      }
    }
  }

  /// Splits PLAIN-encoded byte arrays (4-byte little-endian length, then bytes).
  private static func plainByteArrays(
    _ data: UnsafeRawBufferPointer, count: Int
  ) throws -> (values: [[UInt8]], consumed: Int) {
    var result: [[UInt8]] = []
    result.reserveCapacity(count)
    var offset = 0
    for _ in 0..<count {
      guard offset + 4 <= data.count else { throw ParquetError.malformed("byte array length truncated") }
      let length = Int(UInt32(littleEndian: data.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
      offset += 4
      guard offset + length <= data.count else { throw ParquetError.malformed("byte array truncated") }
      result.append(Array(data[offset..<offset + length]))
      offset += length
    }
    return (result, offset)
  }
}
