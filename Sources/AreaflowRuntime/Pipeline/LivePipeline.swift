import AreaflowCore
import Dispatch
import Foundation
import Logging

/// `areaflow run`: the driver that follows live sources into `PipelineStages`, commits final rows and a checkpoint
/// every `flush_every` (`LiveCommit`), advances the watermark of idle inputs with the clock, and stops cleanly on
/// SIGINT/SIGTERM (or at the end of the inputs with `--once`).
///
/// The run loop only chooses between input, timers and signals. Everything runs on one serial intake queue, so a
/// commit sees a consistent cut: every chunk handed on before it is drained through the stages, and the positions
/// it records are exactly the ends of those chunks.
public final class LivePipeline: @unchecked Sendable {
  /// Where the run is in its life.
  enum State: Equatable {
    /// Reading and committing on the flush timer.
    case running
    /// Commits fail: reading is paused, the state is kept, and the commit is retried after `retryIn` seconds
    /// (1 s doubling to 60 s).
    case paused(retryIn: Double)
    /// Draining and making the last commit; nothing more is read.
    case stopping
  }

  let config: PipelineConfig
  let options: LiveOptions
  let stages: PipelineStages
  let logger: Logger
  let metrics: LiveMetrics
  /// Published after every commit when the HTTP API is on.
  let view: LiveView?
  private let intakeQueue = DispatchQueue(label: "areaflow.live.intake")
  private let clock: RuntimeClock
  private let done = DispatchSemaphore(value: 0)
  private let committer: LiveCommit
  /// `output.kafka`: publishes each commit after it, on a queue of its own.
  private let publisher: KafkaPublisher?

  // Intake queue state.
  private let sources: [any Source]
  /// `gtfs-rt`: the positions handed on and the feed counters, shared by every source, checkpointed at each flush.
  private let feedState: FeedState?
  private var state = State.running
  private var lastData: [Double]
  private var idle: [Bool]
  /// Inputs that count for the watermark: every command-line input, and the Kafka partitions assigned to this
  /// consumer. A detached input (a Kafka source's own index, a revoked or not yet assigned partition) is neither
  /// waited for nor taken as idle.
  private var attached: [Bool]
  /// Inputs given on the command line; the indices after them are Kafka partitions.
  private let commandLineInputs: Int
  private var lastIdleTick: Double
  private var timers: [DispatchSourceTimer] = []
  private var signals: [DispatchSourceSignal] = []
  private var pollScheduled = false
  /// Something was handed to the stages since the last commit; a quiet flush interval writes nothing.
  private var changed = true
  private var openAtLastFlush = 0
  private var exitStatus: Int32 = 0
  /// `input.lookup`: the table file as last loaded (inode, size, modification time), to reload it when it changes.
  private var lookupStamp: FileStamp?

  /// - Parameters:
  ///   - inputs: command-line inputs: files, directories, `-`, `tcp://HOST:PORT`, `mqtt://HOST:PORT/FILTER`.
  ///   - checkpoint: the checkpoint to resume from (already recovered on disk), or nil for a fresh start.
  public init(
    config: PipelineConfig, schemes: [any AreaScheme], encoder: any SnapshotEncoder, outputDirectory: String,
    inputs: [String], options: LiveOptions, checkpoint: LiveCheckpoint?, view: LiveView? = nil, logger: Logger,
    clock: RuntimeClock
  ) throws {
    self.view = view
    self.config = config
    self.options = options
    self.logger = logger
    self.clock = clock
    metrics = LiveMetrics(windows: config.windows.map(\.name))
    // Kafka partitions are watermark inputs after the command line's; a checkpoint's partitions keep their places.
    let kafka = KafkaInputs(inputs)
    commandLineInputs = inputs.count
    let liveInputs = kafka.isEmpty ? inputs.count : max(inputs.count, checkpoint?.stamper.inputMaxTimes.count ?? 0)
    stages = PipelineStages(
      config: config, schemes: schemes, encoder: encoder, outputDirectory: outputDirectory,
      threads: checkpoint?.shardCount ?? options.threads, maxInFlight: options.maxInFlight,
      rowsPerCommit: options.rowsPerCommit, liveInputs: liveInputs, staging: true)
    stages.metrics = metrics
    stages.sink.keepsTables = view != nil
    publisher = KafkaPublisher.attach(to: stages.sink, config: config, directory: outputDirectory, logger: logger)
    committer = LiveCommit(
      stages: stages, config: config, directory: outputDirectory, epoch: checkpoint?.epoch ?? 0,
      keepsOpenTables: view != nil, pauseMilliseconds: options.commitPauseMilliseconds, queue: intakeQueue,
      logger: logger)
    let now = clock.monotonic()
    lastData = Array(repeating: now, count: liveInputs)
    idle = Array(repeating: false, count: liveInputs)
    attached = Array(repeating: true, count: liveInputs)
    lastIdleTick = now
    if let checkpoint { try stages.restore(checkpoint) }
    lookupStamp = config.input.lookup.flatMap { FileStamp.of($0.table) }
    if config.input.format == .gtfsRT {
      // A checkpoint without a position memory (of an areaflow before gtfs-rt) cannot be of a gtfs-rt config: its
      // fingerprint names the format, so it was refused before here.
      let memory = try checkpoint?.positionMemory.map { bytes throws(StateReader.CorruptState) in
        try PositionMemory.decode(bytes)
      }
      feedState = FeedState(
        memory: memory ?? PositionMemory(), summary: checkpoint?.summary.feed ?? FeedSummary())
    } else {
      feedState = nil
    }
    sources = try SourceFactory.live(
      inputs, input: config.input, plan: stages.decoder.plan, batchLines: options.batchLines,
      positions: checkpoint?.inputs ?? [], once: options.once, feedState: feedState, logger: logger)
  }

  /// The TCP ports listened on, in input order (useful with port 0).
  public var listeningPorts: [Int] { sources.compactMap { ($0 as? TCPSource)?.port } }

  /// Runs until SIGINT/SIGTERM (or the end of the inputs with `--once`).
  /// - Returns: the exit status: 0, or 1 when an input could not be read or a final commit failed.
  public func run() -> Int32 {
    intakeQueue.async { [self] in start() }
    done.wait()
    return exitStatus
  }

  private func start() {
    dispatchPrecondition(condition: .onQueue(intakeQueue))
    // A checkpoint's Kafka partitions count for the watermark again only once they are assigned here.
    attach([], Array(commandLineInputs..<lastData.count))
    for source in sources {
      let index = source.index
      source.start(
        SourceContext(
          queue: intakeQueue, deliver: { [unowned self] chunk in hand(chunk) },
          noteData: { [unowned self] in noteData(index) },
          ended: { [unowned self] in if options.once { schedulePoll() } },
          inputs: { [unowned self] active, inactive in attach(active, inactive) },
          commit: { [unowned self] in flush() },
          setProblem: { [view] problem in view?.setInputProblem(index, problem) }))
    }
    timers.append(repeating(every: Double(options.pollInterval) / 1e9) { [unowned self] in poll() })
    timers.append(
      repeating(every: Double(config.output.flushEvery) / 1e9) { [unowned self] in
        if state == .running, changed { flush() }
      })
    timers.append(
      repeating(every: min(1, Double(config.watermark.idleTimeout) / 4e9)) { [unowned self] in checkIdle() })
    for sig in [SIGINT, SIGTERM] {
      signal(sig, SIG_IGN)
      let source = DispatchSource.makeSignalSource(signal: sig, queue: DispatchQueue.global())
      source.setEventHandler { [unowned self] in
        logger.info(
          "stopping: draining and committing", metadata: ["signal": "\(sig == SIGINT ? "SIGINT" : "SIGTERM")"])
        intakeQueue.async { [self] in stop(closeAll: false) }
      }
      source.resume()
      signals.append(source)
    }
    // Commits a previous process made but did not publish.
    publisher?.kick()
    poll()
  }

  private func repeating(every seconds: Double, _ handler: @escaping () -> Void) -> DispatchSourceTimer {
    let t = DispatchSource.makeTimerSource(queue: intakeQueue)
    let interval = DispatchTimeInterval.nanoseconds(Int(max(0.001, seconds) * 1e9))
    t.schedule(deadline: .now() + interval, repeating: interval, leeway: .milliseconds(5))
    t.setEventHandler(handler: handler)
    t.resume()
    return t
  }

  /// Every chunk goes through here: an idle input that has data again rejoins the watermark first.
  private func hand(_ chunk: LineChunk) {
    dispatchPrecondition(condition: .onQueue(intakeQueue))
    know(chunk.input)
    lastData[chunk.input] = clock.monotonic()
    if idle[chunk.input] {
      idle[chunk.input] = false
      stages.submit(.idle(input: chunk.input, isIdle: false))
    }
    changed = true
    stages.submit(chunk)
  }

  private func noteData(_ input: Int) { lastData[input] = clock.monotonic() }

  /// Makes room for inputs announced while running (Kafka partitions).
  private func know(_ input: Int) {
    while lastData.count <= input {
      lastData.append(clock.monotonic())
      idle.append(false)
      attached.append(false)
    }
  }

  /// Kafka partitions assigned (`active`: they count for the watermark from now, with a fresh idle clock) or
  /// revoked (`inactive`: they no longer hold it back).
  private func attach(_ active: [Int], _ inactive: [Int]) {
    dispatchPrecondition(condition: .onQueue(intakeQueue))
    for i in active {
      know(i)
      attached[i] = true
      lastData[i] = clock.monotonic()
      idle[i] = false
      stages.submit(.idle(input: i, isIdle: false))
    }
    for i in inactive {
      know(i)
      attached[i] = false
      idle[i] = true
      stages.submit(.idle(input: i, isIdle: true))
    }
  }

  private func schedulePoll() {
    guard !pollScheduled else { return }
    pollScheduled = true
    intakeQueue.async { [self] in
      pollScheduled = false
      poll()
    }
  }

  /// Reads what the polled sources have; with `--once`, stops when a round finds nothing more anywhere.
  private func poll() {
    dispatchPrecondition(condition: .onQueue(intakeQueue))
    guard state == .running else { return }
    reloadLookupIfChanged()
    let deliver: (LineChunk) -> Void = { [unowned self] chunk in hand(chunk) }
    for source in sources {
      let read = source.read(budget: options.pollBudget, deliver: deliver)
      if read.bytes > 0 { noteData(source.index) }
      if read.status == .more {
        // Let a flush or a signal in before reading on.
        schedulePoll()
        return
      }
    }
    if options.once, sources.allSatisfy(\.isExhausted) { stop(closeAll: true) }
  }

  /// `input.lookup`: a table file that changed is read again, and chunks read from now on join the new version.
  /// A table that cannot be read or parsed is reported and the previous version kept.
  private func reloadLookupIfChanged() {
    guard let spec = config.input.lookup, let stamp = FileStamp.of(spec.table), stamp != lookupStamp else { return }
    lookupStamp = stamp
    guard let data = FileManager.default.contents(atPath: spec.table) else {
      logger.error(
        "cannot read the changed lookup table; keeping the previous one", metadata: ["file": "\(spec.table)"])
      return
    }
    do {
      let table = try LookupTable.load([UInt8](data), spec: spec)
      stages.replaceLookup(table)
      logger.info("lookup table reloaded", metadata: ["file": "\(spec.table)", "rows": "\(table.count)"])
    } catch {
      logger.error(
        "the changed lookup table is unusable; keeping the previous one",
        metadata: ["file": "\(spec.table)", "error": "\(error)"])
    }
  }

  /// Marks inputs idle after `idle_timeout` without data; while all are, the watermark follows the clock.
  private func checkIdle() {
    guard state != .stopping, !idle.isEmpty else { return }
    let now = clock.monotonic()
    let timeout = Double(config.watermark.idleTimeout) / 1e9
    for i in idle.indices where attached[i] && !idle[i] && now - lastData[i] >= timeout {
      idle[i] = true
      logger.debug("input idle", metadata: ["input": "\(i)"])
      stages.submit(.idle(input: i, isIdle: true))
    }
    metrics.queueDepth.record(stages.queueDepth.load(ordering: .relaxed))
    if attached.contains(true), idle.indices.allSatisfy({ idle[$0] || !attached[$0] }) {
      // The idle clock only matters to the checkpoint while it can close something.
      if openAtLastFlush > 0 { changed = true }
      stages.submit(.advance(nanoseconds: Int64((now - lastIdleTick) * 1e9)))
    }
    lastIdleTick = now
  }

  private func inputErrors() -> [String] { sources.flatMap(\.errors) }

  /// Takes a cut, commits it, publishes it to the view and the metrics. On a failure keeps everything, pauses
  /// reading and retries with backoff.
  @discardableResult
  private func flush() -> Bool {
    dispatchPrecondition(condition: .onQueue(intakeQueue))
    let started = clock.monotonic()
    let cut = committer.cut(
      positions: sources.flatMap { $0.positions() }, inputErrors: inputErrors(),
      feed: feedState.map { ($0.summary, $0.memory) })
    let result = committer.commit(cut)
    let seconds = clock.monotonic() - started
    metrics.flushDuration.recordNanoseconds(Int64(seconds * 1e9))
    metrics.openWindows.record(cut.openWindows)
    metrics.queueDepth.record(stages.queueDepth.load(ordering: .relaxed))
    if let w = cut.counters.watermark {
      metrics.watermark.record(Double(w) / 1e9)
      metrics.watermarkLag.record(clock.wall() - Double(w) / 1e9)
    }
    switch result {
    case .success(let committed):
      view?.publish(
        final: WindowView.split(committed.published, windows: config.windows, isFinal: true),
        open: WindowView.split(cut.openTables, windows: config.windows, isFinal: false),
        watermark: cut.counters.watermark)
      view?.setProblem(nil)
      committedFlush(committed, cut: cut, seconds: seconds)
      return true
    case .failure(let failure):
      view?.setProblem("commits are failing: \(failure)")
      failedFlush(failure)
      return false
    }
  }

  private func committedFlush(_ committed: LiveCommit.Committed, cut: LiveCut, seconds: Double) {
    changed = false
    openAtLastFlush = cut.openWindows
    for source in sources { source.checkpointCommitted(cut.positions) }
    publisher?.kick()
    metrics.flushes.increment()
    metrics.rowsWritten.increment(by: Int(committed.rows))
    if case .paused = state {
      logger.info("commits work again; reading resumes")
      state = .running
    }
    var metadata: Logger.Metadata = [
      "epoch": "\(committed.epoch)", "rows": "\(committed.rows)", "files": "\(committed.files)",
      "events": "\(cut.counters.eventsAccepted)", "open_windows": "\(cut.openWindows)",
      "seconds": "\(String(format: "%.3f", seconds))",
    ]
    if let w = cut.counters.watermark {
      metadata["watermark"] = "\(CivilDate.rfc3339(millis: WindowMath.floorDiv(w, 1_000_000)))"
    }
    metadata["inputs"] = .array(
      cut.positions.map { p in
        if let k = p.kafkaPartition { return .string("kafka:\(k.topic)#\(k.partition)@\(k.offset)") }
        return .string("\(p.path)@\(p.resumeOffset)+\(p.consumed - p.resumeDecompressed)")
      })
    logger.info("flush committed", metadata: metadata)
  }

  private func failedFlush(_ failure: LiveCommit.Failure) {
    metrics.commitFailures.increment()
    let retryIn: Double
    switch state {
    case .running: retryIn = 1
    case .paused(let previous): retryIn = min(60, previous * 2)
    case .stopping:
      // `stop` retries by itself.
      logger.error("commit failed while stopping", metadata: ["error": "\(failure)"])
      return
    }
    state = .paused(retryIn: retryIn)
    logger.error(
      "commit failed; reading is paused and the state kept until it can be written",
      metadata: ["error": "\(failure)", "retry_in_s": "\(retryIn)"])
    intakeQueue.asyncAfter(deadline: .now() + retryIn) { [self] in
      guard case .paused = state else { return }
      if flush() { schedulePoll() }
    }
  }

  /// Stops reading, drains, commits and ends `run`. With `closeAll` (end of `--once`) every window is closed first,
  /// like the end of a replay.
  private func stop(closeAll: Bool) {
    dispatchPrecondition(condition: .onQueue(intakeQueue))
    guard state != .stopping else { return }
    state = .stopping
    for t in timers { t.cancel() }
    timers = []
    if closeAll {
      let deliver: (LineChunk) -> Void = { [unowned self] chunk in stages.submit(chunk) }
      for source in sources { source.finish(deliver: deliver) }
      stages.drain()
      stages.closeAll()
      stages.seal()
    }
    for source in sources { source.cancel() }
    var committed = flush()
    var attempt = 0
    while !committed, attempt < 5 {
      attempt += 1
      Thread.sleep(forTimeInterval: 0.5 * Double(attempt))
      committed = flush()
    }
    if !committed {
      logger.error("could not commit at stop; the last checkpoint stands and a restart resumes from it")
      exitStatus = 1
    } else if !inputErrors().isEmpty {
      exitStatus = 1
    }
    if committed, let publisher, let error = publisher.drain(timeout: options.once ? 60 : 5) {
      logger.error(
        "kafka publication is behind at stop; a restart publishes the rest",
        metadata: ["topic": "\(publisher.config.topic)", "error": "\(error)"])
      exitStatus = 1
    }
    logger.info("run stopped", metadata: ["epoch": "\(committer.epoch)", "exit": "\(exitStatus)"])
    for s in signals { s.cancel() }
    done.signal()
  }
}
