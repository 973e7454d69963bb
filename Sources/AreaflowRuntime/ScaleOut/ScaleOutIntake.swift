import AreaflowCore
import CRdKafka
import Logging
import Metrics

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The first stage of a scale-out instance: the source partitions the group gives it. Each is framed, decoded,
/// keyed, stamped by a stamper of its own (the ordering rule: lateness depends on the event's own partition), and
/// sent to the repartition topic as one block per repartition partition (`RepartitionWriter`).
///
/// After every block sent so far is acknowledged, each partition's position (offset, lines, largest event time) is
/// saved in the shared directory (`ScaleOutStore`): whoever reads the partition next starts there.
///
/// Confined to the driver's queue.
final class ScaleOutIntake {
  /// One source partition read here.
  final class Partition {
    let reader: KafkaPartition
    var stamper: WatermarkStamper
    var lastData: Double
    var lastBeat = 0.0
    var beatBound = Int64.min
    var beatIdle = false
    var idle = false

    init(reader: KafkaPartition, stamper: WatermarkStamper, now: Double) {
      self.reader = reader
      self.stamper = stamper
      lastData = now
    }
  }

  let address: KafkaAddress
  let consumer: KafkaConsumer
  let producer: RepartitionProducer
  let store: ScaleOutStore
  let fingerprint: String
  let sourceCount: Int32
  private let config: PipelineConfig
  private let decoder: BatchDecoder
  private let writer: RepartitionWriter
  private let schemes: [any AreaScheme]
  private let batchLines: Int
  private let logger: Logger
  private let clock: RuntimeClock
  private(set) var partitions: [Int32: Partition] = [:]
  /// Chunks taken and not yet sent, in the order taken (`flushLines` sends them).
  private var pending: [(Partition, LineChunk)] = []
  /// Lines sent since start, for logs and metrics.
  private(set) var linesSent: Int64 = 0
  /// Set when blocks could not be delivered: the instance must restart from the saved positions.
  private(set) var failure: String?
  /// `areaflow_kafka_consumer_lag{topic, partition}` of the source partitions read here, as `run` reports it.
  private var lagGauges: [Int32: Gauge] = [:]
  /// `AREAFLOW_TEST_INTAKE_DELAY_MS`: a pause per batch, so tests can kill an instance mid-stream.
  var delayMilliseconds = 0

  init(
    address: KafkaAddress, consumer: KafkaConsumer, producer: RepartitionProducer, store: ScaleOutStore,
    config: PipelineConfig, schemes: [any AreaScheme], decoder: BatchDecoder, partitions: Int, sourceCount: Int32,
    batchLines: Int, logger: Logger, clock: RuntimeClock
  ) {
    self.address = address
    self.consumer = consumer
    self.producer = producer
    self.store = store
    self.config = config
    self.schemes = schemes
    self.decoder = decoder
    self.sourceCount = sourceCount
    self.batchLines = batchLines
    self.logger = logger
    self.clock = clock
    fingerprint = LiveCheckpoint.fingerprint(of: config) + " source[\(address.topic)]"
    writer = RepartitionWriter(config: config, plan: decoder.plan, partitions: partitions)
  }

  /// Partitions given to this instance: each starts at its saved position, else at the URL's `start`.
  func assign(_ ps: [Int32]) -> [Int32: Int64] {
    var starts: [Int32: Int64] = [:]
    let rollUp = config.privacy.map { $0.smallGroups == .roll_up ? $0.rollUpLevels : 0 } ?? 0
    for p in ps {
      var saved: IntakePosition?
      do {
        saved = try store.loadIntake(p, fingerprint: fingerprint)
      } catch {
        logger.error(
          "cannot use the saved intake position; starting from the URL's start", metadata: ["error": "\(error)"])
      }
      var start = saved?.offset ?? -1
      if saved == nil {
        do {
          let (low, high) = try consumer.watermarks(p, timeoutMilliseconds: 10_000)
          switch address.start {
          case .earliest: start = low
          case .latest: start = high
          case .time(let ns):
            start =
              try consumer.offsets(
                atOrAfter: WindowMath.floorDiv(ns, 1_000_000), partitions: [p], timeoutMilliseconds: 10_000)[p] ?? high
          }
        } catch {
          logger.error("\(address.name): partition \(p): \(error)")
        }
      }
      let resume = saved.map {
        InputPosition.kafka(
          input: Int(p), topic: address.topic, partition: p, offset: $0.offset, lines: $0.lines, csvColumns: nil)
      }
      let reader = KafkaPartition(
        partition: p, input: Int(p), name: "\(address.name)#\(p)", format: config.input.lineFormat,
        plan: decoder.plan, batchLines: batchLines, next: start, end: Int64.max, resume: resume)
      var stamper = WatermarkStamper(
        windows: config.windows, watermark: config.watermark, shardCount: writer.partitions, routingSchemes: schemes,
        routingLevels: rollUp)
      if let saved, saved.maxTime != Int64.min { stamper.restore(maxTime: saved.maxTime) }
      partitions[p] = Partition(reader: reader, stamper: stamper, now: clock.monotonic())
      if start >= 0 { starts[p] = start }
    }
    return starts
  }

  /// Partitions taken away: what was read is sent and its position saved before they go.
  func revoke(_ ps: [Int32]) {
    let taken = ps.filter { partitions[$0] != nil }
    guard !taken.isEmpty else { return }
    flushLines()
    saveAll(only: Set(taken))
    for p in taken {
      partitions.removeValue(forKey: p)
      lagGauges.removeValue(forKey: p)?.record(0)
    }
  }

  /// Takes one message of the source topic.
  func take(_ m: KafkaConsumer.Message) {
    guard let partition = partitions[m.partition] else { return }
    if m.error == RD_KAFKA_RESP_ERR__PARTITION_EOF {
      partition.reader.reachedEnd(at: m.offset)
      return
    }
    guard m.error == RD_KAFKA_RESP_ERR_NO_ERROR else {
      logger.warning("\(address.name): \(m.errorText)")
      return
    }
    partition.lastData = clock.monotonic()
    _ = partition.reader.take(offset: m.offset, value: m.value) { chunk in pending.append((partition, chunk)) }
    if let failure = partition.reader.failure {
      logger.error("\(address.name)#\(m.partition): \(failure)")
    }
  }

  /// Hands on the whole lines every partition holds, and sends every chunk taken.
  func flushLines() {
    for partition in partitions.values {
      partition.reader.flush { chunk in pending.append((partition, chunk)) }
    }
    sendPending()
  }

  /// Sends the chunks taken, in the order they were taken: decoding and block encoding are pure and run on every
  /// core; stamping runs in order, since each partition's stamps follow its own events.
  private func sendPending() {
    guard !pending.isEmpty else { return }
    let work = pending
    pending = []
    let decoder = decoder
    let batches = SnapshotSink.concurrentMap(work.count) { i in decoder.decode(work[i].1) }
    var stamped: [StampedBatch] = []
    stamped.reserveCapacity(work.count)
    for (i, (partition, _)) in work.enumerated() { stamped.append(partition.stamper.stamp(batches[i])) }
    let (writer, sourceCount) = (writer, sourceCount)
    let encoded = SnapshotSink.concurrentMap(work.count) { i -> [(Int32, [UInt8])] in
      let p = work[i].0.reader.partition
      let home = RepartitionBlock.home(source: p, partitions: writer.partitions)
      return writer.blocks(stamped[i], source: p, sourceCount: sourceCount).enumerated().compactMap { r, block in
        block.entryCount > 0 || r == home ? (Int32(r), block.encode()) : nil
      }
    }
    for (i, (partition, _)) in work.enumerated() {
      for (r, bytes) in encoded[i] {
        do {
          try producer.send(bytes, partition: r)
        } catch {
          failure = error.description
        }
      }
      linesSent += Int64(batches[i].lineCount)
      partition.idle = false
      if delayMilliseconds > 0 { usleepMilliseconds(delayMilliseconds) }
    }
  }

  /// Sends every repartition partition the bound (and idleness) of each source partition read here, when it
  /// changed or a second passed: a repartition partition that gets no event of a source partition still learns how
  /// far it has come.
  func beat() {
    let now = clock.monotonic()
    let idleAfter = Double(config.watermark.idleTimeout) / 1e9
    for (p, partition) in partitions {
      partition.idle = now - partition.lastData >= idleAfter
      let bound = partition.stamper.current
      guard bound != partition.beatBound || partition.idle != partition.beatIdle || now - partition.lastBeat >= 1
      else { continue }
      let blocks = writer.heartbeat(
        source: p, sourceCount: sourceCount, nextLine: partition.reader.linesEmitted + 1, bound: bound,
        idle: partition.idle)
      for (r, block) in blocks.enumerated() {
        do {
          try producer.send(block.encode(), partition: Int32(r))
        } catch {
          failure = error.description
        }
      }
      partition.beatBound = bound
      partition.beatIdle = partition.idle
      partition.lastBeat = now
      if partition.reader.next >= 0, let (_, high) = consumer.cachedWatermarks(p) {
        let gauge =
          lagGauges[p]
          ?? Gauge(
            label: "areaflow_kafka_consumer_lag", dimensions: [("topic", address.topic), ("partition", String(p))])
        lagGauges[p] = gauge
        gauge.record(max(0, high - partition.reader.next))
      }
    }
    producer.poll()
  }

  /// Waits for every block to be acknowledged, then saves each partition's position (and tells the group, for lag).
  /// - Returns: false when blocks were not acknowledged (`failure` says why).
  @discardableResult
  func saveAll(only: Set<Int32>? = nil) -> Bool {
    if let problem = producer.flush(timeoutMilliseconds: 30_000) {
      failure = problem
      return false
    }
    guard failure == nil else { return false }
    var offsets: [(Int32, Int64)] = []
    for (p, partition) in partitions where only?.contains(p) ?? true {
      guard let position = partition.reader.position(topic: address.topic) else { continue }
      let saved = IntakePosition(
        partition: p, offset: position.consumed, lines: position.lines, maxTime: partition.stamper.maxTime)
      do {
        try store.saveIntake(saved, fingerprint: fingerprint)
        offsets.append((p, position.consumed))
      } catch {
        logger.error("cannot save an intake position", metadata: ["error": "\(error)"])
      }
    }
    if !offsets.isEmpty {
      do {
        try consumer.commit(offsets, wait: false)
      } catch {
        logger.debug("\(address.name): \(error)")
      }
    }
    return true
  }
}

func usleepMilliseconds(_ ms: Int) {
  var ts = timespec(tv_sec: ms / 1000, tv_nsec: (ms % 1000) * 1_000_000)
  nanosleep(&ts, nil)
}
