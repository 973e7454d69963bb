/// Defaults that `replay` and `run` share, stated once.
public enum PipelineDefaults {
  /// Lines per batch (`--batch-size`): 4096 lines (about 0.5 MiB of NDJSON) keep the stages busy with 16 batches
  /// in flight, and memory holds half as much in-flight data as with 8192. Results never depend on it.
  public static let batchLines = 4096
}
