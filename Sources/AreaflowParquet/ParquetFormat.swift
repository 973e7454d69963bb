/// Numeric codes from the Parquet format's Thrift definition (`parquet.thrift`).
///
/// Grouped in one namespace so the writer, the reader and the metadata model share a single
/// spelling of every magic number; raw values are the Thrift enum values written on disk.
public enum ParquetFormat {
  /// The four bytes that open and close every Parquet file.
  static let magic: [UInt8] = Array("PAR1".utf8)

  /// `Type`: how values are laid out physically.
  public enum PhysicalType: Int32, Sendable {
    case boolean = 0
    case int32 = 1
    case int64 = 2
    case int96 = 3
    case float = 4
    case double = 5
    case byteArray = 6
    case fixedLenByteArray = 7
  }

  /// `FieldRepetitionType`.
  public enum Repetition: Int32, Sendable {
    case required = 0
    case optional = 1
    case repeated = 2
  }

  /// `ConvertedType`, the legacy annotation older readers still look at.
  public enum ConvertedType: Int32, Sendable {
    case utf8 = 0
    case timestampMillis = 9
    case timestampMicros = 10
  }

  /// `Encoding`.
  public enum Encoding: Int32, Sendable {
    case plain = 0
    case plainDictionary = 2
    case rle = 3
    case bitPacked = 4
    case deltaBinaryPacked = 5
    case deltaLengthByteArray = 6
    case deltaByteArray = 7
    case rleDictionary = 8
    case byteStreamSplit = 9
  }

  /// `CompressionCodec`.
  public enum Codec: Int32, Sendable {
    case uncompressed = 0
    case snappy = 1
    case gzip = 2
    case lzo = 3
    case brotli = 4
    case lz4 = 5
    case zstd = 6
    case lz4Raw = 7
  }

  /// `PageType`.
  public enum PageType: Int32, Sendable {
    case dataPage = 0
    case indexPage = 1
    case dictionaryPage = 2
    case dataPageV2 = 3
  }

  /// `TimeUnit` of the TIMESTAMP logical type (the union's field ids).
  public enum TimeUnit: Int16, Sendable {
    case millis = 1
    case micros = 2
    case nanos = 3
  }

  /// The subset of `LogicalType` this package writes; anything else is kept as its union field id.
  public enum LogicalType: Sendable, Equatable {
    case string
    case timestamp(isAdjustedToUTC: Bool, unit: TimeUnit)
    case other(fieldID: Int16)
  }

  /// `ColumnOrder` union; only `TypeDefinedOrder` is written.
  public enum ColumnOrder: Sendable, Equatable {
    case typeDefined
    case other(fieldID: Int16)
  }
}
