import AreaflowCore
import CRdKafka
import Dispatch
import Foundation
import Logging

/// `areaflow run` with `scale_out`: one instance of several that share a Kafka topic (SPEC section 9).
///
/// Two stages run in every instance, each a member of its own consumer group:
///
/// ```
/// source topic (group G) ─▶ ScaleOutIntake: frame, decode, key, stamp per source partition ─▶ blocks
///    ─▶ repartition topic, keyed by (scheme, area) ─▶ (group G.aggregate) ScaleOutAggregation:
///    PartitionAggregate per repartition partition (merge by stamp, WindowStore) ─▶ part-rNN files + epochs
/// ```
///
/// Kafka moves the work: when an instance stops or dies, its source partitions continue from their saved intake
/// positions and its repartition partitions from their newest epochs, in another instance. Everything runs on one
/// serial queue; the loop polls both consumers, releases what is settled, sends heartbeats, and commits every
/// `flush_every`.
public final class ScaleOutPipeline: @unchecked Sendable {
  let config: PipelineConfig
  let instance: String
  let logger: Logger
  private let queue = DispatchQueue(label: "areaflow.scale-out")
  private let clock: RuntimeClock
  private let done = DispatchSemaphore(value: 0)
  private let intake: ScaleOutIntake
  private let aggregation: ScaleOutAggregation
  private let metrics: ScaleOutMetrics
  private var stopping = false
  private var exitStatus: Int32 = 0
  private var signals: [DispatchSourceSignal] = []
  private var timers: [DispatchSourceTimer] = []
  private var lastIdleTick: Double
  private var lastFlush: Double
  private let flushEvery: Double
  /// `run --http`: the rows of the partitions committed here (the areas this instance owns).
  private let view: LiveView?

  /// - Parameters:
  ///   - input: the one `kafka://BROKERS/TOPIC?group=G` input.
  ///   - instance: this instance's name (logs, staged file names).
  public init(
    config: PipelineConfig, schemes: [any AreaScheme], encoder: any SnapshotEncoder, outputDirectory: String,
    input: String, instance: String, options: LiveOptions, view: LiveView? = nil, logger: Logger, clock: RuntimeClock
  ) throws {
    self.view = view
    guard let scaleOut = config.scaleOut else { preconditionFailure("scale_out config expected") }
    self.config = config
    self.instance = instance
    self.logger = logger
    self.clock = clock
    let address = try KafkaAddress(input)
    guard let group = address.group else {
      throw ScaleOutStore.Unusable(description: "\(address.name): scale_out needs ?group=NAME")
    }
    let environment = ProcessInfo.processInfo.environment
    let store = ScaleOutStore(directory: outputDirectory, instance: instance)
    let sourceConsumer = try KafkaConsumer(
      address: address, group: group, subscribes: true, environment: environment, logger: logger)
    var repartition = address
    repartition.topic = scaleOut.topic
    let aggregateConsumer = try KafkaConsumer(
      address: repartition, group: "\(group).aggregate", subscribes: true, environment: environment, logger: logger)
    let sourceCount = try sourceConsumer.partitions(timeoutMilliseconds: 10_000).count
    let partitions: Int
    do {
      partitions = try aggregateConsumer.partitions(timeoutMilliseconds: 10_000).count
    } catch {
      throw ScaleOutStore.Unusable(
        description: """
          scale_out.topic: \(error); create it once with as many partitions as instances may ever aggregate, e.g. \
          kafka-topics.sh --create --topic \(scaleOut.topic) --partitions 12
          """)
    }
    let producer = try RepartitionProducer(address: address, topic: scaleOut.topic, environment: environment)
    let decoder = BatchDecoder(config: config, schemes: schemes)
    intake = ScaleOutIntake(
      address: address, consumer: sourceConsumer, producer: producer, store: store, config: config, schemes: schemes,
      decoder: decoder, partitions: partitions, sourceCount: Int32(sourceCount), batchLines: options.batchLines,
      logger: logger, clock: clock)
    aggregation = ScaleOutAggregation(
      consumer: aggregateConsumer, store: store, partitions: partitions, config: config, schemes: schemes,
      plan: decoder.plan, encoder: encoder, rowsPerCommit: options.rowsPerCommit, queue: queue, logger: logger)
    aggregation.pauseMilliseconds = options.commitPauseMilliseconds
    aggregation.keepsTables = view != nil
    intake.delayMilliseconds = Int(environment["AREAFLOW_TEST_INTAKE_DELAY_MS"] ?? "") ?? 0
    metrics = ScaleOutMetrics()
    flushEvery = Double(config.output.flushEvery) / 1e9
    lastIdleTick = clock.monotonic()
    lastFlush = lastIdleTick
    logger.info(
      "scale-out started",
      metadata: [
        "instance": "\(instance)", "source": "\(address.name)", "source_partitions": "\(sourceCount)",
        "repartition_topic": "\(scaleOut.topic)", "repartition_partitions": "\(partitions)", "group": "\(group)",
      ])
  }

  /// Runs until SIGINT/SIGTERM. Returns the exit status.
  public func run() -> Int32 {
    queue.async { [self] in start() }
    done.wait()
    return exitStatus
  }

  private func start() {
    intake.consumer.onRebalance = { [unowned self] event in
      switch event {
      case .assigned(let ps):
        let starts = intake.assign(ps)
        logAssignment("intake partitions")
        return starts
      case .revoked(let ps):
        intake.revoke(ps)
        logAssignment("intake partitions")
        return [:]
      }
    }
    aggregation.consumer.onRebalance = { [unowned self] event in
      switch event {
      case .assigned(let rs):
        do {
          let starts = try aggregation.assign(rs)
          logAssignment("aggregate partitions")
          return starts
        } catch {
          logger.critical("cannot continue a repartition partition", metadata: ["error": "\(error)"])
          exitStatus = 2
          queue.async { [self] in stop() }
          return [:]
        }
      case .revoked(let rs):
        aggregation.revoke(rs)
        aggregation.writeTotal()
        logAssignment("aggregate partitions")
        return [:]
      }
    }
    for consumer in [intake.consumer, aggregation.consumer] {
      consumer.onError = { [unowned self] reason, fatal in
        logger.warning("kafka: \(reason)")
        if fatal {
          exitStatus = 1
          queue.async { [self] in stop() }
        }
      }
      do {
        try consumer.subscribe()
      } catch {
        logger.critical("cannot subscribe", metadata: ["error": "\(error)"])
        exitStatus = 2
        return stop()
      }
    }
    for sig in [SIGINT, SIGTERM] {
      signal(sig, SIG_IGN)
      let source = DispatchSource.makeSignalSource(signal: sig, queue: DispatchQueue.global())
      source.setEventHandler { [unowned self] in
        logger.info("stopping: committing", metadata: ["signal": "\(sig == SIGINT ? "SIGINT" : "SIGTERM")"])
        queue.async { [self] in stop() }
      }
      source.resume()
      signals.append(source)
    }
    let tick = DispatchSource.makeTimerSource(queue: queue)
    tick.schedule(deadline: .now() + .milliseconds(250), repeating: .milliseconds(250), leeway: .milliseconds(20))
    tick.setEventHandler { [unowned self] in everyQuarterSecond() }
    tick.resume()
    timers.append(tick)
    step()
  }

  private func logAssignment(_ what: String) {
    let sources = intake.partitions.keys.sorted()
    let aggregates = aggregation.partitions.keys.sorted()
    metrics.intakePartitions.record(sources.count)
    metrics.aggregatePartitions.record(aggregates.count)
    logger.info(
      "\(what) changed",
      metadata: [
        "instance": "\(instance)", "intake partitions": .array(sources.map { .string("\($0)") }),
        "aggregate partitions": .array(aggregates.map { .string("\($0)") }),
      ])
  }

  /// One round: what both consumers have now, then what is settled. Runs again at once while there is work.
  private func step() {
    guard !stopping else { return }
    var work = 0
    while work < 2_000, intake.consumer.poll(timeoutMilliseconds: 0, { m in intake.take(m) }) { work += 1 }
    intake.flushLines()
    var touched = Set<Int>()
    var blocks = 0
    while blocks < 2_000,
      aggregation.consumer.poll(
        timeoutMilliseconds: 0,
        { m in
          if let r = aggregation.take(m) { touched.insert(r) }
        })
    {
      blocks += 1
    }
    for r in touched.sorted() { aggregation.release(r) }
    if let failure = intake.failure { return fail(failure) }
    if work + blocks > 0 {
      queue.async { [self] in step() }
    } else {
      queue.asyncAfter(deadline: .now() + .milliseconds(10)) { [self] in step() }
    }
  }

  private func everyQuarterSecond() {
    guard !stopping else { return }
    intake.beat()
    let now = clock.monotonic()
    let idleAfter = Double(config.watermark.idleTimeout) / 1e9
    if now - lastIdleTick >= min(1, idleAfter / 4) {
      aggregation.advanceIdle(by: Int64((now - lastIdleTick) * 1e9))
      lastIdleTick = now
    }
    if now - lastFlush >= flushEvery {
      lastFlush = now
      flush()
    }
  }

  /// Saves the intake positions (after every block is acknowledged), then commits every changed partition.
  private func flush() {
    let started = clock.monotonic()
    if !intake.saveAll(), let failure = intake.failure { return fail(failure) }
    let outcomes = aggregation.commitAll()
    var rows: Int64 = 0
    var files = 0
    var failed: [String] = []
    for (r, outcome) in outcomes {
      switch outcome {
      case .committed(let n, let f):
        rows += n
        files += f
      case .failed(let reason): failed.append("r\(r): \(reason)")
      case .unchanged, .lost: break
      }
    }
    metrics.rowsWritten.increment(by: Int(rows))
    if !failed.isEmpty {
      metrics.commitFailures.increment()
      logger.error("commit failed; the rows are kept and retried", metadata: ["errors": "\(failed)"])
    }
    let committed = outcomes.values.contains { if case .committed = $0 { return true } else { return false } }
    if committed, let view {
      view.publish(
        final: WindowView.split(aggregation.published(outcomes), windows: config.windows, isFinal: true), open: [],
        watermark: aggregation.watermark)
    }
    if committed {
      logger.info(
        "flush committed",
        metadata: [
          "instance": "\(instance)", "rows": "\(rows)", "files": "\(files)", "lines_sent": "\(intake.linesSent)",
          "seconds": "\(String(format: "%.3f", clock.monotonic() - started))",
        ])
    }
  }

  /// Blocks could not be delivered: stop without saving intake positions, so a restart sends them again.
  private func fail(_ reason: String) {
    logger.critical(
      "the repartition topic did not take the intake's blocks; stopping so a restart resends them from the saved positions",
      metadata: ["error": "\(reason)"])
    exitStatus = 1
    stop()
  }

  private func stop() {
    guard !stopping else { return }
    stopping = true
    for t in timers { t.cancel() }
    timers = []
    if exitStatus == 0 {
      intake.flushLines()
      if !intake.saveAll() { exitStatus = 1 }
    }
    // Draining what was read of the repartition topic, then committing, before leaving the groups.
    var touched = Set<Int>()
    while aggregation.consumer.poll(
      timeoutMilliseconds: 0,
      { m in
        if let r = aggregation.take(m) { touched.insert(r) }
      })
    {}
    for r in touched { aggregation.release(r) }
    let outcomes = aggregation.commitAll()
    if outcomes.values.contains(where: { if case .failed = $0 { return true } else { return false } }) {
      exitStatus = 1
    }
    stopping = true
    intake.consumer.onRebalance = { _ in [:] }
    aggregation.consumer.onRebalance = { _ in [:] }
    intake.consumer.close()
    aggregation.consumer.close()
    logger.info("run stopped", metadata: ["instance": "\(instance)", "exit": "\(exitStatus)"])
    for s in signals { s.cancel() }
    done.signal()
  }
}
