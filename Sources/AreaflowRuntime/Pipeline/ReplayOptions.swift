/// Tuning knobs of a replay; none of them changes the results.
public struct ReplayOptions: Sendable {
  /// Shard queues (`--threads`).
  public var threads: Int
  /// Lines per batch at most (`--batch-size`).
  public var batchLines: Int
  /// Batches decoded or aggregating at once; the reader waits beyond this (backpressure). Sixteen absorb the
  /// pauses of a shard closing windows or the sink encoding a commit (measured: 8 left a core idle a tenth of the
  /// time), for about 1 MB per batch of 4096 lines.
  public var maxInFlight: Int
  /// Print a progress line to stderr.
  public var showProgress: Bool
  /// Rows buffered before a commit writes part files. 25,000 keeps the sink's buffers, the sorted tables and the
  /// encoded text of one commit small (peak memory is lower than with 50,000 and throughput the same).
  public var rowsPerCommit: Int

  public init(
    threads: Int, batchLines: Int = 4096, maxInFlight: Int = 16, showProgress: Bool, rowsPerCommit: Int = 25_000
  ) {
    self.threads = max(1, threads)
    self.batchLines = max(1, batchLines)
    self.maxInFlight = max(2, maxInFlight)
    self.showProgress = showProgress
    self.rowsPerCommit = rowsPerCommit
  }
}
