import AreaflowCore
import CRdKafka
import Foundation
import Logging
import Metrics

/// `kafka://HOST:PORT[,…]/TOPIC?group=NAME` (SPEC sections 7 and 9): a topic's messages as lines.
///
/// - Replay reads every partition from `start` up to the end offset it had when the replay began, then ends. It
///   assigns the partitions itself, so it needs no group and commits nothing.
/// - `run` is a consumer-group member. A partition assigned to it starts at the checkpoint's offset, else the
///   group's committed offset, else `start` (when both exist, the larger: the group's is only ever committed after a
///   checkpoint, so a larger one was written by another member that owned the partition since). After every
///   checkpoint the offsets it holds are committed to the group, so lag shows in Kafka's own tools. Before
///   partitions are revoked, what was read from them is committed (drain, checkpoint, group commit), so the next
///   owner goes on exactly after it.
///
/// Each partition is an input of its own (`KafkaPartition`): its input index is `inputBase + partition × stride`,
/// derived from the source's place and the partition number so that it means the same partition after a restart.
/// The source's own index carries no data and never holds the watermark back.
///
/// Polled from the driver's intake queue, like a followed file: librdkafka fetches on its own threads, and `read`
/// takes what it has fetched. Rebalances and consumer errors are served inside `read`, on the same queue.
final class KafkaSource: Source {
  /// How the source reads.
  enum Mode: Equatable {
    /// Up to the end offsets at start, then ends.
    case replay
    /// As a consumer-group member until stopped; with `once`, until every assigned partition reached the end it
    /// had when it was assigned.
    case live(once: Bool)
  }

  let index: Int
  let address: KafkaAddress
  var name: String { address.name }
  private let mode: Mode
  private let format: InputConfig.Format
  private let plan: FieldPlan
  private let batchLines: Int
  private let logger: Logger
  private let environment: [String: String]
  /// Partition p is input `inputBase + p × inputStride`.
  private let inputBase: Int
  private let inputStride: Int
  private var consumer: KafkaConsumer?
  /// The partitions being read, by number.
  private var assigned: [Int32: KafkaPartition] = [:]
  /// Checkpointed positions of partitions not assigned now; kept in every checkpoint until they are.
  private var pending: [Int32: InputPosition] = [:]
  private var context: SourceContext?
  /// The delivery of the `read` in progress, for a revoke served inside it.
  private var delivering: ((LineChunk) -> Void)?
  private var state = State.unopened
  private var assignedOnce = false
  /// Replay: the partition whose message is taken next. Partitions take turns, one message each, in partition
  /// order, so a replay's arrival order depends only on the topic's contents, never on fetch timing.
  private var nextPartition: Int32 = 0
  /// Replay: the topic is one input whose lines come in that order of turns (the replay watermark follows arrival
  /// order over all inputs anyway), so one framer takes every partition's lines and chunks never reorder them.
  private var replayFramer: UnsafeMutablePointer<LineFramer>?
  private var lastProgress: Double = 0
  private(set) var errors: [String] = []
  /// `areaflow_kafka_rebalances_total{topic, kind}` and, per assigned partition, `areaflow_kafka_consumer_lag`
  /// (messages between the next offset to read and the partition's end, as the fetcher last saw it).
  private lazy var assignments = Counter(
    label: "areaflow_kafka_rebalances_total", dimensions: [("topic", address.topic), ("kind", "assigned")])
  private lazy var revocations = Counter(
    label: "areaflow_kafka_rebalances_total", dimensions: [("topic", address.topic), ("kind", "revoked")])
  private var lagGauges: [Int32: Gauge] = [:]
  private var lastLagUpdate: Double = 0

  /// Updates the lag gauges, at most once a second.
  private func recordLag(_ consumer: KafkaConsumer) {
    let now = ProcessInfo.processInfo.systemUptime
    guard now - lastLagUpdate >= 1 else { return }
    lastLagUpdate = now
    for (p, partition) in assigned where partition.next >= 0 {
      guard let (_, high) = consumer.cachedWatermarks(p) else { continue }
      let gauge =
        lagGauges[p]
        ?? Gauge(
          label: "areaflow_kafka_consumer_lag", dimensions: [("topic", address.topic), ("partition", String(p))])
      lagGauges[p] = gauge
      gauge.record(max(0, high - partition.next))
    }
  }

  /// Network calls made while opening and assigning (metadata, end offsets, committed offsets).
  static let timeoutMilliseconds: Int32 = 15_000

  private enum State: Equatable {
    case unopened, reading, stopping, ended
  }

  /// - Parameters:
  ///   - inputBase, inputStride: partition p's input index is `inputBase + p × inputStride`.
  ///   - positions: the checkpoint's positions; this source takes those of its topic.
  init(
    index: Int, address: KafkaAddress, mode: Mode, format: InputConfig.Format, plan: FieldPlan, batchLines: Int,
    inputBase: Int, inputStride: Int, positions: [InputPosition], environment: [String: String], logger: Logger
  ) {
    self.index = index
    self.address = address
    self.mode = mode
    self.format = format
    self.plan = plan
    self.batchLines = batchLines
    self.inputBase = inputBase
    self.inputStride = max(1, inputStride)
    self.environment = environment
    self.logger = logger
    for p in positions {
      guard let k = p.kafkaPartition, k.topic == address.topic else { continue }
      pending[k.partition] = p
    }
  }

  /// The input index of `partition`.
  func input(of partition: Int32) -> Int { inputBase + Int(partition) * inputStride }

  /// The inputs of the checkpointed partitions, which join the watermark only when assigned again.
  var checkpointedInputs: [Int] { pending.keys.sorted().map { input(of: $0) } }

  private func partitionName(_ p: Int32) -> String { "\(address.name)#\(p)" }

  private func makePartition(_ p: Int32, next: Int64, end: Int64, resume: InputPosition?) -> KafkaPartition {
    KafkaPartition(
      partition: p, input: input(of: p), name: partitionName(p), format: format, plan: plan, batchLines: batchLines,
      next: next, end: end, resume: resume)
  }

  private func fail(_ message: String) {
    let text = "\(address.name): \(message)"
    errors.append(text)
    logger.error("input error", metadata: ["error": "\(text)"])
    state = .ended
  }

  // MARK: Replay

  /// Assigns every partition from its start offset; those already at their end are not read.
  private func openForReplay() {
    do {
      // librdkafka wants a group id even to assign partitions by hand; a replay never joins it nor commits to it.
      let made = try KafkaConsumer(
        address: address, group: address.group ?? "areaflow-replay", subscribes: false, environment: environment,
        logger: logger)
      consumer = made
      let partitions = try made.partitions(timeoutMilliseconds: Self.timeoutMilliseconds)
      let starts = try startOffsets(partitions, consumer: made)
      var offsets: [(Int32, Int64)] = []
      for p in partitions {
        let (_, high) = try made.watermarks(p, timeoutMilliseconds: Self.timeoutMilliseconds)
        let start = starts[p] ?? high
        logger.debug("partition to replay", metadata: ["partition": "\(p)", "from": "\(start)", "to": "\(high)"])
        guard start < high else { continue }
        assigned[p] = makePartition(p, next: start, end: high, resume: nil)
        offsets.append((p, start))
      }
      state = offsets.isEmpty ? .ended : .reading
      for (p, _) in offsets { made.separate(p) }
      let framer = UnsafeMutablePointer<LineFramer>.allocate(capacity: 1)
      framer.initialize(
        to: LineFramer(input: index, inputName: address.name, format: format, plan: plan, maxLines: batchLines))
      replayFramer = framer
      if !offsets.isEmpty { try made.assign(offsets) }
      nextPartition = offsets.first?.0 ?? 0
    } catch {
      fail(error.description)
    }
  }

  /// Where each partition begins under `start`.
  private func startOffsets(_ partitions: [Int32], consumer: KafkaConsumer) throws(KafkaConsumer.Failure)
    -> [Int32: Int64]
  {
    var result: [Int32: Int64] = [:]
    switch address.start {
    case .time(let ns):
      return try consumer.offsets(
        atOrAfter: WindowMath.floorDiv(ns, 1_000_000), partitions: partitions,
        timeoutMilliseconds: Self.timeoutMilliseconds)
    case .earliest, .latest:
      for p in partitions {
        let (low, high) = try consumer.watermarks(p, timeoutMilliseconds: Self.timeoutMilliseconds)
        result[p] = address.start == .earliest ? low : high
      }
    }
    return result
  }

  var isExhausted: Bool {
    switch state {
    case .ended: return true
    case .unopened, .stopping: return false
    case .reading:
      return assignedOnce && assigned.values.allSatisfy { $0.isAtEnd || $0.failure != nil }
    }
  }

  func read(budget: Int, deliver: (LineChunk) -> Void) -> SourceRead {
    if state == .unopened, mode == .replay { openForReplay() }
    guard state == .reading, let consumer else {
      return SourceRead(bytes: 0, status: state == .ended && mode == .replay ? .ended : .caughtUp)
    }
    var total = 0
    var more = false
    withoutActuallyEscaping(deliver) { deliver in
      delivering = deliver
      defer { delivering = nil }
      if mode == .replay {
        total = replayTurns(consumer, budget: budget, deliver: deliver)
      } else {
        while total < budget {
          let got = consumer.poll(timeoutMilliseconds: 0) { message in total += handle(message, deliver: deliver) }
          if !got { break }
        }
        probeRecovery(consumer)
        recordLag(consumer)
      }
      more = total >= budget
      if let replayFramer {
        do {
          for chunk in try replayFramer.pointee.flushLines() { deliver(chunk) }
        } catch {
          errors.append("\(address.name): \(error)")
        }
      }
      for partition in assigned.values { partition.flush(deliver: deliver) }
    }
    if mode == .replay, state == .ended || (!more && assigned.values.allSatisfy({ $0.isAtEnd || $0.failure != nil })) {
      finishReplay()
      return SourceRead(bytes: total, status: .ended)
    }
    if total > 0 { lastProgress = ProcessInfo.processInfo.systemUptime }
    return SourceRead(bytes: total, status: more ? .more : .caughtUp)
  }

  /// Replay: takes one message from each partition not yet at its end in turn, waiting for it when it has not been
  /// fetched yet.
  /// - Returns: the bytes taken.
  private func replayTurns(_ consumer: KafkaConsumer, budget: Int, deliver: (LineChunk) -> Void) -> Int {
    var total = 0
    // Consumer-level errors and logs are served by the consumer queue.
    _ = consumer.poll(timeoutMilliseconds: 0) { message in
      total += handle(message, deliver: deliver)
    }
    while total < budget, state == .reading {
      let open = assigned.keys.filter { !assigned[$0]!.isAtEnd && assigned[$0]!.failure == nil }.sorted()
      guard !open.isEmpty else { break }
      let p = open.first { $0 >= nextPartition } ?? open[0]
      var took = false
      let got = consumer.poll(partition: p, timeoutMilliseconds: 100) { message in
        let before = assigned[p]!.next
        total += handle(message, deliver: deliver)
        took = assigned[p]!.next != before || assigned[p]!.isAtEnd
      }
      if !got { waitingForData() }
      if took {
        lastProgress = ProcessInfo.processInfo.systemUptime
        nextPartition = (open.first { $0 > p } ?? open[0])
      }
    }
    return total
  }

  /// A replay that has waited a long time for a partition's messages says so (librdkafka keeps retrying).
  private func waitingForData() {
    let now = ProcessInfo.processInfo.systemUptime
    if lastProgress == 0 { lastProgress = now }
    guard now - lastProgress >= 30 else { return }
    lastProgress = now
    let behind = assigned.values.filter { !$0.isAtEnd }.map { "\($0.partition)@\($0.next)/\($0.end)" }
    logger.warning(
      "waiting for messages from the brokers (librdkafka retries)",
      metadata: ["input": "\(address.name)", "partitions": "\(behind.joined(separator: " "))"])
  }

  private func finishReplay() {
    for partition in assigned.values {
      if let failure = partition.failure { errors.append("\(partitionName(partition.partition)): \(failure)") }
    }
    consumer?.close()
    consumer = nil
    state = .ended
    releaseReplayFramer()
  }

  private func releaseReplayFramer() {
    replayFramer?.deinitialize(count: 1)
    replayFramer?.deallocate()
    replayFramer = nil
  }

  deinit { releaseReplayFramer() }

  /// One message or event from `poll`.
  /// - Returns: the bytes taken.
  private func handle(_ message: KafkaConsumer.Message, deliver: (LineChunk) -> Void) -> Int {
    switch message.error {
    case RD_KAFKA_RESP_ERR_NO_ERROR:
      guard let partition = assigned[message.partition] else { return 0 }
      if mode == .replay, message.offset >= partition.end {
        partition.reachedEnd(at: partition.end)
        consumer?.pause([partition.partition])
        return 0
      }
      let n = partition.take(offset: message.offset, value: message.value, shared: replayFramer, deliver: deliver)
      if mode == .replay, partition.isAtEnd { consumer?.pause([partition.partition]) }
      setProblem(nil)
      return n
    case RD_KAFKA_RESP_ERR__PARTITION_EOF:
      guard let partition = assigned[message.partition] else { return 0 }
      partition.reachedEnd(at: message.offset)
      return 0
    case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART, RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
      let text = "the topic '\(address.topic)' does not exist on \(address.brokers) (\(message.errorText))"
      if mode == .live(once: false) {
        logger.error("\(address.name): \(text); waiting for it to be created")
        setProblem(text)
      } else {
        fail(text)
      }
      return 0
    default:
      logger.warning(
        "consumer error", metadata: ["input": "\(address.name)", "error": "\(message.errorText)"])
      return 0
    }
  }

  // MARK: Run

  func start(_ context: SourceContext) {
    guard case .live(let once) = mode else { return }
    self.context = context
    // The source's own index carries no lines; checkpointed partitions count again only once assigned.
    context.inputs([], [index] + checkpointedInputs)
    guard let group = address.group else { return fail("run needs a consumer group: add ?group=NAME to the URL") }
    do {
      let made = try KafkaConsumer(
        address: address, group: group, subscribes: true, environment: environment, logger: logger)
      consumer = made
      made.onRebalance = { [unowned self] in rebalance($0) }
      made.onError = { [unowned self] reason, fatal in consumerError(reason, fatal: fatal) }
      do {
        // Short: the intake queue (and so a SIGTERM) waits for it; librdkafka keeps trying after it anyway.
        let partitions = try made.partitions(timeoutMilliseconds: 5000)
        logger.info(
          "joining the consumer group",
          metadata: ["input": "\(address.name)", "group": "\(group)", "partitions": "\(partitions.count)"])
      } catch {
        if once { return fail(error.description) }
        logger.error(
          "\(address.name): \(error); librdkafka goes on retrying", metadata: ["group": "\(group)"])
        setProblem("\(address.name): \(error)")
      }
      try made.subscribe()
      state = .reading
    } catch {
      fail(error.description)
    }
  }

  private func consumerError(_ reason: String, fatal: Bool) {
    logger.error("kafka: \(reason)", metadata: ["input": "\(address.name)"])
    if fatal { return fail(reason) }
    if reason.contains("brokers are down") || reason.contains("Connection refused") || reason.contains("resolve") {
      setProblem("\(address.name): cannot reach the brokers \(address.brokers); librdkafka retries with backoff")
    }
  }

  /// The input cannot be read now (for `/healthz`), or nil.
  private var problem: String?
  private var lastProbe: Double = 0

  private func setProblem(_ text: String?) {
    guard text != problem else { return }
    problem = text
    context?.setProblem(text)
    if let text {
      logger.warning("input unavailable", metadata: ["input": "\(address.name)", "problem": "\(text)"])
    } else {
      logger.notice("the brokers answer again", metadata: ["input": "\(address.name)"])
    }
  }

  /// While the brokers are down, asks one of them for the topic's metadata every few seconds: an idle topic sends
  /// no message that would show they are back.
  private func probeRecovery(_ consumer: KafkaConsumer) {
    guard problem != nil else { return }
    let now = ProcessInfo.processInfo.systemUptime
    guard now - lastProbe >= 3 else { return }
    lastProbe = now
    if (try? consumer.partitions(timeoutMilliseconds: 300)) != nil { setProblem(nil) }
  }

  /// The rebalance callback, inside `read` (or inside `close` when stopping).
  private func rebalance(_ event: KafkaConsumer.Rebalance) -> [Int32: Int64] {
    switch event {
    case .assigned(let partitions): return assign(partitions)
    case .revoked(let partitions):
      revoke(partitions)
      return [:]
    }
  }

  private func assign(_ partitions: [Int32]) -> [Int32: Int64] {
    guard let consumer, state == .reading else { return [:] }
    var committed: [Int32: Int64] = [:]
    do {
      committed = try consumer.committed(partitions, timeoutMilliseconds: Self.timeoutMilliseconds)
    } catch {
      logger.warning("\(address.name): \(error); using the checkpoint's offsets and start")
    }
    var starts: [Int32: Int64] = [:]
    var described: [Logger.MetadataValue] = []
    for p in partitions {
      let checkpointed = pending.removeValue(forKey: p)
      var end = Int64.max
      var start: Int64 = -1
      do {
        let (low, high) = try consumer.watermarks(p, timeoutMilliseconds: Self.timeoutMilliseconds)
        end = high
        switch (checkpointed?.consumed, committed[p]) {
        case (let c?, let g?): start = max(c, g)
        case (let c?, nil): start = c
        case (nil, let g?): start = g
        case (nil, nil):
          switch address.start {
          case .earliest: start = low
          case .latest: start = high
          case .time(let ns):
            start =
              try consumer.offsets(
                atOrAfter: WindowMath.floorDiv(ns, 1_000_000), partitions: [p],
                timeoutMilliseconds: Self.timeoutMilliseconds)[p] ?? high
          }
        }
        if start < low {
          logger.warning(
            "messages before the partition's earliest offset were deleted by retention before they were read",
            metadata: ["partition": "\(p)", "from": "\(start)", "earliest": "\(low)"])
        }
      } catch {
        logger.error("\(address.name): partition \(p): \(error)")
        start = checkpointed?.consumed ?? committed[p] ?? -1
      }
      let resume = checkpointed.flatMap { start == $0.consumed ? $0 : nil }
      assigned[p] = makePartition(p, next: start, end: end, resume: resume)
      if start >= 0 { starts[p] = start }
      described.append(.string("\(p)@\(start >= 0 ? String(start) : "stored")"))
    }
    assignedOnce = true
    assignments.increment()
    context?.inputs(partitions.map { input(of: $0) }, [])
    setProblem(nil)
    logger.info(
      "partitions assigned", metadata: ["input": "\(address.name)", "partitions": .array(described)])
    return starts
  }

  /// Before the partitions go: hand on what was read from them and commit it (checkpoint, then group).
  private func revoke(_ partitions: [Int32]) {
    let taken = partitions.compactMap { assigned[$0] }
    if !taken.isEmpty { revocations.increment() }
    defer {
      for p in partitions {
        assigned.removeValue(forKey: p)
        lagGauges.removeValue(forKey: p)?.record(0)
      }
      context?.inputs([], taken.map(\.input))
    }
    guard state == .reading, !taken.isEmpty else { return }
    if let delivering { for partition in taken { partition.flush(deliver: delivering) } }
    if context?.commit() == true {
      let offsets = taken.compactMap { p in p.position(topic: address.topic).map { (p.partition, $0.consumed) } }
      do {
        try consumer?.commit(offsets, wait: true)
      } catch {
        logger.warning("\(address.name): \(error)")
      }
      logger.info(
        "partitions revoked after a checkpoint",
        metadata: ["input": "\(address.name)", "partitions": .array(offsets.map { .string("\($0.0)@\($0.1)") })])
    } else {
      logger.warning(
        """
        partitions revoked before their last reads could be checkpointed; their next owner starts from the last \
        committed offsets
        """, metadata: ["input": "\(address.name)"])
    }
  }

  func checkpointCommitted(_ positions: [InputPosition]) {
    guard let consumer else { return }
    var offsets: [(Int32, Int64)] = []
    for p in positions {
      guard let k = p.kafkaPartition, k.topic == address.topic, assigned[k.partition] != nil else { continue }
      offsets.append((k.partition, k.offset))
    }
    let stopping = state == .stopping
    do {
      try consumer.commit(offsets, wait: stopping)
    } catch {
      logger.warning("\(address.name): \(error); the checkpoint holds the offsets")
    }
    if stopping {
      consumer.close()
      self.consumer = nil
      state = .ended
    }
  }

  func positions() -> [InputPosition] {
    assigned.values.compactMap { $0.position(topic: address.topic) } + pending.values
  }

  func finish(deliver: (LineChunk) -> Void) {
    for partition in assigned.values { partition.flush(deliver: deliver) }
  }

  /// Stops reading; the consumer leaves the group after the last checkpoint (`checkpointCommitted`).
  func cancel() {
    if mode == .replay {
      consumer?.close()
      consumer = nil
      state = .ended
    } else if state == .reading {
      state = .stopping
    }
  }
}
