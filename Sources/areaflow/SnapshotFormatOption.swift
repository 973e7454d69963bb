import AreaflowCore
import ArgumentParser

extension OutputConfig.Format: ExpressibleByArgument {}

/// The encoder for an output format.
enum SnapshotEncoders {
  static func make(_ format: OutputConfig.Format) -> any SnapshotEncoder {
    switch format {
    case .csv: return CSVSnapshotEncoder()
    case .ndjson: return NDJSONSnapshotEncoder()
    case .parquet: return ParquetSnapshotEncoder(createdBy: "areaflow version \(Areaflow.version)")
    }
  }
}
