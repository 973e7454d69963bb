import AreaflowCore
import CRdKafka
import Logging

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// librdkafka's consumer (`rd_kafka_t`), wrapped once: the calls `KafkaSource` needs and nothing else.
///
/// Offsets are areaflow's business, not librdkafka's: auto-commit and the offset store are off, every assignment
/// gets explicit offsets, and `commit` is called only after a checkpoint holds those offsets. librdkafka keeps its
/// own threads for fetching (so messages are ready when polled) and retries unreachable brokers with backoff by
/// itself; what it reports is logged through swift-log.
///
/// Used only from the driver's intake queue: the rebalance and error callbacks are served by `poll`, on the
/// caller's thread. Only the log callback runs on librdkafka's threads, and it touches nothing but the logger.
final class KafkaConsumer {
  /// A consumer-group rebalance, as the callback reports it.
  enum Rebalance {
    /// These partitions are now ours; the handler returns the offset each starts at.
    case assigned([Int32])
    /// These partitions are taken away once the handler returns.
    case revoked([Int32])
  }

  /// What a failing call said.
  struct Failure: Error, CustomStringConvertible {
    let description: String
  }

  /// One fetched message or consumer event, valid only inside the `poll` closure.
  struct Message {
    let partition: Int32
    let offset: Int64
    /// `RD_KAFKA_RESP_ERR_NO_ERROR` for a message; `_PARTITION_EOF` at a partition's current end; else an error.
    let error: rd_kafka_resp_err_t
    let value: UnsafeRawBufferPointer
    /// The error's text, for an error event.
    let errorText: String
  }

  let topic: String
  let logger: Logger
  private var handle: OpaquePointer?
  private var topicHandle: OpaquePointer?
  /// Called by the rebalance callback, inside `poll`.
  var onRebalance: ((Rebalance) -> [Int32: Int64])?
  /// Called by the error callback, inside `poll`, with a fatal-or-not flag.
  var onError: ((String, Bool) -> Void)?
  private var closed = false

  /// Makes a consumer for `address` with `settings` resolved from the environment.
  /// - Parameters:
  ///   - group: the consumer group.
  ///   - subscribes: joins the group through `subscribe` (rebalances go to `onRebalance`); a replay assigns
  ///     partitions itself and never joins.
  /// - Throws: `Failure` for a setting librdkafka refuses or a secret's environment variable that is not set.
  init(address: KafkaAddress, group: String, subscribes: Bool, environment: [String: String], logger: Logger)
    throws(Failure)
  {
    topic = address.topic
    self.logger = logger
    var settings: [(String, String)] = [
      ("bootstrap.servers", address.brokers),
      ("client.id", address.clientID ?? "areaflow"),
      ("enable.auto.commit", "false"),
      ("enable.auto.offset.store", "false"),
      ("enable.partition.eof", "true"),
      // A checkpointed offset that retention has deleted since: go on from the earliest message left (logged).
      ("auto.offset.reset", "earliest"),
    ]
    settings.append(("group.id", group))
    switch KafkaConfiguration.resolve(address.settings, environment: environment) {
    case .success(let resolved): settings += resolved
    case .failure(let refusal): throw Failure(description: "\(address.name): \(refusal.description)")
    }
    let conf: OpaquePointer
    do {
      conf = try KafkaConfiguration.make(settings)
    } catch {
      throw Failure(description: "\(address.name): \(error.description)")
    }
    var error = [CChar](repeating: 0, count: 512)
    af_rd_kafka_conf_set_opaque()!(conf, Unmanaged.passUnretained(self).toOpaque())
    af_rd_kafka_conf_set_log_cb()!(conf, kafkaLog)
    af_rd_kafka_conf_set_error_cb()!(conf, kafkaError)
    if subscribes { af_rd_kafka_conf_set_rebalance_cb()!(conf, kafkaRebalance) }
    // On success rd_kafka_new owns the conf; on failure it is still ours.
    guard let made = af_rd_kafka_new()!(RD_KAFKA_CONSUMER, conf, &error, error.count) else {
      af_rd_kafka_conf_destroy()!(conf)
      throw Failure(description: "\(address.name): cannot make a consumer: \(KafkaConfiguration.string(error))")
    }
    handle = made
    af_rd_kafka_poll_set_consumer()!(made)
    topicHandle = af_rd_kafka_topic_new()!(made, address.topic, nil)
  }

  deinit { destroy() }

  /// The topic's partitions, from the cluster's metadata.
  /// - Throws: `Failure` when no broker answers within `timeoutMilliseconds` or the topic does not exist.
  func partitions(timeoutMilliseconds: Int32) throws(Failure) -> [Int32] {
    var metadata: UnsafePointer<rd_kafka_metadata>?
    let err = af_rd_kafka_metadata()!(handle, 1, nil, &metadata, timeoutMilliseconds)
    guard err == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else {
      throw Failure(description: "cannot read the cluster's metadata: \(KafkaConfiguration.text(err))")
    }
    defer { af_rd_kafka_metadata_destroy()!(metadata) }
    let topics = UnsafeBufferPointer(start: metadata.pointee.topics, count: Int(metadata.pointee.topic_cnt))
    guard let entry = topics.first(where: { String(cString: $0.topic) == topic }) else {
      throw Failure(description: "the topic '\(topic)' does not exist on the cluster")
    }
    guard entry.err == RD_KAFKA_RESP_ERR_NO_ERROR else {
      throw Failure(description: "the topic '\(topic)': \(KafkaConfiguration.text(entry.err))")
    }
    let parts = UnsafeBufferPointer(start: entry.partitions, count: Int(entry.partition_cnt))
    return parts.map(\.id).sorted()
  }

  /// The partition's first and next-to-be-written offsets (low and high watermarks).
  func watermarks(_ partition: Int32, timeoutMilliseconds: Int32) throws(Failure) -> (low: Int64, high: Int64) {
    var low: Int64 = 0
    var high: Int64 = 0
    let err = af_rd_kafka_query_watermark_offsets()!(handle, topic, partition, &low, &high, timeoutMilliseconds)
    guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
      throw Failure(
        description: "cannot read the end offsets of \(topic)[\(partition)]: \(KafkaConfiguration.text(err))")
    }
    return (low, high)
  }

  /// The partition's watermarks as last seen by the fetcher (no request); nil before it has fetched.
  func cachedWatermarks(_ partition: Int32) -> (low: Int64, high: Int64)? {
    var low: Int64 = -1
    var high: Int64 = -1
    let err = af_rd_kafka_get_watermark_offsets()!(handle, topic, partition, &low, &high)
    guard err == RD_KAFKA_RESP_ERR_NO_ERROR, high >= 0 else { return nil }
    return (low, high)
  }

  /// Per partition, the offset of the first message whose timestamp is at or after `milliseconds`, or the
  /// partition's end when there is none.
  func offsets(atOrAfter milliseconds: Int64, partitions: [Int32], timeoutMilliseconds: Int32) throws(Failure)
    -> [Int32: Int64]
  {
    let list = makeList(partitions.map { ($0, milliseconds) })
    defer { af_rd_kafka_topic_partition_list_destroy()!(list) }
    let err = af_rd_kafka_offsets_for_times()!(handle, list, timeoutMilliseconds)
    guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
      throw Failure(description: "cannot find offsets by time in \(topic): \(KafkaConfiguration.text(err))")
    }
    var result: [Int32: Int64] = [:]
    for e in elements(list) {
      result[e.partition] =
        e.offset >= 0 ? e.offset : try watermarks(e.partition, timeoutMilliseconds: timeoutMilliseconds).high
    }
    return result
  }

  /// The group's committed offsets of `partitions` (absent: nothing committed).
  func committed(_ partitions: [Int32], timeoutMilliseconds: Int32) throws(Failure) -> [Int32: Int64] {
    let list = makeList(partitions.map { ($0, Int64(RD_KAFKA_OFFSET_INVALID)) })
    defer { af_rd_kafka_topic_partition_list_destroy()!(list) }
    let err = af_rd_kafka_committed()!(handle, list, timeoutMilliseconds)
    guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
      throw Failure(description: "cannot read the group's committed offsets: \(KafkaConfiguration.text(err))")
    }
    var result: [Int32: Int64] = [:]
    for e in elements(list) where e.offset >= 0 { result[e.partition] = e.offset }
    return result
  }

  /// Reads `partitions` from the given offsets without a group (replay).
  func assign(_ offsets: [(Int32, Int64)]) throws(Failure) {
    let list = makeList(offsets)
    defer { af_rd_kafka_topic_partition_list_destroy()!(list) }
    let err = af_rd_kafka_assign()!(handle, list)
    guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
      throw Failure(description: "cannot assign partitions of \(topic): \(KafkaConfiguration.text(err))")
    }
  }

  /// Stops fetching `partitions` (replay: read up to the end offset they had at the start).
  /// Moves the next fetch of an assigned partition to `offset` (scale-out: a partition reloaded from a newer epoch).
  func seek(_ partition: Int32, to offset: Int64) throws(Failure) {
    let list = makeList([(partition, offset)])
    defer { af_rd_kafka_topic_partition_list_destroy()!(list) }
    if let error = af_rd_kafka_seek_partitions()!(handle, list, 10_000) {
      let text = String(cString: af_rd_kafka_error_string()!(error)!)
      af_rd_kafka_error_destroy()!(error)
      throw Failure(description: "\(topic)[\(partition)]: cannot seek to \(offset): \(text)")
    }
  }

  func pause(_ partitions: [Int32]) {
    let list = makeList(partitions.map { ($0, Int64(RD_KAFKA_OFFSET_INVALID)) })
    defer { af_rd_kafka_topic_partition_list_destroy()!(list) }
    _ = af_rd_kafka_pause_partitions()!(handle, list)
  }

  /// Joins the consumer group on the topic; partitions come through `onRebalance`.
  func subscribe() throws(Failure) {
    let list = af_rd_kafka_topic_partition_list_new()!(1)
    defer { af_rd_kafka_topic_partition_list_destroy()!(list) }
    af_rd_kafka_topic_partition_list_add()!(list, topic, RD_KAFKA_PARTITION_UA)
    let err = af_rd_kafka_subscribe()!(handle, list)
    guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
      throw Failure(description: "cannot subscribe to \(topic): \(KafkaConfiguration.text(err))")
    }
  }

  /// Commits `offsets` (the next offset to read, per partition) to the group.
  func commit(_ offsets: [(Int32, Int64)], wait: Bool) throws(Failure) {
    guard !offsets.isEmpty else { return }
    let list = makeList(offsets)
    defer { af_rd_kafka_topic_partition_list_destroy()!(list) }
    let err = af_rd_kafka_commit()!(handle, list, wait ? 0 : 1)
    guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
      throw Failure(description: "cannot commit offsets of \(topic) to the group: \(KafkaConfiguration.text(err))")
    }
  }

  /// Partition queues taken out of the consumer queue (replay), by partition.
  private var queues: [Int32: OpaquePointer] = [:]

  /// Takes `partition`'s messages out of the common consumer queue, so that `poll(partition:)` reads them one
  /// partition at a time, in an order the caller chooses. Called before the partition is assigned.
  func separate(_ partition: Int32) {
    guard let handle, queues[partition] == nil, let queue = af_rd_kafka_queue_get_partition()!(handle, topic, partition)
    else { return }
    af_rd_kafka_queue_forward()!(queue, nil)
    queues[partition] = queue
  }

  /// Hands the next message or event of a separated partition to `body`, waiting up to `timeoutMilliseconds`;
  /// false when there was none.
  func poll(partition: Int32, timeoutMilliseconds: Int32, _ body: (Message) -> Void) -> Bool {
    guard !closed, let queue = queues[partition], let m = af_rd_kafka_consume_queue()!(queue, timeoutMilliseconds)
    else {
      return false
    }
    deliver(m, body)
    return true
  }

  /// Hands the next message or event to `body`, waiting up to `timeoutMilliseconds`; false when there was none.
  func poll(timeoutMilliseconds: Int32, _ body: (Message) -> Void) -> Bool {
    guard let handle, !closed, let m = af_rd_kafka_consumer_poll()!(handle, timeoutMilliseconds) else { return false }
    deliver(m, body)
    return true
  }

  private func deliver(_ m: UnsafeMutablePointer<rd_kafka_message_t>, _ body: (Message) -> Void) {
    defer { af_rd_kafka_message_destroy()!(m) }
    let message = m.pointee
    let error = message.err
    let text = error == RD_KAFKA_RESP_ERR_NO_ERROR ? "" : String(cString: af_rd_kafka_message_errstr()!(m)!)
    body(
      Message(
        partition: message.partition, offset: message.offset, error: error,
        value: UnsafeRawBufferPointer(
          start: message.payload, count: error == RD_KAFKA_RESP_ERR_NO_ERROR ? message.len : 0),
        errorText: text))
  }

  /// Leaves the group (its last revoke goes through `onRebalance`) and frees the consumer.
  func close() {
    guard let handle, !closed else { return }
    closed = true
    for queue in queues.values { af_rd_kafka_queue_destroy()!(queue) }
    queues = [:]
    _ = af_rd_kafka_consumer_close()!(handle)
    destroy()
  }

  private func destroy() {
    onRebalance = nil
    onError = nil
    for queue in queues.values { af_rd_kafka_queue_destroy()!(queue) }
    queues = [:]
    if let topicHandle { af_rd_kafka_topic_destroy()!(topicHandle) }
    topicHandle = nil
    if let handle { af_rd_kafka_destroy()!(handle) }
    handle = nil
  }

  /// Called by the rebalance callback.
  fileprivate func rebalance(_ err: rd_kafka_resp_err_t, _ list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>)
  {
    let cooperative = String(cString: af_rd_kafka_rebalance_protocol()!(handle)!) == "COOPERATIVE"
    let partitions = elements(list).map(\.partition)
    switch err {
    case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
      let offsets = onRebalance?(.assigned(partitions)) ?? [:]
      for i in 0..<Int(list.pointee.cnt) {
        let p = list.pointee.elems[i].partition
        list.pointee.elems[i].offset = offsets[p] ?? Int64(RD_KAFKA_OFFSET_STORED)
      }
      if cooperative {
        if let e = af_rd_kafka_incremental_assign()!(handle, list) { report(e) }
      } else {
        let e = af_rd_kafka_assign()!(handle, list)
        if e != RD_KAFKA_RESP_ERR_NO_ERROR {
          logger.error("cannot take the assigned partitions", metadata: ["error": "\(KafkaConfiguration.text(e))"])
        }
      }
    case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
      _ = onRebalance?(.revoked(partitions))
      if cooperative {
        if let e = af_rd_kafka_incremental_unassign()!(handle, list) { report(e) }
      } else {
        _ = af_rd_kafka_assign()!(handle, nil)
      }
    default:
      logger.error("consumer group rebalance failed", metadata: ["error": "\(KafkaConfiguration.text(err))"])
      _ = onRebalance?(.revoked(partitions))
      _ = af_rd_kafka_assign()!(handle, nil)
    }
  }

  private func report(_ error: OpaquePointer) {
    logger.error(
      "rebalance step failed", metadata: ["error": "\(String(cString: af_rd_kafka_error_string()!(error)!))"])
    af_rd_kafka_error_destroy()!(error)
  }

  fileprivate func failed(_ err: Int32, _ reason: String) {
    let code = rd_kafka_resp_err_t(rawValue: err)
    let fatal = code == RD_KAFKA_RESP_ERR__FATAL
    onError?(reason, fatal)
  }

  private func makeList(_ offsets: [(Int32, Int64)]) -> UnsafeMutablePointer<rd_kafka_topic_partition_list_t> {
    let list = af_rd_kafka_topic_partition_list_new()!(Int32(max(1, offsets.count)))!
    for (p, o) in offsets {
      let e = af_rd_kafka_topic_partition_list_add()!(list, topic, p)!
      e.pointee.offset = o
    }
    return list
  }

  private func elements(_ list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) -> [(
    partition: Int32, offset: Int64
  )] {
    (0..<Int(list.pointee.cnt)).map { (list.pointee.elems[$0].partition, list.pointee.elems[$0].offset) }
  }

  /// A NUL-terminated error buffer as text.
  /// Opens librdkafka (loaded on first use, see `scripts/generate-dlopen-shims.py`); nil when it is ready, else
  /// what to install.
  static func libraryProblem() -> String? {
    af_CRdKafka_load().map { "Kafka needs librdkafka (Debian: apt-get install librdkafka1): \(String(cString: $0))" }
  }

  /// librdkafka's version, for `check` and logs.
  static var version: String {
    libraryProblem() == nil ? String(cString: af_rd_kafka_version_str()!()!) : "not installed"
  }
}

private func consumer(of opaque: UnsafeMutableRawPointer?) -> KafkaConsumer? {
  opaque.map { Unmanaged<KafkaConsumer>.fromOpaque($0).takeUnretainedValue() }
}

private func kafkaRebalance(
  _ rk: OpaquePointer?, _ err: rd_kafka_resp_err_t, _ list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?,
  _ opaque: UnsafeMutableRawPointer?
) {
  guard let list, let consumer = consumer(of: opaque) else { return }
  consumer.rebalance(err, list)
}

private func kafkaError(
  _ rk: OpaquePointer?, _ err: Int32, _ reason: UnsafePointer<CChar>?, _ opaque: UnsafeMutableRawPointer?
) {
  consumer(of: opaque)?.failed(err, reason.map { String(cString: $0) } ?? "")
}

private func kafkaLog(
  _ rk: OpaquePointer?, _ level: Int32, _ facility: UnsafePointer<CChar>?, _ text: UnsafePointer<CChar>?
) {
  guard let rk, let consumer = consumer(of: af_rd_kafka_opaque()!(rk)) else { return }
  let line = text.map { String(cString: $0) } ?? ""
  let message = Logger.Message(stringLiteral: "librdkafka: \(line)")
  let facilityName = facility.map { String(cString: $0) } ?? ""
  let metadata: Logger.Metadata = ["facility": "\(facilityName)"]
  // Offsets reach the group only after a checkpoint holds them, for lag tools: a commit refused because the group
  // is rebalancing loses nothing (the next checkpoint commits again), so it is not a warning.
  if facilityName == "COMMITFAIL", line.contains("rebalance in progress") {
    return consumer.logger.debug(message, metadata: metadata)
  }
  switch level {
  case ...3: consumer.logger.error(message, metadata: metadata)
  case 4: consumer.logger.warning(message, metadata: metadata)
  case 5, 6: consumer.logger.info(message, metadata: metadata)
  default: consumer.logger.debug(message, metadata: metadata)
  }
}
