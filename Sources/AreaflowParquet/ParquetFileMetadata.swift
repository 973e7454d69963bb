/// The Parquet footer (`FileMetaData`), restricted to the fields this package writes or reads.
///
/// One model serves both directions: `ParquetWriter` fills it in and serializes it, `ParquetReader`
/// parses it back, so tests can check what the writer recorded without an external tool. Flat
/// schemas only: the root group followed by one primitive leaf per column.
public struct ParquetFileMetadata: Sendable, Equatable {
  /// A leaf of the (flat) schema.
  public struct SchemaColumn: Sendable, Equatable {
    public var name: String
    public var physicalType: ParquetFormat.PhysicalType
    public var repetition: ParquetFormat.Repetition
    public var convertedType: ParquetFormat.ConvertedType?
    public var logicalType: ParquetFormat.LogicalType?
  }

  /// `Statistics`; values are PLAIN encoded (byte arrays without their length prefix).
  public struct Statistics: Sendable, Equatable {
    public var minValue: [UInt8]?
    public var maxValue: [UInt8]?
    public var nullCount: Int64?
    public var nanCount: Int64?
  }

  /// `ColumnChunk` together with its `ColumnMetaData`.
  public struct ColumnChunk: Sendable, Equatable {
    public var physicalType: ParquetFormat.PhysicalType
    public var encodings: [ParquetFormat.Encoding]
    public var path: [String]
    public var codec: ParquetFormat.Codec
    public var numValues: Int64
    public var totalUncompressedSize: Int64
    public var totalCompressedSize: Int64
    public var dataPageOffset: Int64
    public var dictionaryPageOffset: Int64?
    public var statistics: Statistics?
  }

  /// `RowGroup`.
  public struct RowGroup: Sendable, Equatable {
    public var columns: [ColumnChunk]
    public var totalByteSize: Int64
    public var numRows: Int64
    public var fileOffset: Int64?
    public var totalCompressedSize: Int64?
    public var ordinal: Int16?
  }

  public var version: Int32
  public var columns: [SchemaColumn]
  public var numRows: Int64
  public var rowGroups: [RowGroup]
  public var createdBy: String?
  public var columnOrders: [ParquetFormat.ColumnOrder]?
}

// MARK: - Serialization

extension ParquetFileMetadata {
  /// Name of the schema's root group; readers ignore it, pyarrow writes "schema" too.
  static let rootName = "schema"

  func encode(into w: inout ThriftCompactWriter) {
    w.structBegin()
    w.writeField(1, i32: version)
    w.fieldBegin(2, .list)
    w.listBegin(elementType: .struct, count: columns.count + 1)
    w.structBegin()
    w.writeField(4, string: Self.rootName)
    w.writeField(5, i32: Int32(columns.count))
    w.structEnd()
    for column in columns { column.encode(into: &w) }
    w.writeField(3, i64: numRows)
    w.fieldBegin(4, .list)
    w.listBegin(elementType: .struct, count: rowGroups.count)
    for rowGroup in rowGroups { rowGroup.encode(into: &w) }
    if let createdBy { w.writeField(6, string: createdBy) }
    if let columnOrders {
      w.fieldBegin(7, .list)
      w.listBegin(elementType: .struct, count: columnOrders.count)
      for order in columnOrders {
        w.structBegin()
        switch order {
        case .typeDefined: w.writeEmptyStructField(1)
        case .other(let id): w.writeEmptyStructField(id)
        }
        w.structEnd()
      }
    }
    w.structEnd()
  }

  static func decode(from r: inout ThriftCompactReader) throws -> ParquetFileMetadata {
    var version: Int32 = 1
    var schema: [SchemaColumn?] = []
    var numRows: Int64 = 0
    var rowGroups: [RowGroup] = []
    var createdBy: String?
    var columnOrders: [ParquetFormat.ColumnOrder]?
    r.structBegin()
    while let field = try r.readFieldHeader() {
      switch (field.id, field.type) {
      case (1, .i32): version = try r.readI32()
      case (2, .list):
        let (_, count) = try r.readListHeader()
        for _ in 0..<count { schema.append(try SchemaColumn.decode(from: &r)) }
      case (3, .i64): numRows = try r.readI64()
      case (4, .list):
        let (_, count) = try r.readListHeader()
        for _ in 0..<count { rowGroups.append(try RowGroup.decode(from: &r)) }
      case (6, .binary): createdBy = try r.readString()
      case (7, .list):
        let (_, count) = try r.readListHeader()
        var orders: [ParquetFormat.ColumnOrder] = []
        for _ in 0..<count {
          var order = ParquetFormat.ColumnOrder.other(fieldID: 0)
          r.structBegin()
          while let inner = try r.readFieldHeader() {
            order = inner.id == 1 ? .typeDefined : .other(fieldID: inner.id)
            try r.skip(inner.type)
          }
          r.structEnd()
          orders.append(order)
        }
        columnOrders = orders
      default: try r.skip(field.type)
      }
    }
    r.structEnd()
    // The first schema element is the root group; nested schemas are not ours to read.
    guard let rootIndex = schema.indices.first, schema[rootIndex] == nil else {
      throw ParquetError.malformed("schema has no root group")
    }
    var leaves: [SchemaColumn] = []
    for element in schema.dropFirst() {
      guard let element else { throw ParquetError.unsupported("nested Parquet schemas") }
      leaves.append(element)
    }
    return ParquetFileMetadata(
      version: version, columns: leaves, numRows: numRows, rowGroups: rowGroups,
      createdBy: createdBy, columnOrders: columnOrders)
  }
}

extension ParquetFileMetadata.SchemaColumn {
  func encode(into w: inout ThriftCompactWriter) {
    w.structBegin()
    w.writeField(1, i32: physicalType.rawValue)
    w.writeField(3, i32: repetition.rawValue)
    w.writeField(4, string: name)
    if let convertedType { w.writeField(6, i32: convertedType.rawValue) }
    if let logicalType {
      w.fieldBegin(10, .struct)
      w.structBegin()
      switch logicalType {
      case .string:
        w.writeEmptyStructField(1)
      case .timestamp(let isAdjustedToUTC, let unit):
        w.fieldBegin(8, .struct)
        w.structBegin()
        w.writeField(1, bool: isAdjustedToUTC)
        w.fieldBegin(2, .struct)
        w.structBegin()
        w.writeEmptyStructField(unit.rawValue)
        w.structEnd()
        w.structEnd()
      case .other(let id):
        w.writeEmptyStructField(id)
      }
      w.structEnd()
    }
    w.structEnd()
  }

  /// Returns nil for a group node (no physical type), which only the root may be in our files.
  static func decode(from r: inout ThriftCompactReader) throws -> Self? {
    var type: ParquetFormat.PhysicalType?
    var repetition = ParquetFormat.Repetition.required
    var name = ""
    var convertedType: ParquetFormat.ConvertedType?
    var logicalType: ParquetFormat.LogicalType?
    var numChildren: Int32?
    r.structBegin()
    while let field = try r.readFieldHeader() {
      switch (field.id, field.type) {
      case (1, .i32):
        let raw = try r.readI32()
        guard let t = ParquetFormat.PhysicalType(rawValue: raw) else {
          throw ParquetError.malformed("unknown physical type \(raw)")
        }
        type = t
      case (3, .i32):
        let raw = try r.readI32()
        guard let rep = ParquetFormat.Repetition(rawValue: raw) else {
          throw ParquetError.unsupported("repetition \(raw)")
        }
        repetition = rep
      case (4, .binary): name = try r.readString()
      case (5, .i32): numChildren = try r.readI32()
      case (6, .i32): convertedType = ParquetFormat.ConvertedType(rawValue: try r.readI32())
      case (10, .struct): logicalType = try decodeLogicalType(from: &r)
      default: try r.skip(field.type)
      }
    }
    r.structEnd()
    guard let type, numChildren == nil else { return nil }
    return Self(
      name: name, physicalType: type, repetition: repetition, convertedType: convertedType,
      logicalType: logicalType)
  }

  private static func decodeLogicalType(from r: inout ThriftCompactReader) throws -> ParquetFormat.LogicalType? {
    var result: ParquetFormat.LogicalType?
    r.structBegin()
    while let field = try r.readFieldHeader() {
      switch (field.id, field.type) {
      case (1, .struct):
        try r.skip(.struct)
        result = .string
      case (8, .struct):
        var utc = false
        var unit = ParquetFormat.TimeUnit.millis
        r.structBegin()
        while let inner = try r.readFieldHeader() {
          switch (inner.id, inner.type) {
          case (1, .boolTrue), (1, .boolFalse): utc = ThriftCompactReader.boolValue(inner.type)
          case (2, .struct):
            r.structBegin()
            while let unitField = try r.readFieldHeader() {
              if let u = ParquetFormat.TimeUnit(rawValue: unitField.id) { unit = u }
              try r.skip(unitField.type)
            }
            r.structEnd()
          default: try r.skip(inner.type)
          }
        }
        r.structEnd()
        result = .timestamp(isAdjustedToUTC: utc, unit: unit)
      default:
        try r.skip(field.type)
        result = .other(fieldID: field.id)
      }
    }
    r.structEnd()
    return result
  }
}

extension ParquetFileMetadata.Statistics {
  func encode(into w: inout ThriftCompactWriter) {
    w.structBegin()
    if let nullCount { w.writeField(3, i64: nullCount) }
    if let maxValue { w.writeField(5, binary: maxValue) }
    if let minValue { w.writeField(6, binary: minValue) }
    if maxValue != nil { w.writeField(7, bool: true) }
    if minValue != nil { w.writeField(8, bool: true) }
    if let nanCount { w.writeField(9, i64: nanCount) }
    w.structEnd()
  }

  static func decode(from r: inout ThriftCompactReader) throws -> Self {
    var stats = Self()
    r.structBegin()
    while let field = try r.readFieldHeader() {
      switch (field.id, field.type) {
      case (3, .i64): stats.nullCount = try r.readI64()
      case (5, .binary): stats.maxValue = try r.readBinary()
      case (6, .binary): stats.minValue = try r.readBinary()
      case (9, .i64): stats.nanCount = try r.readI64()
      default: try r.skip(field.type)
      }
    }
    r.structEnd()
    return stats
  }
}

extension ParquetFileMetadata.ColumnChunk {
  func encode(into w: inout ThriftCompactWriter) {
    w.structBegin()
    // ColumnChunk.file_offset is deprecated; the spec asks writers to put 0 there.
    w.writeField(2, i64: 0)
    w.fieldBegin(3, .struct)
    w.structBegin()
    w.writeField(1, i32: physicalType.rawValue)
    w.fieldBegin(2, .list)
    w.listBegin(elementType: .i32, count: encodings.count)
    for encoding in encodings { w.writeI32(encoding.rawValue) }
    w.fieldBegin(3, .list)
    w.listBegin(elementType: .binary, count: path.count)
    for part in path { w.writeString(part) }
    w.writeField(4, i32: codec.rawValue)
    w.writeField(5, i64: numValues)
    w.writeField(6, i64: totalUncompressedSize)
    w.writeField(7, i64: totalCompressedSize)
    w.writeField(9, i64: dataPageOffset)
    if let dictionaryPageOffset { w.writeField(11, i64: dictionaryPageOffset) }
    if let statistics {
      w.fieldBegin(12, .struct)
      statistics.encode(into: &w)
    }
    w.structEnd()
    w.structEnd()
  }

  static func decode(from r: inout ThriftCompactReader) throws -> Self {
    var chunk: Self?
    r.structBegin()
    while let field = try r.readFieldHeader() {
      if field.id == 3 && field.type == .struct {
        chunk = try decodeMetaData(from: &r)
      } else {
        try r.skip(field.type)
      }
    }
    r.structEnd()
    guard let chunk else { throw ParquetError.unsupported("column chunk without inline metadata") }
    return chunk
  }

  private static func decodeMetaData(from r: inout ThriftCompactReader) throws -> Self {
    var chunk = Self(
      physicalType: .int64, encodings: [], path: [], codec: .uncompressed, numValues: 0,
      totalUncompressedSize: 0, totalCompressedSize: 0, dataPageOffset: 0)
    r.structBegin()
    while let field = try r.readFieldHeader() {
      switch (field.id, field.type) {
      case (1, .i32):
        let raw = try r.readI32()
        guard let t = ParquetFormat.PhysicalType(rawValue: raw) else {
          throw ParquetError.malformed("unknown physical type \(raw)")
        }
        chunk.physicalType = t
      case (2, .list):
        let (_, count) = try r.readListHeader()
        for _ in 0..<count {
          if let e = ParquetFormat.Encoding(rawValue: try r.readI32()) { chunk.encodings.append(e) }
        }
      case (3, .list):
        let (_, count) = try r.readListHeader()
        for _ in 0..<count { chunk.path.append(try r.readString()) }
      case (4, .i32):
        let raw = try r.readI32()
        guard let codec = ParquetFormat.Codec(rawValue: raw) else {
          throw ParquetError.unsupported("compression codec \(raw)")
        }
        chunk.codec = codec
      case (5, .i64): chunk.numValues = try r.readI64()
      case (6, .i64): chunk.totalUncompressedSize = try r.readI64()
      case (7, .i64): chunk.totalCompressedSize = try r.readI64()
      case (9, .i64): chunk.dataPageOffset = try r.readI64()
      case (11, .i64): chunk.dictionaryPageOffset = try r.readI64()
      case (12, .struct): chunk.statistics = try ParquetFileMetadata.Statistics.decode(from: &r)
      default: try r.skip(field.type)
      }
    }
    r.structEnd()
    return chunk
  }
}

extension ParquetFileMetadata.RowGroup {
  func encode(into w: inout ThriftCompactWriter) {
    w.structBegin()
    w.fieldBegin(1, .list)
    w.listBegin(elementType: .struct, count: columns.count)
    for column in columns { column.encode(into: &w) }
    w.writeField(2, i64: totalByteSize)
    w.writeField(3, i64: numRows)
    if let fileOffset { w.writeField(5, i64: fileOffset) }
    if let totalCompressedSize { w.writeField(6, i64: totalCompressedSize) }
    if let ordinal {
      w.fieldBegin(7, .i16)
      w.writeI64(Int64(ordinal))
    }
    w.structEnd()
  }

  static func decode(from r: inout ThriftCompactReader) throws -> Self {
    var group = Self(columns: [], totalByteSize: 0, numRows: 0)
    r.structBegin()
    while let field = try r.readFieldHeader() {
      switch (field.id, field.type) {
      case (1, .list):
        let (_, count) = try r.readListHeader()
        for _ in 0..<count { group.columns.append(try ParquetFileMetadata.ColumnChunk.decode(from: &r)) }
      case (2, .i64): group.totalByteSize = try r.readI64()
      case (3, .i64): group.numRows = try r.readI64()
      case (5, .i64): group.fileOffset = try r.readI64()
      case (6, .i64): group.totalCompressedSize = try r.readI64()
      case (7, .i16): group.ordinal = Int16(truncatingIfNeeded: try r.readI64())
      default: try r.skip(field.type)
      }
    }
    r.structEnd()
    return group
  }
}
