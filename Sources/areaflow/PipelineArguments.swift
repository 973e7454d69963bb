import AreaflowCore
import AreaflowRuntime
import ArgumentParser
import Foundation

/// The options `replay` and `run` share: which config, where the snapshots go, in which format, and the tuning
/// knobs that never change results.
struct PipelineArguments: ParsableArguments {
  @Option(name: .long, help: "The YAML config file.")
  var config: String

  @Option(name: .long, help: "Output directory (overrides output.dir).")
  var out: String?

  @Option(name: .long, help: "Snapshot format: csv, ndjson or parquet (overrides output.format).")
  var format: OutputConfig.Format?

  @Option(name: .long, help: "Shard queues for aggregation (default: the number of cores).")
  var threads: Int?

  @Option(name: .long, help: "Lines per batch (results never depend on it).")
  var batchSize: Int = PipelineDefaults.batchLines

  /// Shard queues to use: `--threads`, else one per core.
  var threadCount: Int { threads ?? ProcessInfo.processInfo.activeProcessorCount }

  func validate() throws {
    if let threads, threads < 1 || threads > 256 { throw ValidationError("--threads must be between 1 and 256") }
    if batchSize < 1 { throw ValidationError("--batch-size must be at least 1") }
  }
}
