import AreaflowCore
import Dispatch
import Foundation
import Logging

/// `areaflow run`: follows live inputs into `PipelineStages`, flushes final rows and a checkpoint every
/// `flush_every`, advances the watermark of idle inputs with the wall clock, and stops cleanly on SIGINT/SIGTERM
/// (or at the end of the inputs with `--once`).
///
/// Everything that reads inputs, flushes and reacts to timers and signals runs on one serial intake queue, so a
/// flush sees a consistent cut: every chunk handed on before it is drained through the stages, and the input
/// positions it records are exactly the ends of those chunks.
public final class LivePipeline: @unchecked Sendable {
  let config: PipelineConfig
  let options: LiveOptions
  let directory: String
  let stages: PipelineStages
  let logger: Logger
  let metrics: LiveMetrics
  /// Published after every flush when the HTTP API is on.
  let view: LiveView?
  private let intakeQueue = DispatchQueue(label: "areaflow.live.intake")
  private let clock: @Sendable () -> Double
  private let done = DispatchSemaphore(value: 0)

  // Intake queue state.
  private var files: [FileInput] = []
  private var sockets: [SocketInput] = []
  private var stdin: StreamConnection?
  private var stdinIndex = -1
  private var inputCount: Int
  private var lastData: [Double]
  private var idle: [Bool]
  private var lastIdleTick: Double
  private var epoch: Int
  private var timers: [DispatchSourceTimer] = []
  private var signals: [DispatchSourceSignal] = []
  private var paused = false
  private var retryDelay = 0.0
  private var stopping = false
  private var pollScheduled = false
  /// Something was handed to the stages since the last commit; a quiet flush interval writes nothing.
  private var changed = true
  private var openAtLastFlush = 0
  private var exitStatus: Int32 = 0
  private var setupErrors: [String] = []

  /// - Parameters:
  ///   - inputs: command-line inputs: files, directories, `-`, `tcp://HOST:PORT`.
  ///   - checkpoint: the checkpoint to resume from (already recovered on disk), or nil for a fresh start.
  public init(
    config: PipelineConfig, schemes: [any AreaScheme], encoder: any SnapshotEncoder, outputDirectory: String,
    inputs: [String], options: LiveOptions, checkpoint: LiveCheckpoint?, view: LiveView? = nil, logger: Logger,
    clock: @escaping @Sendable () -> Double
  ) throws {
    self.view = view
    self.config = config
    self.options = options
    self.directory = outputDirectory
    self.logger = logger
    self.clock = clock
    inputCount = inputs.count
    metrics = LiveMetrics(windows: config.windows.map(\.name))
    stages = PipelineStages(
      config: config, schemes: schemes, encoder: encoder, outputDirectory: outputDirectory,
      threads: checkpoint?.shardCount ?? options.threads, maxInFlight: options.maxInFlight,
      rowsPerCommit: options.rowsPerCommit, liveInputs: inputs.count, staging: true)
    stages.metrics = metrics
    stages.sink.keepsTables = view != nil
    epoch = checkpoint?.epoch ?? 0
    let now = clock()
    lastData = Array(repeating: now, count: inputs.count)
    idle = Array(repeating: false, count: inputs.count)
    lastIdleTick = now
    if let checkpoint { try stages.restore(checkpoint) }
    let positions = checkpoint?.inputs ?? []
    for (index, argument) in inputs.enumerated() {
      if argument == "-" {
        stdinIndex = index
        stdin = StreamConnection(
          fd: 0, input: index, name: "-", format: config.input.format, plan: stages.decoder.plan,
          batchLines: options.batchLines)
      } else if argument.hasPrefix("tcp://") {
        sockets.append(try SocketInput(index: index, address: argument))
      } else {
        let isDirectory = FileIdentity.of(path: argument)?.isDirectory ?? false
        files.append(
          FileInput(
            index: index, path: argument, isDirectory: isDirectory, format: config.input.format,
            plan: stages.decoder.plan, batchLines: options.batchLines,
            positions: positions.filter { $0.input == index }, once: options.once, logger: logger))
      }
    }
  }

  /// The TCP ports listened on, in input order (useful with port 0).
  public var listeningPorts: [Int] { sockets.map(\.port) }

  /// Runs until SIGINT/SIGTERM (or the end of the inputs with `--once`).
  /// - Returns: the exit status: 0, or 1 when an input could not be read or a final commit failed.
  public func run() -> Int32 {
    for s in sockets {
      logger.info("listening on tcp://127.0.0.1:\(s.port)", metadata: ["input": "\(s.address)"])
    }
    intakeQueue.async { [self] in start() }
    done.wait()
    return exitStatus
  }

  private func start() {
    dispatchPrecondition(condition: .onQueue(intakeQueue))
    let deliver: (LineChunk) -> Void = { [unowned self] chunk in hand(chunk) }
    for socket in sockets {
      socket.start(
        queue: intakeQueue, format: config.input.format, plan: stages.decoder.plan, batchLines: options.batchLines,
        budget: 4 << 20, logger: logger, deliver: deliver,
        onData: { [unowned self] _ in noteData(socket.index) })
    }
    if let stdin {
      let index = stdinIndex
      stdin.startBlocking(
        queue: intakeQueue, deliver: deliver, onData: { [unowned self] _ in noteData(index) },
        onClose: { [unowned self] _, error in
          if let error {
            logger.error("standard input failed", metadata: ["error": "\(error)"])
            setupErrors.append("-: \(error)")
          }
          logger.info("standard input ended")
          if options.once { schedulePoll() }
        })
    }
    timers.append(
      repeating(every: Double(options.pollInterval) / 1e9) { [unowned self] in poll() })
    timers.append(
      repeating(every: Double(config.output.flushEvery) / 1e9) { [unowned self] in
        if !paused, changed { flush() }
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
    if idle[chunk.input] {
      idle[chunk.input] = false
      stages.submit(.idle(input: chunk.input, isIdle: false))
    }
    changed = true
    stages.submit(chunk)
  }

  private func noteData(_ input: Int) { lastData[input] = clock() }

  private func schedulePoll() {
    guard !pollScheduled else { return }
    pollScheduled = true
    intakeQueue.async { [self] in
      pollScheduled = false
      poll()
    }
  }

  /// Reads what the files have; with `--once`, stops when a round finds nothing more anywhere.
  private func poll() {
    guard !stopping, !paused else { return }
    let deliver: (LineChunk) -> Void = { [unowned self] chunk in hand(chunk) }
    var read = 0
    var more = false
    for input in files {
      let (n, again) = input.poll(budget: options.pollBudget, deliver: deliver)
      if n > 0 { noteData(input.index) }
      read += n
      if again {
        more = true
        break
      }
    }
    if more {
      schedulePoll()
      return
    }
    if options.once, read == 0, stdin?.isClosed ?? true, sockets.allSatisfy(\.isFinished) {
      stop(closeAll: true)
    }
  }

  /// Marks inputs idle after `idle_timeout` without data; while all are, the watermark follows the wall clock.
  private func checkIdle() {
    guard !stopping, inputCount > 0 else { return }
    let now = clock()
    let timeout = Double(config.watermark.idleTimeout) / 1e9
    for i in 0..<inputCount where !idle[i] && now - lastData[i] >= timeout {
      idle[i] = true
      logger.debug("input idle", metadata: ["input": "\(i)"])
      stages.submit(.idle(input: i, isIdle: true))
    }
    metrics.queueDepth.record(stages.queueDepth.load(ordering: .relaxed))
    if idle.allSatisfy({ $0 }) {
      // The idle clock only matters to the checkpoint while it can close something.
      if openAtLastFlush > 0 { changed = true }
      stages.submit(.advance(nanoseconds: Int64((now - lastIdleTick) * 1e9)))
    }
    lastIdleTick = now
  }

  private func positions() -> [InputPosition] { files.flatMap { $0.positions() } }

  /// Commits final rows, then the checkpoint. On a write failure keeps everything, pauses reading and retries
  /// with backoff (1 s doubling to 60 s).
  @discardableResult
  private func flush() -> Bool {
    dispatchPrecondition(condition: .onQueue(intakeQueue))
    let started = clock()
    let cut = positions()
    stages.drain()
    let counters = stages.currentCounters()
    let states = stages.shardStates()
    let stamper = stages.sequencerQueue.sync { stages.stamper.state }
    let labels = stages.labels.snapshot()
    let openWindows = stages.openWindows()
    let openTables = view == nil ? [] : stages.peekOpen()
    let fingerprint = LiveCheckpoint.fingerprint(of: config)
    let nextEpoch = epoch + 1
    let sink = stages.sink
    let pause = options.commitPauseMilliseconds
    let shardCount = stages.shards.count
    let errors = inputErrors()
    let directory = directory
    let logger = logger
    let (ok, failure, rows, files) = stages.sinkQueue.sync { () -> (Bool, String?, Int64, Int) in
      var c = counters
      c.inputErrors = sink.summary.inputErrors
      for e in errors where !c.inputErrors.contains(e) { c.inputErrors.append(e) }
      sink.add(rejects: [], late: [], counters: c)
      let rowsBefore = sink.summary.rowsWritten
      let filesBefore = sink.summary.files.count
      let ok = sink.publish { staged, partSequence, summary throws(AtomicFile.WriteError) in
        logger.debug("commit staged", metadata: ["epoch": "\(nextEpoch)", "files": "\(staged.count)"])
        if pause > 0 { usleep(UInt32(pause * 1000)) }
        let checkpoint = LiveCheckpoint(
          configFingerprint: fingerprint, epoch: nextEpoch, shardCount: shardCount, partSequence: partSequence,
          stamper: stamper, summary: summary, labels: labels, shards: states, inputs: cut, pendingFiles: staged)
        try CheckpointStore.write(checkpoint, directory: directory)
        logger.debug("checkpoint written", metadata: ["epoch": "\(nextEpoch)"])
        if pause > 0 { usleep(UInt32(pause * 1000)) }
      }
      return (
        ok, sink.failure?.description, sink.summary.rowsWritten - rowsBefore, sink.summary.files.count - filesBefore
      )
    }
    if let view {
      if ok {
        let published = stages.sinkQueue.sync { sink.published }
        view.publish(
          final: WindowView.split(published, windows: config.windows, isFinal: true),
          open: WindowView.split(openTables, windows: config.windows, isFinal: false), watermark: counters.watermark)
        view.setProblem(nil)
      } else {
        view.setProblem("commits are failing: \(failure ?? "unknown")")
      }
    }
    let seconds = clock() - started
    metrics.flushDuration.recordNanoseconds(Int64(seconds * 1e9))
    metrics.openWindows.record(openWindows)
    metrics.queueDepth.record(stages.queueDepth.load(ordering: .relaxed))
    if let w = counters.watermark {
      metrics.watermark.record(Double(w) / 1e9)
      metrics.watermarkLag.record(Date().timeIntervalSince1970 - Double(w) / 1e9)
    }
    guard ok else {
      metrics.commitFailures.increment()
      retryDelay = min(60, max(1, retryDelay * 2))
      paused = true
      logger.error(
        "commit failed; reading is paused and the state kept until it can be written",
        metadata: ["error": "\(failure ?? "unknown")", "retry_in_s": "\(retryDelay)"])
      if !stopping {
        intakeQueue.asyncAfter(deadline: .now() + retryDelay) { [self] in
          if flush() { schedulePoll() }
        }
      }
      return false
    }
    epoch = nextEpoch
    changed = false
    openAtLastFlush = openWindows
    metrics.flushes.increment()
    metrics.rowsWritten.increment(by: Int(rows))
    if paused { logger.info("commits work again; reading resumes") }
    paused = false
    retryDelay = 0
    var metadata: Logger.Metadata = [
      "epoch": "\(epoch)", "rows": "\(rows)", "files": "\(files)", "events": "\(counters.eventsAccepted)",
      "open_windows": "\(openWindows)", "seconds": "\(String(format: "%.3f", seconds))",
    ]
    if let w = counters.watermark {
      metadata["watermark"] = "\(CivilDate.rfc3339(millis: WindowMath.floorDiv(w, 1_000_000)))"
    }
    metadata["inputs"] = .array(
      cut.map { .string("\($0.path)@\($0.resumeOffset)+\($0.consumed - $0.resumeDecompressed)") })
    logger.info("flush committed", metadata: metadata)
    return true
  }

  private func inputErrors() -> [String] { setupErrors + files.flatMap(\.errors) }

  /// Stops reading, drains, commits and ends `run`. With `closeAll` (end of `--once`) every window is closed first,
  /// like the end of a replay.
  private func stop(closeAll: Bool) {
    dispatchPrecondition(condition: .onQueue(intakeQueue))
    guard !stopping else { return }
    stopping = true
    for t in timers { t.cancel() }
    timers = []
    if closeAll {
      let deliver: (LineChunk) -> Void = { [unowned self] chunk in stages.submit(chunk) }
      for input in files { input.finishAll(deliver: deliver) }
      stages.drain()
      stages.closeAll()
      stages.seal()
    }
    stdin?.cancel()
    for s in sockets { s.cancel() }
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
    logger.info("run stopped", metadata: ["epoch": "\(epoch)", "exit": "\(exitStatus)"])
    for s in signals { s.cancel() }
    done.signal()
  }
}
