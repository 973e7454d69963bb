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

extension ParquetError: CustomStringConvertible {
  /// What went wrong, in words a user can act on (these reach config errors and `inspect`).
  public var description: String {
    switch self {
    case .invalidTable(let m): "cannot write the table: \(m)"
    case .malformed(let m): "damaged or not Parquet: \(m)"
    case .unsupported(let m): "unsupported Parquet feature: \(m)"
    case .compression(let m): "cannot decompress a page: \(m)"
    }
  }
}
