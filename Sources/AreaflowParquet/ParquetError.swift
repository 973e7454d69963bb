/// Errors raised while writing or reading Parquet files.
public enum ParquetError: Error, Equatable, Sendable {
  /// The table cannot be written as given (e.g. a column's length differs from `rowCount`).
  case invalidTable(String)
  /// The bytes are not a Parquet file this reader understands, or are damaged.
  case malformed(String)
  /// The file uses a feature the reader deliberately does not implement.
  case unsupported(String)
  /// libzstd reported an error.
  case compression(String)
}
