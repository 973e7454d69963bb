/// A Parquet `PageHeader`: the two page kinds this package writes (data page v1 and dictionary), and data page v2,
/// which other writers use and the reader accepts.
struct ParquetPageHeader: Equatable {
  var type: ParquetFormat.PageType
  var uncompressedPageSize: Int32
  var compressedPageSize: Int32
  /// Number of values in the page; for data pages this includes nulls.
  var numValues: Int32
  /// Encoding of the values (the dictionary's own encoding for a dictionary page).
  var encoding: ParquetFormat.Encoding
  /// Data page v2 only: the levels' byte lengths (stored uncompressed before the values) and whether the values
  /// are compressed.
  var definitionLevelsLength: Int32 = 0
  var repetitionLevelsLength: Int32 = 0
  var isCompressed = true

  func encode(into w: inout ThriftCompactWriter) {
    w.structBegin()
    w.writeField(1, i32: type.rawValue)
    w.writeField(2, i32: uncompressedPageSize)
    w.writeField(3, i32: compressedPageSize)
    switch type {
    case .dictionaryPage:
      w.fieldBegin(7, .struct)
      w.structBegin()
      w.writeField(1, i32: numValues)
      w.writeField(2, i32: encoding.rawValue)
      w.structEnd()
    default:
      w.fieldBegin(5, .struct)
      w.structBegin()
      w.writeField(1, i32: numValues)
      w.writeField(2, i32: encoding.rawValue)
      // Levels are always RLE/bit-packed hybrid; required columns simply have none.
      w.writeField(3, i32: ParquetFormat.Encoding.rle.rawValue)
      w.writeField(4, i32: ParquetFormat.Encoding.rle.rawValue)
      w.structEnd()
    }
    w.structEnd()
  }

  static func decode(from r: inout ThriftCompactReader) throws -> ParquetPageHeader {
    var header = ParquetPageHeader(
      type: .dataPage, uncompressedPageSize: 0, compressedPageSize: 0, numValues: 0, encoding: .plain)
    var sawType = false
    r.structBegin()
    while let field = try r.readFieldHeader() {
      switch (field.id, field.type) {
      case (1, .i32):
        let raw = try r.readI32()
        guard let t = ParquetFormat.PageType(rawValue: raw) else { throw ParquetError.malformed("page type \(raw)") }
        header.type = t
        sawType = true
      case (2, .i32): header.uncompressedPageSize = try r.readI32()
      case (3, .i32): header.compressedPageSize = try r.readI32()
      case (5, .struct), (7, .struct):
        r.structBegin()
        while let inner = try r.readFieldHeader() {
          switch (inner.id, inner.type) {
          case (1, .i32): header.numValues = try r.readI32()
          case (2, .i32):
            let raw = try r.readI32()
            guard let e = ParquetFormat.Encoding(rawValue: raw) else {
              throw ParquetError.unsupported("encoding \(raw)")
            }
            header.encoding = e
          case (3, .i32), (4, .i32):
            // Only RLE levels are supported (the deprecated BIT_PACKED is not written by us).
            let raw = try r.readI32()
            guard raw == ParquetFormat.Encoding.rle.rawValue else {
              throw ParquetError.unsupported("level encoding \(raw)")
            }
          default: try r.skip(inner.type)
          }
        }
        r.structEnd()
      case (8, .struct):
        r.structBegin()
        while let inner = try r.readFieldHeader() {
          switch (inner.id, inner.type) {
          case (1, .i32): header.numValues = try r.readI32()
          case (4, .i32):
            let raw = try r.readI32()
            guard let e = ParquetFormat.Encoding(rawValue: raw) else {
              throw ParquetError.unsupported("encoding \(raw)")
            }
            header.encoding = e
          case (5, .i32): header.definitionLevelsLength = try r.readI32()
          case (6, .i32): header.repetitionLevelsLength = try r.readI32()
          case (7, .boolTrue), (7, .boolFalse): header.isCompressed = ThriftCompactReader.boolValue(inner.type)
          default: try r.skip(inner.type)
          }
        }
        r.structEnd()
      default: try r.skip(field.type)
      }
    }
    r.structEnd()
    guard sawType, header.compressedPageSize >= 0, header.uncompressedPageSize >= 0 else {
      throw ParquetError.malformed("incomplete page header")
    }
    return header
  }
}
