import AreaflowCore
import ArgumentParser

extension OutputConfig.Format: ExpressibleByArgument {}

/// The encoder for an output format.
enum SnapshotEncoders {
  static func make(_ format: OutputConfig.Format) throws -> any SnapshotEncoder {
    switch format {
    case .csv: return CSVSnapshotEncoder()
    case .ndjson: return NDJSONSnapshotEncoder()
    case .parquet:
      StandardErrorText.write("areaflow: the parquet format is not available in this build; use csv or ndjson\n")
      throw ExitCode(2)
    }
  }
}
