import AreaflowCore
import CRdKafka
import Dispatch
import Foundation
import Logging

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The second stage of a scale-out instance: the repartition partitions the aggregation group
/// (`GROUP.aggregate`) gives it. Each has a `PartitionAggregate` and a sink of its own, whose part files are named
/// `part-rNN-…`, and commits into the shared output directory as `ScaleOutStore` epochs: staged files, then the
/// epoch (the commit point), then the renames. A partition given to this instance continues from the newest epoch,
/// whoever wrote it.
///
/// Confined to the driver's queue (which is also every sink's queue).
final class ScaleOutAggregation {
  /// One repartition partition aggregated here.
  final class Partition {
    let aggregate: PartitionAggregate
    let sink: SnapshotSink
    let labels: DimensionLabels
    var epoch: Int
    /// Blocks taken since the last commit.
    var changed = false
    /// When leftovers of killed instances were last swept (system uptime, seconds).
    var lastSweep = 0.0

    init(aggregate: PartitionAggregate, sink: SnapshotSink, labels: DimensionLabels, epoch: Int) {
      self.aggregate = aggregate
      self.sink = sink
      self.labels = labels
      self.epoch = epoch
    }
  }

  let consumer: KafkaConsumer
  let store: ScaleOutStore
  let count: Int
  private let config: PipelineConfig
  private let schemes: [any AreaScheme]
  private let plan: FieldPlan
  private let encoder: any SnapshotEncoder
  private let fingerprint: String
  private let rowsPerCommit: Int
  private let queue: DispatchQueue
  private let logger: Logger
  private let template: RunSummary
  private(set) var partitions: [Int: Partition] = [:]
  /// Partitions another instance committed meanwhile: their blocks are ignored until the group assigns them again.
  private var lost: Set<Int> = []
  /// `AREAFLOW_TEST_COMMIT_PAUSE_MS`: sleep this long before and after each epoch is written.
  var pauseMilliseconds = 0
  /// `run --http`: sinks keep the tables they publish, for the view.
  var keepsTables = false

  init(
    consumer: KafkaConsumer, store: ScaleOutStore, partitions: Int, config: PipelineConfig, schemes: [any AreaScheme],
    plan: FieldPlan, encoder: any SnapshotEncoder, rowsPerCommit: Int, queue: DispatchQueue, logger: Logger
  ) {
    self.consumer = consumer
    self.store = store
    count = partitions
    self.config = config
    self.schemes = schemes
    self.plan = plan
    self.encoder = encoder
    self.rowsPerCommit = rowsPerCommit
    self.queue = queue
    self.logger = logger
    fingerprint = PartitionCheckpoint.fingerprint(of: config, partitions: partitions)
    let regionSchemes = config.areas.filter {
      if case .regions = $0.kind { return true }
      return false
    }
    template = RunSummary(windows: config.windows.map(\.name), regionSchemes: regionSchemes.map(\.name))
  }

  /// Partitions given to this instance: each resumes from its newest epoch, else from the topic's beginning.
  /// - Throws: `ScaleOutStore.Unusable` when a partition's state cannot be used (another config, damaged).
  func assign(_ rs: [Int32]) throws(ScaleOutStore.Unusable) -> [Int32: Int64] {
    var starts: [Int32: Int64] = [:]
    for r in rs { starts[r] = try open(Int(r)) }
    return starts
  }

  /// Loads partition `r` from its newest epoch (or fresh) and returns the offset to read it from.
  private func open(_ r: Int) throws(ScaleOutStore.Unusable) -> Int64 {
    lost.remove(r)
    let checkpoint = try store.recover(r, fingerprint: fingerprint)
    let aggregate = PartitionAggregate(partition: r, partitions: count, config: config, plan: plan, schemes: schemes)
    let labels = DimensionLabels()
    var summary = template
    if let checkpoint {
      do {
        try aggregate.restore(checkpoint.aggregate)
      } catch {
        throw ScaleOutStore.Unusable(description: "repartition partition \(r): \(error)")
      }
      labels.merge(aggregate.labels)
      summary = checkpoint.summary
    }
    let sink = SnapshotSink(
      directory: store.directory, encoder: encoder, assembler: RowAssembler(config: config, schemes: schemes),
      labels: labels, summary: summary, rowsPerCommit: rowsPerCommit, staging: true, queue: queue)
    sink.partPrefix = "part-\(ScaleOutStore.label(r))-"
    sink.stagedSuffix = ".\(store.instance).staged"
    sink.writesSummary = false
    sink.keepsTables = keepsTables
    if let checkpoint { sink.restore(summary: checkpoint.summary, partSequence: checkpoint.partSequence) }
    partitions[r] = Partition(aggregate: aggregate, sink: sink, labels: labels, epoch: checkpoint?.epoch ?? 0)
    guard let checkpoint else { return (try? consumer.watermarks(Int32(r), timeoutMilliseconds: 10_000).low) ?? 0 }
    logger.debug(
      "repartition partition resumed",
      metadata: [
        "partition": "\(r)", "epoch": "\(checkpoint.epoch)", "from": "\(aggregate.resumeOffset)",
        "by": "\(checkpoint.owner)",
      ])
    return aggregate.resumeOffset
  }

  /// Partitions taken away: committed before they go.
  func revoke(_ rs: [Int32]) {
    for r32 in rs {
      let r = Int(r32)
      if partitions[r] != nil { _ = commit(r) }
      partitions.removeValue(forKey: r)
      lost.remove(r)
    }
  }

  /// Takes one block. Returns the partition it changed.
  func take(_ m: KafkaConsumer.Message) -> Int? {
    let r = Int(m.partition)
    guard let partition = partitions[r], !lost.contains(r) else { return nil }
    if m.error == RD_KAFKA_RESP_ERR__PARTITION_EOF { return nil }
    guard m.error == RD_KAFKA_RESP_ERR_NO_ERROR else {
      logger.warning("repartition topic: \(m.errorText)")
      return nil
    }
    do {
      let block = try RepartitionBlock.decode(Array(m.value))
      guard partition.aggregate.take(block, offset: m.offset) else { return nil }
      partition.changed = true
      return r
    } catch {
      logger.error(
        "a message of the repartition topic is not an areaflow block; skipped",
        metadata: ["partition": "\(r)", "offset": "\(m.offset)", "error": "\(error)"])
      return nil
    }
  }

  /// Aggregates what every source partition has settled in `r` and hands the closed rows to its sink.
  func release(_ r: Int) {
    guard let partition = partitions[r] else { return }
    let rows = partition.aggregate.release()
    if !rows.isEmpty { partition.sink.add(rows: rows) }
  }

  /// The idle clock: while every source partition is idle, windows close by wall time.
  func advanceIdle(by nanoseconds: Int64) {
    for partition in partitions.values {
      let rows = partition.aggregate.advanceIdle(by: nanoseconds)
      if !rows.isEmpty {
        partition.sink.add(rows: rows)
        partition.changed = true
      }
    }
  }

  /// The tables the partitions committed in `outcomes` published.
  func published(_ outcomes: [Int: Outcome]) -> [(window: Int, scheme: Int, table: SnapshotTable)] {
    outcomes.keys.sorted().flatMap { r -> [(window: Int, scheme: Int, table: SnapshotTable)] in
      guard case .committed = outcomes[r], let partition = partitions[r] else { return [] }
      return partition.sink.published
    }
  }

  /// The smallest watermark of the partitions aggregated here, or nil.
  var watermark: Int64? {
    partitions.values.map(\.aggregate.closedUpTo).filter { $0 != Int64.min }.min()
  }

  /// What a commit of a partition did.
  enum Outcome {
    case committed(rows: Int64, files: Int)
    case unchanged
    case failed(String)
    /// Another instance committed this epoch first: the partition is no longer ours.
    case lost
  }

  /// Commits every partition that changed, then rewrites the shared `_summary.json`.
  func commitAll() -> [Int: Outcome] {
    var outcomes: [Int: Outcome] = [:]
    for r in partitions.keys.sorted() { outcomes[r] = commit(r) }
    if outcomes.values.contains(where: { if case .committed = $0 { return true } else { return false } }) {
      writeTotal()
    }
    return outcomes
  }

  func writeTotal() {
    store.sweepShared()
    do {
      try store.writeTotal(template: template)
    } catch {
      logger.warning("cannot rewrite _summary.json", metadata: ["error": "\(error)"])
    }
  }

  /// Another instance committed `r`'s next epoch first (it held `r` while this one was slow, or still does): what
  /// this instance aggregated since its last epoch is dropped, and `r` goes on from the newest epoch, read again from
  /// that epoch's offset. While both still hold `r` (until the group takes it from the one that was slow), whichever
  /// commits an epoch second reloads again: work is repeated, rows are not.
  private func reload(_ r: Int) -> Outcome {
    do {
      let start = try open(r)
      try consumer.seek(Int32(r), to: start)
      logger.warning(
        "another instance committed this repartition partition first; continuing from its epoch",
        metadata: ["partition": "\(r)", "epoch": "\(partitions[r]?.epoch ?? 0)"])
    } catch {
      partitions.removeValue(forKey: r)
      lost.insert(r)
      logger.warning(
        "another instance committed this repartition partition; dropping it until the group assigns it again",
        metadata: ["partition": "\(r)", "error": "\(error)"])
    }
    return .lost
  }

  /// Commits partition `r`: its rows as staged part files, then its epoch, then the renames.
  func commit(_ r: Int) -> Outcome {
    guard let partition = partitions[r] else { return .unchanged }
    release(r)
    let aggregate = partition.aggregate
    guard partition.changed || partition.sink.bufferedRows > 0 else { return .unchanged }
    let records = aggregate.takeRecords()
    partition.labels.merge(aggregate.takeLabels())
    var counters = aggregate.counters
    counters.watermark = aggregate.closedUpTo == Int64.min ? nil : aggregate.closedUpTo
    partition.sink.add(rejects: records.rejects, late: records.late, counters: counters)
    let rowsBefore = partition.sink.summary.rowsWritten
    let filesBefore = partition.sink.summary.files.count
    let next = partition.epoch + 1
    var taken = false
    let (store, fingerprint, pause) = (store, fingerprint, pauseMilliseconds)
    let ok = partition.sink.publish { staged, partSequence, summary throws(AtomicFile.WriteError) in
      let checkpoint = PartitionCheckpoint(
        fingerprint: fingerprint, epoch: next, owner: store.instance, partSequence: partSequence, summary: summary,
        pendingFiles: staged, aggregate: aggregate.checkpoint())
      if pause > 0 { usleepMilliseconds(pause) }
      guard try store.commit(checkpoint, partition: r) else {
        taken = true
        throw AtomicFile.WriteError(
          path: "_checkpoint/\(ScaleOutStore.label(r))", reason: "committed by another instance")
      }
      if pause > 0 { usleepMilliseconds(pause) }
    }
    if taken {
      for f in partition.sink.staged { unlink("\(store.directory)/\(f.staged)") }
      partitions.removeValue(forKey: r)
      return reload(r)
    }
    guard ok else { return .failed(partition.sink.failure?.description ?? "unknown") }
    partition.epoch = next
    partition.changed = false
    if partition.lastSweep + 30 <= ProcessInfo.processInfo.systemUptime {
      // What instances killed while committing left of this partition (its part numbers are taken now).
      partition.lastSweep = ProcessInfo.processInfo.systemUptime
      store.sweep(r, epoch: next, partSequence: partition.sink.partSequence)
    }
    do {
      try store.writeSummary(r, partition.sink.summary)
    } catch {
      logger.warning("cannot write a partition summary", metadata: ["error": "\(error)"])
    }
    do {
      try consumer.commit([(Int32(r), aggregate.resumeOffset)], wait: false)
    } catch {
      logger.debug("repartition topic: \(error)")
    }
    return .committed(
      rows: partition.sink.summary.rowsWritten - rowsBefore, files: partition.sink.summary.files.count - filesBefore)
  }
}
