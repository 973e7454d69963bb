import AreaflowCore
import Dispatch
import Logging

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The commit step of `run`, with a narrow API: take a consistent cut, commit it, report a failure.
///
/// A commit stages the snapshot files of the rows closed so far under hidden names, writes the checkpoint that
/// lists them (the commit point: `CheckpointStore.write` renames it into place), then renames the staged files
/// into place. A crash at any moment leaves the previous or the new state, and `CheckpointStore.recover` finishes
/// or undoes a commit that was interrupted. A failed commit keeps every row for the next attempt.
///
/// Confined to the driver's intake queue.
final class LiveCommit {
  /// What a successful commit wrote.
  struct Committed {
    let epoch: Int
    let rows: Int64
    let files: Int
    /// The tables of the files it published (when the stages keep them for a view).
    let published: [(window: Int, scheme: Int, table: SnapshotTable)]
  }

  /// Why a commit failed; its rows and state are kept.
  struct Failure: Error, CustomStringConvertible {
    let description: String
  }

  private let stages: PipelineStages
  /// What every checkpoint of this run is written for; the config does not change while it runs.
  private let fingerprint: String
  private let directory: String
  private let keepsOpenTables: Bool
  private let pauseMilliseconds: Int
  private let logger: Logger
  /// The driver's intake queue, asserted by every entry point.
  private let queue: DispatchQueue
  /// The epoch of the last checkpoint committed.
  private(set) var epoch: Int

  /// - Parameters:
  ///   - epoch: the epoch of the checkpoint the run resumed from (0 for a fresh start).
  ///   - keepsOpenTables: cut the partial rows of open windows too (for the HTTP view). Under `privacy` they are
  ///     never cut: the partial values of one window at two moments could be subtracted to isolate one
  ///     contributor, so only final windows are served.
  ///   - pauseMilliseconds: fault injection for tests: sleep this long before and after writing the checkpoint.
  init(
    stages: PipelineStages, config: PipelineConfig, directory: String, epoch: Int, keepsOpenTables: Bool,
    pauseMilliseconds: Int, queue: DispatchQueue, logger: Logger
  ) {
    self.queue = queue
    self.stages = stages
    fingerprint = LiveCheckpoint.fingerprint(of: config)
    self.directory = directory
    self.epoch = epoch
    self.keepsOpenTables = keepsOpenTables && config.privacy?.contributorField == nil
    self.pauseMilliseconds = pauseMilliseconds
    self.logger = logger
  }

  /// Drains the stages and takes their state. `positions` must be the sources' positions as of the last chunk
  /// handed on, with no read in between: that is what makes the cut consistent.
  /// `feed` is the `gtfs-rt` counters and position memory as of the same moment.
  func cut(
    positions: [InputPosition], inputErrors: [String], feed: (FeedSummary, PositionMemory)? = nil
  ) -> LiveCut {
    dispatchPrecondition(condition: .onQueue(queue))
    stages.drain()
    var counters = stages.currentCounters()
    counters.inputErrors = stages.sinkQueue.sync { stages.sink.summary.inputErrors }
    for e in inputErrors where !counters.inputErrors.contains(e) { counters.inputErrors.append(e) }
    counters.feed = feed?.0
    return LiveCut(
      positions: positions, positionMemory: feed.map { $0.1.encode() }, counters: counters,
      shardStates: stages.shardStates(),
      stamper: stages.sequencerQueue.sync { stages.stamper.state }, labels: stages.labels.snapshot(),
      openWindows: stages.openWindows(), openTables: keepsOpenTables ? stages.peekOpen() : [])
  }

  /// Commits `cut`: its rows as part files and a checkpoint of its state, as one atomic step.
  func commit(_ cut: LiveCut) -> Result<Committed, Failure> {
    dispatchPrecondition(condition: .onQueue(queue))
    let sink = stages.sink
    let nextEpoch = epoch + 1
    let fingerprint = fingerprint
    let shardCount = stages.shards.count
    let (directory, logger, pause) = (directory, logger, pauseMilliseconds)
    let result = stages.sinkQueue.sync { () -> Result<Committed, Failure> in
      sink.add(rejects: [], late: [], counters: cut.counters)
      let rowsBefore = sink.summary.rowsWritten
      let filesBefore = sink.summary.files.count
      let ok = sink.publish { staged, partSequence, summary throws(AtomicFile.WriteError) in
        logger.debug("commit staged", metadata: ["epoch": "\(nextEpoch)", "files": "\(staged.count)"])
        if pause > 0 { usleep(UInt32(pause * 1000)) }
        let checkpoint = LiveCheckpoint(
          configFingerprint: fingerprint, epoch: nextEpoch, shardCount: shardCount, partSequence: partSequence,
          stamper: cut.stamper, summary: summary, labels: cut.labels, shards: cut.shardStates,
          inputs: cut.positions, pendingFiles: staged, positionMemory: cut.positionMemory)
        try CheckpointStore.write(checkpoint, directory: directory)
        logger.debug("checkpoint written", metadata: ["epoch": "\(nextEpoch)"])
        if pause > 0 { usleep(UInt32(pause * 1000)) }
      }
      guard ok else { return .failure(Failure(description: sink.failure?.description ?? "unknown")) }
      return .success(
        Committed(
          epoch: nextEpoch, rows: sink.summary.rowsWritten - rowsBefore, files: sink.summary.files.count - filesBefore,
          published: sink.published))
    }
    if case .success = result { epoch = nextEpoch }
    return result
  }
}
