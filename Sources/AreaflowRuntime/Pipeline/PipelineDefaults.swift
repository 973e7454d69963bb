/// Defaults that `replay` and `run` share, stated once.
public enum PipelineDefaults {
  /// Lines per batch (`--batch-size`). Every batch costs a few hand-offs between queues and a fixed amount of work
  /// per stage; 8192 lines (about 1 MiB of NDJSON, where the framer cuts a chunk anyway) halve those against 4096.
  /// Alternated replays of 2 million events: 0.75 s against 0.80 s on the two-window config and 1.33 s against
  /// 1.39 s on `configs/transport.yaml`; a 10-million-event replay of the latter peaked at 99 MB against 88 MB with
  /// 16 batches in flight. Results never depend on it.
  public static let batchLines = 8192
}
