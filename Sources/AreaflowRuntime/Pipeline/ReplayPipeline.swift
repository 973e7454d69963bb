import AreaflowCore
import Dispatch
import Synchronization

/// Replays finite inputs through the whole path — read, decompress, frame, decode, stamp, aggregate, commit — on
/// Dispatch queues:
///
/// - the intake queue reads and frames inputs in order and waits on `inFlight` when the stages behind fall behind;
/// - chunks decode concurrently on a concurrent queue;
/// - the sequencer queue puts decoded batches back in arrival order, stamps watermarks, writes side records and
///   routes events to shards;
/// - each shard queue aggregates its own areas and closes windows the watermark has passed;
/// - the sink queue buffers closed rows and commits files.
public final class ReplayPipeline: @unchecked Sendable {
  let config: PipelineConfig
  let decoder: BatchDecoder
  let options: ReplayOptions
  let shards: [Shard]
  let sink: SnapshotSink
  let labels = DimensionLabels()
  let regionSchemes: [Int]

  private let intakeQueue = DispatchQueue(label: "areaflow.intake")
  private let decodeQueue = DispatchQueue(label: "areaflow.decode", attributes: .concurrent)
  private let sequencerQueue = DispatchQueue(label: "areaflow.sequencer")
  private let sinkQueue = DispatchQueue(label: "areaflow.sink")
  private let inFlight: DispatchSemaphore
  private let pendingBatches = DispatchGroup()

  // Sequencer state (sequencer queue only).
  private var stamper: WatermarkStamper
  private var reorder: [Int: EventBatch] = [:]
  private var nextToStamp = 0
  private var counters: RunSummary

  // Progress, read from a timer.
  private let bytesRead = Atomic<Int>(0)
  private let eventsDone = Atomic<Int>(0)
  private let stopRequested = Atomic<Bool>(false)

  public init(
    config: PipelineConfig, schemes: [any AreaScheme], encoder: any SnapshotEncoder, outputDirectory: String,
    options: ReplayOptions
  ) {
    self.config = config
    self.options = options
    decoder = BatchDecoder(config: config, schemes: schemes)
    let plan = decoder.plan
    shards = (0..<options.threads).map { Shard(index: $0, store: WindowStore(config: config, plan: plan)) }
    stamper = WatermarkStamper(windows: config.windows, watermark: config.watermark, shardCount: options.threads)
    regionSchemes = config.areas.indices.filter {
      if case .regions = config.areas[$0].kind { return true }
      return false
    }
    counters = RunSummary(
      windows: config.windows.map(\.name), regionSchemes: regionSchemes.map { config.areas[$0].name })
    sink = SnapshotSink(
      directory: outputDirectory, encoder: encoder, assembler: RowAssembler(config: config, schemes: schemes),
      labels: labels, summary: counters, rowsPerCommit: options.rowsPerCommit)
    inFlight = DispatchSemaphore(value: options.maxInFlight)
  }

  /// Reads every input to its end, closes every window and commits the snapshots.
  public func run(inputs: InputList, clock: @escaping @Sendable () -> Double) -> ReplayResult {
    let started = clock()
    let progress = options.showProgress ? ProgressLine(totalBytes: inputs.knownBytes, clock: clock) : nil
    let timer = progress.map { p in
      let t = DispatchSource.makeTimerSource(queue: DispatchQueue.global(qos: .utility))
      t.schedule(deadline: .now() + .milliseconds(500), repeating: .milliseconds(500))
      t.setEventHandler { [self] in
        p.show(bytes: Int64(bytesRead.load(ordering: .relaxed)), events: Int64(eventsDone.load(ordering: .relaxed)))
      }
      t.resume()
      return t
    }
    var inputErrors: [String] = []
    intakeQueue.sync {
      var sequence = 0
      for (index, entry) in inputs.entries.enumerated() {
        if stopRequested.load(ordering: .relaxed) { break }
        let reader = InputReader(
          index: index, entry: entry, format: config.input.format, plan: decoder.plan,
          batchLines: options.batchLines)
        let failure = reader.run(
          deliver: { chunk in
            inFlight.wait()
            pendingBatches.enter()
            let seq = sequence
            sequence += 1
            decodeQueue.async { [self] in
              let batch = decoder.decode(chunk)
              sequencerQueue.async { [self] in arrived(batch, sequence: seq) }
            }
          },
          progress: { n in bytesRead.add(n, ordering: .relaxed) })
        if let failure { inputErrors.append(failure) }
      }
    }
    pendingBatches.wait()
    // End of replay: every window is final.
    for shard in shards {
      let rows = shard.queue.sync { shard.store.close(upTo: nil) }
      sinkQueue.sync { sink.add(rows: rows) }
    }
    var final = sequencerQueue.sync { counters }
    final.inputErrors = inputErrors
    final.watermark = sequencerQueue.sync { stamper.current == Int64.min ? nil : stamper.current }
    let (summary, failure) = sinkQueue.sync { () -> (RunSummary, AtomicFile.WriteError?) in
      sink.add(rejects: [], late: [], counters: final)
      sink.commit()
      return (sink.summary, sink.failure)
    }
    timer?.cancel()
    progress?.clear()
    return ReplayResult(
      summary: summary, inputErrors: inputErrors, writeError: failure?.description, seconds: clock() - started,
      bytesRead: Int64(bytesRead.load(ordering: .relaxed)))
  }

  /// One shard (and the sink, for its rows) is done with a batch; the last one releases the batch's place.
  private func finished(_ countdown: Countdown) {
    if countdown.finishOne() {
      inFlight.signal()
      pendingBatches.leave()
    }
  }

  /// Sequencer: restores arrival order, then stamps and routes.
  private func arrived(_ batch: EventBatch, sequence: Int) {
    dispatchPrecondition(condition: .onQueue(sequencerQueue))
    reorder[sequence] = batch
    while let next = reorder.removeValue(forKey: nextToStamp) {
      nextToStamp += 1
      process(next)
    }
  }

  private func process(_ batch: EventBatch) {
    let stamped = stamper.stamp(batch)
    labels.merge(batch.newDimensionLabels)
    counters.linesRead += Int64(batch.lineCount)
    counters.emptyLines += Int64(batch.emptyLines)
    counters.eventsAccepted += Int64(batch.count)
    for (w, n) in stamped.lateCounts.enumerated() { counters.late[w].1 += Int64(n) }
    for (k, s) in regionSchemes.enumerated() { counters.outside[k].1 += Int64(batch.outside[s]) }
    var rejectBytes: [UInt8] = []
    for reject in batch.rejects {
      counters.rejected[reject.reason.rawValue] += 1
      SideRecordEncoder.reject(
        input: batch.inputName, line: batch.firstLine + Int64(reject.lineIndex), reason: reject.reason,
        raw: batch.bytes[Int(reject.start)..<Int(reject.end)], into: &rejectBytes)
    }
    var lateBytes: [UInt8] = []
    for late in stamped.late {
      let i = Int(late.event)
      SideRecordEncoder.late(
        input: batch.inputName, line: batch.firstLine + Int64(batch.lineIndex[i]),
        window: config.windows[late.window].name, windowStart: late.windowStart, lateWindows: late.lateWindows,
        eventTime: batch.times[i], raw: batch.rawLine(event: i), into: &lateBytes)
    }
    let snapshot = counters
    let rejectRecords = rejectBytes
    let lateRecords = lateBytes
    sinkQueue.async { [self] in sink.add(rejects: rejectRecords, late: lateRecords, counters: snapshot) }
    eventsDone.add(batch.count, ordering: .relaxed)
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
