import AreaflowParquet

/// The `SnapshotEncoder` that writes snapshot tables as Parquet files.
///
/// A thin adapter so the snapshot machinery stays format-agnostic; all format work happens in
/// `ParquetWriter`.
public struct ParquetSnapshotEncoder: SnapshotEncoder {
  public let fileExtension = "parquet"
  public let writer: ParquetWriter

  /// - Parameters:
  ///   - createdBy: recorded in the footer, e.g. "areaflow version 0.1.0".
  ///   - rowGroupSize: rows per row group; tests lower it to force many row groups.
  public init(createdBy: String, rowGroupSize: Int = 65_536) {
    self.writer = ParquetWriter(options: .init(createdBy: createdBy, rowGroupSize: rowGroupSize))
  }

  /// For callers that need the other writer knobs (page size, dictionary limit, zstd level).
  public init(options: ParquetWriter.Options) {
    self.writer = ParquetWriter(options: options)
  }

  public func encode(_ table: SnapshotTable) throws -> [UInt8] {
    try writer.write(table)
  }
}
