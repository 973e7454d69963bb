/// How `run` behaves; none of it changes the rows of a single-input run.
public struct LiveOptions: Sendable {
  /// Shard queues (a resumed run keeps the checkpoint's).
  public var threads: Int
  public var batchLines: Int
  public var maxInFlight: Int
  public var rowsPerCommit: Int
  /// How often files are checked for appended bytes, rotation and truncation, in nanoseconds.
  public var pollInterval: Int64
  /// Bytes read from files per poll before the intake lets a flush in.
  public var pollBudget: Int
  /// `--once`: stop at the end of the inputs, closing every window.
  public var once: Bool
  /// Fault-injection for tests (`AREAFLOW_TEST_COMMIT_PAUSE_MS`): sleep this long inside each commit.
  public var commitPauseMilliseconds: Int

  public init(
    threads: Int, batchLines: Int = PipelineDefaults.batchLines, maxInFlight: Int = 8, rowsPerCommit: Int = 50_000,
    pollInterval: Int64 = 100_000_000, pollBudget: Int = 8 << 20, once: Bool = false, commitPauseMilliseconds: Int = 0
  ) {
    self.threads = max(1, threads)
    self.batchLines = max(1, batchLines)
    self.maxInFlight = max(2, maxInFlight)
    self.rowsPerCommit = rowsPerCommit
    self.pollInterval = max(1_000_000, pollInterval)
    self.pollBudget = max(1 << 16, pollBudget)
    self.once = once
    self.commitPauseMilliseconds = commitPauseMilliseconds
  }
}
