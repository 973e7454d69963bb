/// Writes a `ParquetTable` as one Parquet file held in memory.
///
/// Layout choices, all aimed at files that pyarrow, DuckDB, polars and Spark read without fuss:
/// a flat schema; strings as optional BYTE_ARRAY with the STRING logical type (plus converted type
/// UTF8 for older readers), dictionary encoded while the dictionary stays small; timestamps as
/// required INT64 TIMESTAMP(MILLIS, UTC); integers and doubles as optional INT64/DOUBLE, PLAIN.
/// Data page v1 with RLE definition levels, every page zstd compressed, chunk statistics in the
/// `min_value`/`max_value` fields and `TypeDefinedOrder` column orders so readers trust them.
public struct ParquetWriter: Sendable {
  /// Tuning knobs; the defaults suit tables of up to a few million rows.
  public struct Options: Sendable {
    /// Recorded as `created_by`, e.g. "areaflow version 0.1.0".
    public var createdBy: String
    /// Rows per row group. Smaller groups let readers skip more by statistics; larger ones compress
    /// better and have less metadata.
    public var rowGroupSize: Int
    /// Target uncompressed bytes of values per data page.
    public var dataPageSize: Int
    /// Upper bound on rows per data page, whatever the byte size.
    public var maxRowsPerPage: Int
    /// A string column chunk whose PLAIN dictionary would exceed this many bytes is written PLAIN.
    public var dictionaryPageSizeLimit: Int
    /// zstd level; 1 is Arrow's default.
    public var compressionLevel: Int32

    public init(
      createdBy: String, rowGroupSize: Int = 65_536, dataPageSize: Int = 1 << 20, maxRowsPerPage: Int = 65_536,
      dictionaryPageSizeLimit: Int = 1 << 20, compressionLevel: Int32 = 1
    ) {
      self.createdBy = createdBy
      self.rowGroupSize = rowGroupSize
      self.dataPageSize = dataPageSize
      self.maxRowsPerPage = maxRowsPerPage
      self.dictionaryPageSizeLimit = dictionaryPageSizeLimit
      self.compressionLevel = compressionLevel
    }
  }

  public var options: Options

  public init(options: Options) {
    self.options = options
  }

  /// Returns the bytes of a complete Parquet file holding `table`.
  public func write(_ table: ParquetTable) throws -> [UInt8] {
    try Self.validate(table)
    guard options.rowGroupSize > 0, options.maxRowsPerPage > 0, options.dataPageSize > 0 else {
      throw ParquetError.invalidTable("rowGroupSize, maxRowsPerPage and dataPageSize must be positive")
    }
    var out: [UInt8] = []
    out.reserveCapacity(1 << 16)
    out.append(contentsOf: ParquetFormat.magic)
    var encoder = ParquetColumnChunkEncoder(options: options)
    var rowGroups: [ParquetFileMetadata.RowGroup] = []
    var start = 0
    while start < table.rowCount {
      let rows = start..<min(start + options.rowGroupSize, table.rowCount)
      let groupOffset = out.count
      var chunks: [ParquetFileMetadata.ColumnChunk] = []
      chunks.reserveCapacity(table.columns.count)
      for column in table.columns {
        chunks.append(try encoder.encode(column, rows: rows, into: &out))
      }
      rowGroups.append(
        ParquetFileMetadata.RowGroup(
          columns: chunks, totalByteSize: chunks.reduce(0) { $0 + $1.totalUncompressedSize },
          numRows: Int64(rows.count), fileOffset: Int64(groupOffset),
          totalCompressedSize: chunks.reduce(0) { $0 + $1.totalCompressedSize },
          ordinal: Int16(exactly: rowGroups.count)))
      start = rows.upperBound
    }
    let metadata = ParquetFileMetadata(
      version: 1, columns: table.columns.map(Self.schemaColumn), numRows: Int64(table.rowCount),
      rowGroups: rowGroups, createdBy: options.createdBy,
      columnOrders: Array(repeating: .typeDefined, count: table.columns.count))
    var footer = ThriftCompactWriter(capacity: 1024 + 256 * table.columns.count * max(1, rowGroups.count))
    metadata.encode(into: &footer)
    out.append(contentsOf: footer.bytes)
    let footerLength = UInt32(footer.bytes.count)
    for b in 0..<4 { out.append(UInt8(truncatingIfNeeded: footerLength >> UInt32(8 * b))) }
    out.append(contentsOf: ParquetFormat.magic)
    return out
  }

  /// The schema leaf for a column; see the type's documentation for the mapping.
  static func schemaColumn(_ column: ParquetTable.Column) -> ParquetFileMetadata.SchemaColumn {
    switch column {
    case .string(let name, _):
      return .init(
        name: name, physicalType: .byteArray, repetition: .optional, convertedType: .utf8, logicalType: .string)
    case .timestamp(let name, _):
      return .init(
        name: name, physicalType: .int64, repetition: .required, convertedType: .timestampMillis,
        logicalType: .timestamp(isAdjustedToUTC: true, unit: .millis))
    case .int64(let name, _):
      return .init(name: name, physicalType: .int64, repetition: .optional, convertedType: nil, logicalType: nil)
    case .double(let name, _):
      return .init(name: name, physicalType: .double, repetition: .optional, convertedType: nil, logicalType: nil)
    }
  }

  /// Rejects tables that would produce a file readers disagree about.
  static func validate(_ table: ParquetTable) throws {
    guard table.rowCount >= 0 else { throw ParquetError.invalidTable("negative rowCount") }
    guard !table.columns.isEmpty else { throw ParquetError.invalidTable("a Parquet file needs at least one column") }
    var names = Set<[UInt8]>()
    for column in table.columns {
      let (name, count) = column.nameAndCount
      guard count == table.rowCount else {
        throw ParquetError.invalidTable("column \(name) has \(count) values, the table has \(table.rowCount) rows")
      }
      // Compared as bytes: canonically equivalent but different names are different columns.
      guard names.insert(Array(name.utf8)).inserted else {
        throw ParquetError.invalidTable("duplicate column name \(name)")
      }
    }
  }
}

extension ParquetTable.Column {
  /// The column's name and number of values, whatever its kind.
  var nameAndCount: (name: String, count: Int) {
    switch self {
    case .string(let name, let values): (name, values.count)
    case .timestamp(let name, let millis): (name, millis.count)
    case .int64(let name, let values): (name, values.count)
    case .double(let name, let values): (name, values.count)
    }
  }
}
