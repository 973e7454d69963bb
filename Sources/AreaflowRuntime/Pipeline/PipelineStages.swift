import AreaflowCore
import Dispatch
import Synchronization

/// The stages every run shares, behind whatever feeds them chunks (the replay reader or the live followers):
///
/// - chunks decode concurrently on a concurrent queue;
/// - the sequencer queue puts decoded batches back in arrival order, stamps watermarks, writes side records and
///   routes events to shards; control steps (an input going idle, the idle clock) travel in the same order;
/// - each shard queue aggregates its own areas and closes windows the watermark has passed;
/// - the sink queue buffers closed rows and commits files.
///
/// `submit` is called from one feeding queue only and blocks there when `maxInFlight` batches are on their way:
/// that is the backpressure.
final class PipelineStages: @unchecked Sendable {
  /// Steps that change the watermark without events; they keep their place in arrival order.
  enum Control: Sendable {
    case idle(input: Int, isIdle: Bool)
    case advance(nanoseconds: Int64)
  }

  let config: PipelineConfig
  /// Replaced only from the feeding queue, between submits (a reloaded lookup table); each chunk is decoded by
  /// the decoder it was submitted under.
  private(set) var decoder: BatchDecoder
  let shards: [Shard]
  let sink: SnapshotSink
  let labels = DimensionLabels()
  let regionSchemes: [Int]
  /// `privacy`: what side outputs may keep of a line, or nil to keep lines as they are.
  let redactor: LineRedactor?
  var metrics: LiveMetrics?

  private let decodeQueue = DispatchQueue(label: "areaflow.decode", attributes: .concurrent)
  let sequencerQueue = DispatchQueue(label: "areaflow.sequencer")
  let sinkQueue = DispatchQueue(label: "areaflow.sink")
  private let inFlight: DispatchSemaphore
  private let pendingBatches = DispatchGroup()
  /// Steps submitted and not yet handed to the shards by the sequencer.
  private let unsequenced = DispatchGroup()
  private var sequence = 0

  // Sequencer state (sequencer queue only).
  private(set) var stamper: WatermarkStamper
  private var reorder: [Int: Step] = [:]
  private var nextToStamp = 0
  private(set) var counters: RunSummary

  /// Batches submitted and not yet through every stage.
  let queueDepth = Atomic<Int>(0)
  let eventsDone = Atomic<Int>(0)

  private enum Step {
    case batch(EventBatch)
    case control(Control)
  }

  init(
    config: PipelineConfig, schemes: [any AreaScheme], encoder: any SnapshotEncoder, outputDirectory: String,
    threads: Int, maxInFlight: Int, rowsPerCommit: Int, liveInputs: Int = 0, staging: Bool = false
  ) {
    self.config = config
    decoder = BatchDecoder(config: config, schemes: schemes)
    let plan = decoder.plan
    redactor = LineRedactor(config: config, plan: plan)
    shards = (0..<threads).map {
      Shard(index: $0, store: WindowStore(config: config, plan: plan, schemes: schemes))
    }
    let rollUp = config.privacy.map { $0.smallGroups == .roll_up ? $0.rollUpLevels : 0 } ?? 0
    stamper = WatermarkStamper(
      windows: config.windows, watermark: config.watermark, shardCount: threads, liveInputs: liveInputs,
      routingSchemes: schemes, routingLevels: rollUp)
    regionSchemes = config.areas.indices.filter {
      if case .regions = config.areas[$0].kind { return true }
      return false
    }
    counters = RunSummary(
      windows: config.windows.map(\.name), regionSchemes: regionSchemes.map { config.areas[$0].name })
    sink = SnapshotSink(
      directory: outputDirectory, encoder: encoder, assembler: RowAssembler(config: config, schemes: schemes),
      labels: labels, summary: counters, rowsPerCommit: rowsPerCommit, staging: staging, queue: sinkQueue)
    inFlight = DispatchSemaphore(value: max(2, maxInFlight))
  }

  /// Hands a chunk on; blocks while `maxInFlight` batches are in flight. One feeding queue only.
  func submit(_ chunk: LineChunk) {
    let seq = enqueue()
    let decoder = decoder
    decodeQueue.async { [self] in
      let batch = decoder.decode(chunk)
      sequencerQueue.async { [self] in arrived(.batch(batch), sequence: seq) }
    }
  }

  /// Chunks submitted from now on join `table` (`run` reloads a lookup table whose file changed). Same feeding
  /// queue as `submit`.
  func replaceLookup(_ table: LookupTable) { decoder = decoder.replacingLookup(table) }

  /// Hands a control step on, in order with the chunks. Same feeding queue as `submit`.
  func submit(_ control: Control) {
    let seq = enqueue()
    sequencerQueue.async { [self] in arrived(.control(control), sequence: seq) }
  }

  /// Takes a place in flight (waiting for one) and the next sequence number.
  private func enqueue() -> Int {
    inFlight.wait()
    pendingBatches.enter()
    unsequenced.enter()
    queueDepth.add(1, ordering: .relaxed)
    defer { sequence += 1 }
    return sequence
  }

  /// Waits until everything submitted has been aggregated and its closed rows are with the sink.
  func drain() { pendingBatches.wait() }

  /// Closes every window (end of a replay or of `run --once`) and hands the rows to the sink, once everything
  /// submitted before is through every stage (no `drain` needed first).
  /// The shards merge their last windows at the same time; their rows reach the sink in shard order. Each shard
  /// closes as soon as it has aggregated the last batch, while the sink may still be committing rows of earlier
  /// batches (at the end of a replay, that commit and these merges used to run one after the other, with a core idle
  /// for most of it); the rows are handed over after everything earlier.
  func closeAll() {
    // Every step is with the shards (queued behind their earlier work): closing after it is in order.
    unsequenced.wait()
    // Each shard's block writes only its own element, and the group wait orders those writes before the reads.
    nonisolated(unsafe) let closed = UnsafeMutableBufferPointer<ClosedRows>.allocate(capacity: shards.count)
    closed.initialize(repeating: ClosedRows(features: []))
    defer {
      closed.deinitialize()
      closed.deallocate()
    }
    let group = DispatchGroup()
    for (k, shard) in shards.enumerated() {
      shard.queue.async(group: group) { closed[k] = shard.store.close(upTo: nil) }
    }
    group.wait()
    drain()
    for k in shards.indices {
      let rows = closed[k]
      sinkQueue.sync { sink.add(rows: rows) }
    }
  }

  /// After `closeAll` in a run that keeps checkpoints: raises the watermark past every closed window.
  func seal() { sequencerQueue.sync { stamper.sealAfterClosingAll() } }

  /// The counters with the current watermark, after a `drain`.
  func currentCounters() -> RunSummary {
    sequencerQueue.sync {
      var c = counters
      c.watermark = stamper.current == Int64.min ? nil : stamper.current
      return c
    }
  }

  /// Open windows over all shards, after a `drain`.
  func openWindows() -> Int { shards.reduce(0) { n, s in n + s.queue.sync { s.store.openWindowCount } } }

  /// The partial rows of every open window, assembled like snapshot rows, after a `drain` (for live views).
  func peekOpen() -> [(window: Int, scheme: Int, table: SnapshotTable)] {
    var rows = ClosedRows(features: config.features)
    for shard in shards { rows.append(contentsOf: shard.queue.sync { shard.store.peek() }) }
    return sink.assembler.tables(rows, labels: labels.snapshot())
  }

  /// The window state of every shard, after a `drain`.
  func shardStates() -> [[UInt8]] { shards.map { s in s.queue.sync { s.store.checkpoint() } } }

  /// Loads a checkpoint's state into fresh stages.
  func restore(_ checkpoint: LiveCheckpoint) throws(StateReader.CorruptState) {
    guard checkpoint.shards.count == shards.count else {
      throw StateReader.CorruptState(
        description: "the checkpoint has \(checkpoint.shards.count) shards, these stages \(shards.count)")
    }
    for (shard, bytes) in zip(shards, checkpoint.shards) {
      var failure: StateReader.CorruptState?
      shard.queue.sync {
        do throws(StateReader.CorruptState) { try shard.store.restore(bytes) } catch { failure = error }
      }
      if let failure { throw failure }
    }
    labels.merge(checkpoint.labels)
    sequencerQueue.sync {
      stamper.restore(checkpoint.stamper)
      var c = checkpoint.summary
      c.files = []
      c.rowsWritten = 0
      counters = c
    }
    sinkQueue.sync { sink.restore(summary: checkpoint.summary, partSequence: checkpoint.partSequence) }
  }

  /// One shard (and the sink, for its rows) is done with a batch; the last one releases the batch's place.
  private func finished(_ countdown: Countdown) {
    if countdown.finishOne() {
      queueDepth.add(-1, ordering: .relaxed)
      inFlight.signal()
      pendingBatches.leave()
    }
  }

  /// Sequencer: restores arrival order, then stamps and routes.
  private func arrived(_ step: Step, sequence: Int) {
    dispatchPrecondition(condition: .onQueue(sequencerQueue))
    reorder[sequence] = step
    while let next = reorder.removeValue(forKey: nextToStamp) {
      nextToStamp += 1
      switch next {
      case .batch(let batch): process(batch)
      case .control(let control): apply(control)
      }
      unsequenced.leave()
    }
  }

  private func apply(_ control: Control) {
    let before = stamper.current
    switch control {
    case .idle(let input, let isIdle): stamper.setIdle(input, isIdle)
    case .advance(let ns): stamper.advance(by: ns)
    }
    let watermark = stamper.current
    let countdown = Countdown(shards.count)
    for shard in shards {
      shard.queue.async { [self] in
        let rows = watermark > before ? shard.store.close(upTo: watermark) : ClosedRows(features: [])
        guard !rows.isEmpty else { return finished(countdown) }
        sinkQueue.async { [self] in
          sink.add(rows: rows)
          finished(countdown)
        }
      }
    }
  }

  /// The line a side record keeps: as it is, or (under `privacy`) redacted, or none for a line too broken to
  /// find its fields in.
  private func kept(_ line: ArraySlice<UInt8>, _ batch: EventBatch) -> ArraySlice<UInt8>? {
    guard let redactor else { return line }
    return redactor.redact(line, csvColumns: batch.csvColumns).map { $0[...] }
  }

  private func process(_ batch: EventBatch) {
    let lined = stamper.stamp(batch)
    labels.merge(batch.newDimensionLabels)
    counters.linesRead += Int64(batch.lineCount)
    counters.emptyLines += Int64(batch.emptyLines)
    counters.eventsAccepted += Int64(batch.count)
    for (w, n) in lined.lateCounts.enumerated() { counters.late[w].1 += Int64(n) }
    for (k, s) in regionSchemes.enumerated() { counters.outside[k].1 += Int64(batch.outside[s]) }
    var rejectBytes: [UInt8] = []
    for reject in batch.rejects {
      counters.rejected[reject.reason.rawValue] += 1
      SideRecordEncoder.reject(
        input: batch.inputName, line: batch.firstLine + Int64(reject.lineIndex), reason: reject.reason,
        raw: kept(batch.bytes[Int(reject.start)..<Int(reject.end)], batch), into: &rejectBytes)
    }
    var lateBytes: [UInt8] = []
    for late in lined.late {
      let i = Int(late.event)
      SideRecordEncoder.late(
        input: batch.inputName, line: batch.firstLine + Int64(batch.lineIndex[i]),
        window: config.windows[late.window].name, windowStart: late.windowStart, lateWindows: late.lateWindows,
        eventTime: batch.times[i], raw: kept(batch.rawLine(event: i), batch), into: &lateBytes)
    }
    metrics?.record(batch: batch, lateCounts: lined.lateCounts)
    let snapshot = counters
    let rejectRecords = rejectBytes
    let lateRecords = lateBytes
    sinkQueue.async { [self] in sink.add(rejects: rejectRecords, late: lateRecords, counters: snapshot) }
    eventsDone.add(batch.count, ordering: .relaxed)
    // The side records are written: the shards get the batch without its lines, which are freed here.
    let stamped = lined.droppingLines()
    let countdown = Countdown(shards.count)
    for (k, shard) in shards.enumerated() {
      let entries = stamped.routes[k]
      shard.queue.async { [self] in
        shard.store.add(stamped, entries: entries)
        let rows = shard.store.close(upTo: stamped.watermarkAfter)
        guard !rows.isEmpty else { return finished(countdown) }
        // The batch counts as in flight until the sink has taken its rows, so a slow disk pushes back on the
        // reader instead of piling closed rows up in the sink's queue.
        sinkQueue.async { [self] in
          sink.add(rows: rows)
          finished(countdown)
        }
      }
    }
  }
}
