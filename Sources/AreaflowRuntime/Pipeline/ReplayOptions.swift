/// Tuning knobs of a replay; none of them changes the results.
public struct ReplayOptions: Sendable {
  /// Shard queues (`--threads`).
  public var threads: Int
  /// Lines per batch at most (`--batch-size`).
  public var batchLines: Int
  /// Batches decoded or aggregating at once; the reader waits beyond this (backpressure).
  public var maxInFlight: Int
  /// Print a progress line to stderr.
  public var showProgress: Bool
  /// Rows buffered before a commit writes part files.
  public var rowsPerCommit: Int

  public init(
    threads: Int, batchLines: Int = 8192, maxInFlight: Int = 8, showProgress: Bool, rowsPerCommit: Int = 50_000
  ) {
    self.threads = max(1, threads)
    self.batchLines = max(1, batchLines)
    self.maxInFlight = max(2, maxInFlight)
    self.showProgress = showProgress
    self.rowsPerCommit = rowsPerCommit
  }
}
