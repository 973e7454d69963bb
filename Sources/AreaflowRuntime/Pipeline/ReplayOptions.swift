/// Tuning knobs of a replay; none of them changes the results.
public struct ReplayOptions: Sendable {
  /// Shard queues (`--threads`).
  public var threads: Int
  /// Lines per batch at most (`--batch-size`).
  public var batchLines: Int
  /// Batches decoded or aggregating at once; the reader waits beyond this (backpressure). Sixteen absorb the
  /// pauses of a shard closing windows or the sink encoding a commit: in interleaved runs of the bundled config,
  /// 16 (with 25,000 rows per commit) took 2.59–2.86 s against 2.79–3.03 s for 8 (with 50,000).
  public var maxInFlight: Int
  /// Print a progress line to stderr.
  public var showProgress: Bool
  /// Rows buffered before a commit writes part files. 25,000 keeps the sink's buffers, the sorted tables and the
  /// encoded text of one commit small (in the same runs: peaks of 148–151 MB against 155–163 MB).
  public var rowsPerCommit: Int

  public init(
    threads: Int, batchLines: Int = PipelineDefaults.batchLines, maxInFlight: Int = 16, showProgress: Bool,
    rowsPerCommit: Int = 25_000
  ) {
    self.threads = max(1, threads)
    self.batchLines = max(1, batchLines)
    self.maxInFlight = max(2, maxInFlight)
    self.showProgress = showProgress
    self.rowsPerCommit = rowsPerCommit
  }
}
