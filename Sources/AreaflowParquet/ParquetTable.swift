/// A flat table in columnar form: the one shape this library writes and reads.
///
/// Four column kinds cover what areaflow's snapshots hold (text, UTC milliseconds, integers, doubles, each but
/// timestamps nullable), so the writer needs no schema language. areaflow's core names this type `SnapshotTable`
/// and builds its snapshots in it directly.
public struct ParquetTable: Sendable, Equatable {
  /// One named, typed column. All columns of a table hold `rowCount` values.
  public enum Column: Sendable, Equatable {
    /// UTF-8 text; nil is null.
    case string(name: String, values: [String?])
    /// Milliseconds since the Unix epoch, UTC; never null.
    case timestamp(name: String, millis: [Int64])
    /// Integers (`count`, `distinct`); nil is null.
    case int64(name: String, values: [Int64?])
    /// Floating point features; nil is null. NaN and infinities may occur.
    case double(name: String, values: [Double?])
  }
  public var columns: [Column]
  public var rowCount: Int
  public init(columns: [Column], rowCount: Int) {
    self.columns = columns
    self.rowCount = rowCount
  }
}

extension ParquetTable.Column {
  /// The column's name.
  public var name: String {
    switch self {
    case .string(let n, _), .timestamp(let n, _), .int64(let n, _), .double(let n, _): n
    }
  }
}
