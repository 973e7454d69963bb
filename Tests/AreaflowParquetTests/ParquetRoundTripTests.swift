import AreaflowCore
import Testing

@testable import AreaflowParquet

@Suite("Parquet writer → ParquetReader round trips")
struct ParquetRoundTripTests {
  @discardableResult
  private func roundTrip(_ table: SnapshotTable, options: ParquetWriter.Options? = nil) throws -> ParquetReader {
    let writer = ParquetWriter(options: options ?? .init(createdBy: ParquetTestSupport.createdBy))
    let bytes = try writer.write(table)
    let reader = try ParquetReader(bytes: bytes)
    let read = try reader.readTable()
    #expect(ParquetTestSupport.bitwiseEqual(read, table), "round trip changed the table")
    return reader
  }

  private static func littleEndian(_ bits: UInt64) -> [UInt8] {
    (0..<8).map { UInt8(truncatingIfNeeded: bits >> UInt64(8 * $0)) }
  }

  @Test func allColumnKindsWithEdgeValues() throws {
    let reader = try roundTrip(ParquetTestSupport.edgeCaseTable())
    let metadata = reader.metadata
    #expect(metadata.createdBy == ParquetTestSupport.createdBy)
    #expect(metadata.numRows == 12)
    #expect(metadata.rowGroups.count == 1)
    #expect(metadata.columnOrders == Array(repeating: .typeDefined, count: 4))
    #expect(metadata.columns.map(\.physicalType) == [.byteArray, .int64, .int64, .double])
    #expect(metadata.columns.map(\.repetition) == [.optional, .required, .optional, .optional])
    #expect(metadata.columns[0].logicalType == .string)
    #expect(metadata.columns[0].convertedType == .utf8)
    #expect(metadata.columns[1].logicalType == .timestamp(isAdjustedToUTC: true, unit: .millis))
    #expect(metadata.columns[1].convertedType == .timestampMillis)

    let chunks = metadata.rowGroups[0].columns
    #expect(chunks.allSatisfy { $0.codec == .zstd && $0.numValues == 12 })
    // Strings: dictionary encoded; min is the empty string, max compares bytes ("日" is E6…, above "ü" C3…).
    #expect(chunks[0].dictionaryPageOffset == 4)
    #expect(chunks[0].encodings.contains(.rleDictionary))
    #expect(chunks[0].statistics?.minValue == [])
    #expect(chunks[0].statistics?.maxValue == Array("日本語".utf8))
    #expect(chunks[0].statistics?.nullCount == 2)
    #expect(chunks[1].statistics?.minValue == Self.littleEndian(UInt64(bitPattern: -62_135_596_800_000)))
    #expect(chunks[1].statistics?.nullCount == 0)
    #expect(chunks[2].statistics?.minValue == Self.littleEndian(UInt64(bitPattern: Int64.min)))
    #expect(chunks[2].statistics?.maxValue == Self.littleEndian(UInt64(bitPattern: Int64.max)))
    // Doubles: NaN is excluded from min/max and counted separately.
    #expect(chunks[3].statistics?.minValue == Self.littleEndian((-Double.infinity).bitPattern))
    #expect(chunks[3].statistics?.maxValue == Self.littleEndian(Double.infinity.bitPattern))
    #expect(chunks[3].statistics?.nanCount == 1)
    #expect(chunks[3].statistics?.nullCount == 2)
    // Sizes: the chunks tile the file from offset 4 without gaps.
    var offset: Int64 = 4
    for chunk in chunks {
      #expect((chunk.dictionaryPageOffset ?? chunk.dataPageOffset) == offset)
      #expect(chunk.totalCompressedSize > 0 && chunk.totalUncompressedSize > 0)
      offset += chunk.totalCompressedSize
    }
  }

  @Test func allNullColumnsHaveNoMinMax() throws {
    let metadata = try roundTrip(ParquetTestSupport.allNullTable()).metadata
    let stats = metadata.rowGroups[0].columns.map(\.statistics)
    for index in [0, 2, 3, 4] {
      #expect(stats[index]?.minValue == nil && stats[index]?.maxValue == nil, "column \(index)")
    }
    #expect(stats[0]?.nullCount == 3)
    #expect(stats[4]?.nullCount == 1 && stats[4]?.nanCount == 2)
    // An all-null string chunk has no dictionary to write.
    #expect(metadata.rowGroups[0].columns[0].dictionaryPageOffset == nil)
  }

  @Test func signedZeroBounds() throws {
    let table = SnapshotTable(columns: [.double(name: "z", values: [0.0, 1.0, -0.0])], rowCount: 3)
    let stats = try roundTrip(table).metadata.rowGroups[0].columns[0].statistics
    #expect(stats?.minValue == Self.littleEndian((-0.0).bitPattern))
    let positive = SnapshotTable(columns: [.double(name: "z", values: [-0.0, -1.0])], rowCount: 2)
    let positiveStats = try roundTrip(positive).metadata.rowGroups[0].columns[0].statistics
    #expect(positiveStats?.maxValue == Self.littleEndian((0.0).bitPattern))
  }

  @Test func singleRow() throws {
    try roundTrip(
      SnapshotTable(
        columns: [
          .string(name: "s", values: [""]), .timestamp(name: "t", millis: [-1]), .int64(name: "i", values: [nil]),
          .double(name: "d", values: [.nan]),
        ], rowCount: 1))
  }

  @Test func emptyTableHasNoRowGroups() throws {
    let table = SnapshotTable(
      columns: [.string(name: "s", values: []), .timestamp(name: "t", millis: [])], rowCount: 0)
    #expect(try roundTrip(table).metadata.rowGroups.isEmpty)
  }

  @Test func canonicallyEquivalentStringsKeepTheirBytes() throws {
    // "é" precomposed and decomposed are == as Swift Strings but must stay distinct dictionary entries.
    let table = SnapshotTable(
      columns: [.string(name: "s", values: ["\u{E9}", "e\u{301}", "\u{E9}", "e\u{301}", nil, "\u{0}", "a\u{0}b"])],
      rowCount: 7)
    let reader = try roundTrip(table)
    #expect(reader.metadata.rowGroups[0].columns[0].encodings.contains(.rleDictionary))
  }

  @Test func manyRowGroupsAndPages() throws {
    let table = ParquetTestSupport.snapshotLikeTable(rows: 5_000)
    let options = ParquetWriter.Options(
      createdBy: "test", rowGroupSize: 333, dataPageSize: 512, maxRowsPerPage: 100)
    let metadata = try roundTrip(table, options: options).metadata
    #expect(metadata.rowGroups.count == 16)
    #expect(metadata.rowGroups.map(\.numRows).reduce(0, +) == 5_000)
    #expect(metadata.rowGroups.last.map { Int($0.numRows) } == 5_000 - 15 * 333)
    #expect(metadata.rowGroups.map(\.ordinal) == (0..<16).map { Int16($0) })
  }

  @Test func dictionaryFallsBackToPlain() throws {
    let values: [String?] = (0..<2_000).map { $0 % 10 == 0 ? nil : "value-\($0)" }
    let table = SnapshotTable(columns: [.string(name: "s", values: values)], rowCount: values.count)
    let options = ParquetWriter.Options(createdBy: "test", dictionaryPageSizeLimit: 1_000)
    let chunk = try roundTrip(table, options: options).metadata.rowGroups[0].columns[0]
    #expect(chunk.dictionaryPageOffset == nil)
    #expect(!chunk.encodings.contains(.rleDictionary))
    #expect(chunk.statistics?.minValue == Array("value-1".utf8))
    #expect(chunk.statistics?.maxValue == Array("value-999".utf8))
    #expect(chunk.statistics?.nullCount == 200)
  }

  @Test func largeDictionaryNeedsWideIndices() throws {
    // 70,000 distinct short strings, each twice in a row: 17-bit indices, dictionary under the size limit.
    let values: [String?] = (0..<140_000).map { String($0 / 2) }
    let table = SnapshotTable(columns: [.string(name: "s", values: values)], rowCount: values.count)
    let options = ParquetWriter.Options(createdBy: "test", rowGroupSize: 200_000)
    let chunk = try roundTrip(table, options: options).metadata.rowGroups[0].columns[0]
    #expect(chunk.encodings.contains(.rleDictionary))
  }

  @Test func mostlyUniqueStringsSkipTheDictionary() throws {
    let values: [String?] = (0..<10_000).map { "id-\($0)" }
    let table = SnapshotTable(columns: [.string(name: "s", values: values)], rowCount: values.count)
    let chunk = try roundTrip(table).metadata.rowGroups[0].columns[0]
    #expect(chunk.dictionaryPageOffset == nil)
    #expect(chunk.statistics?.minValue == Array("id-0".utf8))
    #expect(chunk.statistics?.maxValue == Array("id-9999".utf8))
  }

  @Test func snapshotEncoderConformance() throws {
    let encoder: any SnapshotEncoder = ParquetSnapshotEncoder(createdBy: "areaflow version 0.1.0", rowGroupSize: 4)
    #expect(encoder.fileExtension == "parquet")
    let table = ParquetTestSupport.edgeCaseTable()
    let reader = try ParquetReader(bytes: try encoder.encode(table))
    #expect(reader.metadata.rowGroups.count == 3)
    #expect(ParquetTestSupport.bitwiseEqual(try reader.readTable(), table))
  }

  @Test func invalidTablesAreRejected() {
    let writer = ParquetWriter(options: .init(createdBy: "test"))
    #expect(throws: ParquetError.self) {
      try writer.write(SnapshotTable(columns: [.int64(name: "a", values: [1, 2])], rowCount: 3))
    }
    #expect(throws: ParquetError.self) {
      try writer.write(
        SnapshotTable(columns: [.int64(name: "a", values: [1]), .double(name: "a", values: [1])], rowCount: 1))
    }
    #expect(throws: ParquetError.self) { try writer.write(SnapshotTable(columns: [], rowCount: 0)) }
  }

  @Test func readerRejectsDamagedFiles() throws {
    var bytes = try ParquetWriter(options: .init(createdBy: "test")).write(ParquetTestSupport.edgeCaseTable())
    #expect(throws: ParquetError.self) { try ParquetReader(bytes: Array(bytes.dropLast())) }
    bytes[bytes.count - 5] = 0x7F  // footer length now points before the file start
    #expect(throws: ParquetError.self) { try ParquetReader(bytes: bytes) }
  }
}
