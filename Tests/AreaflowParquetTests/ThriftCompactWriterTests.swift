import Testing

@testable import AreaflowParquet

@Suite("Thrift compact protocol")
struct ThriftCompactWriterTests {
  @Test func zigzagMapsSignedToUnsigned() {
    #expect(ThriftCompactWriter.zigzag(0) == 0)
    #expect(ThriftCompactWriter.zigzag(-1) == 1)
    #expect(ThriftCompactWriter.zigzag(1) == 2)
    #expect(ThriftCompactWriter.zigzag(-2) == 3)
    #expect(ThriftCompactWriter.zigzag(Int64.max) == UInt64.max - 1)
    #expect(ThriftCompactWriter.zigzag(Int64.min) == UInt64.max)
  }

  @Test func varints() {
    var w = ThriftCompactWriter()
    w.writeVarint(0)
    w.writeVarint(127)
    w.writeVarint(128)
    w.writeVarint(300)
    #expect(w.bytes == [0x00, 0x7F, 0x80, 0x01, 0xAC, 0x02])
    w.reset()
    w.writeI64(Int64.min)
    #expect(w.bytes == [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01])
  }

  @Test func shortAndLongFieldHeaders() {
    var w = ThriftCompactWriter()
    w.structBegin()
    w.writeField(1, i32: 5)  // delta 1, type i32 (5); zigzag(5) = 10
    w.writeField(3, i64: -1)  // delta 2, type i64 (6); zigzag(-1) = 1
    w.writeField(20, i32: 1)  // delta 17 does not fit: type byte, then zigzag id 40
    w.writeField(21, bool: true)  // delta 1, type BOOLEAN_TRUE (1), no payload
    w.writeField(22, bool: false)  // type BOOLEAN_FALSE (2)
    w.structEnd()
    #expect(w.bytes == [0x15, 0x0A, 0x26, 0x01, 0x05, 0x28, 0x02, 0x11, 0x12, 0x00])
  }

  @Test func fieldIDsGoingBackwardsUseTheLongForm() {
    var w = ThriftCompactWriter()
    w.structBegin()
    w.writeField(5, i32: 0)
    w.writeField(2, i32: 0)
    w.structEnd()
    #expect(w.bytes == [0x55, 0x00, 0x05, 0x04, 0x00, 0x00])
  }

  @Test func binaryStringAndDouble() {
    var w = ThriftCompactWriter()
    w.structBegin()
    w.writeField(1, string: "ab")
    w.fieldBegin(2, .double)
    w.writeDouble(1.0)
    w.structEnd()
    #expect(w.bytes == [0x18, 0x02, 0x61, 0x62, 0x17, 0, 0, 0, 0, 0, 0, 0xF0, 0x3F, 0x00])
  }

  @Test func listHeaders() {
    var w = ThriftCompactWriter()
    w.listBegin(elementType: .i32, count: 3)
    w.listBegin(elementType: .binary, count: 14)
    w.listBegin(elementType: .binary, count: 20)
    w.listBegin(elementType: .struct, count: 0)
    #expect(w.bytes == [0x35, 0xE8, 0xF8, 0x14, 0x0C])
  }

  @Test func nestedStructsRestartFieldNumbering() {
    var w = ThriftCompactWriter()
    w.structBegin()
    w.writeField(4, i32: 1)
    w.fieldBegin(5, .struct)
    w.structBegin()
    w.writeField(1, i32: 2)  // relative to 0 inside the nested struct
    w.structEnd()
    w.writeField(6, i32: 3)  // relative to 5 again
    w.writeEmptyStructField(7)
    w.structEnd()
    #expect(w.bytes == [0x45, 0x02, 0x1C, 0x15, 0x04, 0x00, 0x15, 0x06, 0x1C, 0x00, 0x00])
  }

  @Test func readerSkipsWhatItDoesNotKnow() throws {
    var w = ThriftCompactWriter()
    w.structBegin()
    w.writeField(1, string: "skip me")
    w.fieldBegin(2, .list)
    w.listBegin(elementType: .struct, count: 2)
    for i in 0..<2 {
      w.structBegin()
      w.writeField(1, i64: Int64(i))
      w.writeEmptyStructField(30)
      w.structEnd()
    }
    w.writeField(3, bool: true)
    w.writeField(40, i32: -7)
    w.structEnd()
    let bytes = w.bytes
    try bytes.withUnsafeBytes { raw in
      var r = ThriftCompactReader(raw)
      r.structBegin()
      var seen: [Int16] = []
      var last: Int32 = 0
      while let field = try r.readFieldHeader() {
        seen.append(field.id)
        if field.id == 40 { last = try r.readI32() } else { try r.skip(field.type) }
      }
      r.structEnd()
      #expect(seen == [1, 2, 3, 40])
      #expect(last == -7)
      #expect(r.position == bytes.count)
    }
  }

  @Test func pageHeaderRoundTrips() throws {
    let header = ParquetPageHeader(
      type: .dataPage, uncompressedPageSize: 123_456, compressedPageSize: 789, numValues: 65_536,
      encoding: .rleDictionary)
    var w = ThriftCompactWriter()
    header.encode(into: &w)
    let decoded = try w.bytes.withUnsafeBytes { raw in
      var r = ThriftCompactReader(raw)
      return try ParquetPageHeader.decode(from: &r)
    }
    #expect(decoded == header)
  }

  @Test func footerRoundTrips() throws {
    let stats = ParquetFileMetadata.Statistics(minValue: [1, 2], maxValue: [3], nullCount: 4, nanCount: 0)
    let chunk = ParquetFileMetadata.ColumnChunk(
      physicalType: .byteArray, encodings: [.plain, .rle, .rleDictionary], path: ["name"], codec: .zstd,
      numValues: 10, totalUncompressedSize: 100, totalCompressedSize: 50, dataPageOffset: 40,
      dictionaryPageOffset: 4, statistics: stats)
    let metadata = ParquetFileMetadata(
      version: 1,
      columns: ParquetTestSupport.edgeCaseTable().columns.map(ParquetWriter.schemaColumn),
      numRows: 10,
      rowGroups: [
        .init(
          columns: Array(repeating: chunk, count: 4), totalByteSize: 400, numRows: 10, fileOffset: 4,
          totalCompressedSize: 200, ordinal: 0)
      ],
      createdBy: "test", columnOrders: Array(repeating: .typeDefined, count: 4))
    var w = ThriftCompactWriter()
    metadata.encode(into: &w)
    let decoded = try w.bytes.withUnsafeBytes { raw in
      var r = ThriftCompactReader(raw)
      return try ParquetFileMetadata.decode(from: &r)
    }
    #expect(decoded == metadata)
  }
}
