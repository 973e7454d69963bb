/// Reads flat Parquet files into a `ParquetTable`: areaflow's own snapshots (for `areaflow inspect` and tests) and
/// the lookup tables users write with pyarrow, DuckDB or polars.
///
/// Deliberately narrow: flat schemas of BYTE_ARRAY, BOOLEAN, INT32, INT64, FLOAT and DOUBLE leaves; data pages v1
/// and v2; PLAIN values or dictionary indices (RLE_DICTIONARY / PLAIN_DICTIONARY) with a PLAIN dictionary page;
/// RLE definition levels; UNCOMPRESSED, SNAPPY or ZSTD pages; any number of row groups. INT32 widens to an int64
/// column, FLOAT to a double column, and BOOLEAN reads as the text `true`/`false`. Anything else is reported as
/// `ParquetError.unsupported` instead of being misread.
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
  /// - Parameter names: read only these columns (in file order), or every column when nil; a column of a type the
  ///   reader does not handle is an error only when it is read.
  public func readTable(only names: Set<String>? = nil) throws -> ParquetTable {
    let codec = ZstdCodec()
    var columns: [ParquetTable.Column] = []
    for (index, schema) in metadata.columns.enumerated() where names?.contains(schema.name) ?? true {
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
  private enum Kind { case string, boolean, timestamp, int64, double }

  private static func kind(of schema: ParquetFileMetadata.SchemaColumn) throws -> Kind {
    switch schema.physicalType {
    case .byteArray: return .string
    case .boolean: return .boolean
    case .double, .float: return .double
    case .int32: return .int64
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

  /// Non-null values decoded from one page or dictionary, in the representation of the column's kind (booleans
  /// as integers 0 and 1).
  private struct PlainValues {
    var strings: [[UInt8]] = []
    var integers: [Int64] = []
    var doubles: [Double] = []

    var count: Int { max(strings.count, integers.count, doubles.count) }
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
      try readChunk(
        rowGroup.columns[index], physical: schema.physicalType, kind: kind, optional: optional, codec: codec,
        into: &values)
    }
    switch kind {
    case .string, .boolean: return .string(name: schema.name, values: values.strings)
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

  /// A page's bytes, decompressed.
  private func decompress(
    _ range: Range<Int>, codec: ParquetFormat.Codec, size: Int, zstd: ZstdCodec
  ) throws -> [UInt8] {
    switch codec {
    case .uncompressed: return Array(bytes[range])
    case .zstd: return try bytes[range].withUnsafeBytes { try zstd.decompress($0, decompressedSize: size) }
    case .snappy: return try bytes[range].withUnsafeBytes { try SnappyDecoder.decompress($0, expectedSize: size) }
    default:
      throw ParquetError.unsupported(
        "compression codec \(codec) (write the table with compression 'zstd', 'snappy' or 'none')")
    }
  }

  private func readChunk(
    _ chunk: ParquetFileMetadata.ColumnChunk, physical: ParquetFormat.PhysicalType, kind: Kind, optional: Bool,
    codec: ZstdCodec, into values: inout ColumnValues
  ) throws {
    var position = Int(chunk.dictionaryPageOffset ?? chunk.dataPageOffset)
    var remaining = Int(chunk.numValues)
    var dictionary: PlainValues?
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
      let pageStart = position
      let compressedEnd = position + Int(header.compressedPageSize)
      guard compressedEnd <= bytes.count - 8 else { throw ParquetError.malformed("page runs past the footer") }
      position = compressedEnd
      switch header.type {
      case .dictionaryPage:
        guard header.encoding == .plain || header.encoding == .plainDictionary else {
          throw ParquetError.unsupported("dictionary encoding \(header.encoding)")
        }
        let payload = try decompress(
          pageStart..<compressedEnd, codec: chunk.codec, size: Int(header.uncompressedPageSize), zstd: codec)
        dictionary = try payload.withUnsafeBytes {
          try Self.plain($0, physical: physical, count: Int(header.numValues))
        }
      case .dataPage, .dataPageV2:
        let count = Int(header.numValues)
        guard count <= remaining else { throw ParquetError.malformed("page holds more values than the chunk") }
        levels.removeAll(keepingCapacity: true)
        let data: [UInt8]
        if header.type == .dataPage {
          let payload = try decompress(
            pageStart..<compressedEnd, codec: chunk.codec, size: Int(header.uncompressedPageSize), zstd: codec)
          var offset = 0
          if optional {
            guard payload.count >= 4 else { throw ParquetError.malformed("definition levels truncated") }
            let length = payload.withUnsafeBytes { Int($0.loadUnaligned(as: UInt32.self).littleEndian) }
            guard 4 + length <= payload.count else { throw ParquetError.malformed("definition levels truncated") }
            try payload.withUnsafeBytes {
              _ = try RLEHybridDecoder.decode(
                UnsafeRawBufferPointer(rebasing: $0[4..<4 + length]), bitWidth: 1, count: count, into: &levels)
            }
            offset = 4 + length
          }
          data = Array(payload[offset...])
        } else {
          // v2: repetition then definition levels, uncompressed and without a length prefix; then the values.
          let repetition = Int(header.repetitionLevelsLength)
          let definition = Int(header.definitionLevelsLength)
          guard repetition == 0 else { throw ParquetError.unsupported("repetition levels (nested columns)") }
          guard definition >= 0, pageStart + definition <= compressedEnd else {
            throw ParquetError.malformed("definition levels truncated")
          }
          if optional {
            try bytes.withUnsafeBytes {
              _ = try RLEHybridDecoder.decode(
                UnsafeRawBufferPointer(rebasing: $0[pageStart..<pageStart + definition]), bitWidth: 1, count: count,
                into: &levels)
            }
          }
          let valueSize = Int(header.uncompressedPageSize) - definition
          data =
            header.isCompressed
            ? try decompress(pageStart + definition..<compressedEnd, codec: chunk.codec, size: valueSize, zstd: codec)
            : Array(bytes[pageStart + definition..<compressedEnd])
        }
        let present = optional ? levels.reduce(0) { $0 + Int($1) } : count
        let page: PlainValues = try data.withUnsafeBytes { data in
          switch header.encoding {
          case .plain:
            return try Self.plain(data, physical: physical, count: present)
          case .rle where physical == .boolean:
            // Booleans in v2 pages: RLE with a 4-byte length prefix.
            guard data.count >= 4 else { throw ParquetError.malformed("boolean RLE truncated") }
            indices.removeAll(keepingCapacity: true)
            try RLEHybridDecoder.decode(
              UnsafeRawBufferPointer(rebasing: data[4...]), bitWidth: 1, count: present, into: &indices)
            return PlainValues(integers: indices.map(Int64.init))
          case .rleDictionary, .plainDictionary:
            guard let dictionary else { throw ParquetError.malformed("dictionary-encoded page without a dictionary") }
            guard data.count >= 1 else { throw ParquetError.malformed("dictionary page data truncated") }
            indices.removeAll(keepingCapacity: true)
            try RLEHybridDecoder.decode(
              UnsafeRawBufferPointer(rebasing: data[1...]), bitWidth: Int(data[0]), count: present, into: &indices)
            return try Self.gather(dictionary, indices)
          default:
            throw ParquetError.unsupported("value encoding \(header.encoding)")
          }
        }
        guard page.count >= present else { throw ParquetError.malformed("page holds fewer values than its levels") }
        Self.append(page, kind: kind, count: count, levels: optional ? levels : nil, into: &values)
        remaining -= count
      default:
        throw ParquetError.unsupported("page type \(header.type)")
      }
    }
  }

  /// `count` PLAIN values of a physical type.
  private static func plain(
    _ data: UnsafeRawBufferPointer, physical: ParquetFormat.PhysicalType, count: Int
  ) throws -> PlainValues {
    var values = PlainValues()
    func fixed(_ width: Int) throws {
      guard data.count >= count * width else { throw ParquetError.malformed("PLAIN values truncated") }
    }
    switch physical {
    case .byteArray:
      values.strings = try plainByteArrays(data, count: count).values
    case .boolean:
      guard data.count * 8 >= count else { throw ParquetError.malformed("PLAIN booleans truncated") }
      values.integers = (0..<count).map { Int64((data[$0 >> 3] >> ($0 & 7)) & 1) }
    case .int32:
      try fixed(4)
      values.integers = (0..<count).map {
        Int64(Int32(bitPattern: UInt32(littleEndian: data.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))))
      }
    case .int64:
      try fixed(8)
      values.integers = (0..<count).map {
        Int64(bitPattern: UInt64(littleEndian: data.loadUnaligned(fromByteOffset: $0 * 8, as: UInt64.self)))
      }
    case .float:
      try fixed(4)
      values.doubles = (0..<count).map {
        Double(Float(bitPattern: UInt32(littleEndian: data.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))))
      }
    case .double:
      try fixed(8)
      values.doubles = (0..<count).map {
        Double(bitPattern: UInt64(littleEndian: data.loadUnaligned(fromByteOffset: $0 * 8, as: UInt64.self)))
      }
    default:
      throw ParquetError.unsupported("physical type \(physical)")
    }
    return values
  }

  /// The dictionary entries `indices` name, in order.
  private static func gather(_ dictionary: PlainValues, _ indices: [UInt32]) throws -> PlainValues {
    var out = PlainValues()
    guard indices.allSatisfy({ Int($0) < dictionary.count }) else {
      throw ParquetError.malformed("dictionary index out of range")
    }
    if !dictionary.strings.isEmpty { out.strings = indices.map { dictionary.strings[Int($0)] } }
    if !dictionary.integers.isEmpty { out.integers = indices.map { dictionary.integers[Int($0)] } }
    if !dictionary.doubles.isEmpty { out.doubles = indices.map { dictionary.doubles[Int($0)] } }
    return out
  }

  /// Appends one page's values to the column, interleaving nulls where `levels` has a 0.
  private static func append(
    _ page: PlainValues, kind: Kind, count: Int, levels: [UInt32]?, into values: inout ColumnValues
  ) {
    var next = 0
    for row in 0..<count {
      let isNull = levels.map { $0[row] == 0 } ?? false
      defer { if !isNull { next += 1 } }
      switch kind {
      case .string: values.strings.append(isNull ? nil : String(decoding: page.strings[next], as: UTF8.self))
      case .boolean: values.strings.append(isNull ? nil : (page.integers[next] != 0 ? "true" : "false"))
      case .int64, .timestamp: values.integers.append(isNull ? nil : page.integers[next])
      case .double: values.doubles.append(isNull ? nil : page.doubles[next])
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
