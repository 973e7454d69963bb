import AreaflowCore
import CRdKafka
import Dispatch
import Foundation
import Logging
import Metrics

/// `output.kafka` (SPEC section 9): publishes the record files of committed snapshot commits to a Kafka topic, each
/// backlog in one transaction together with a marker of how far publication has come.
///
/// Publication follows the file commits and never holds them up. Each commit writes a record file
/// (`_kafka/RUN/part-N.records`, see `KafkaRecordEncoder`) beside its part files, atomically with them and the
/// checkpoint. This publisher, on a queue of its own, sends the record files not yet published in one transaction of
/// a transactional producer, with the marker `{"epoch":N,"run":RUN}` (N the last part sequence published) on the
/// one-partition topic `TOPIC.areaflow-epochs`, keyed by the `transactional.id`. The transaction's commit is the
/// publication's commit point: a record file is deleted only after it.
///
/// On start, `init_transactions` fences a previous instance (same output directory and topic, so the same
/// `transactional.id`) and aborts its open transaction; the last committed marker (read with `read_committed`)
/// says which record files were published already. So whatever moment a process is killed at, a `read_committed`
/// consumer sees every final row exactly once. `RUN` is new with every fresh output directory, so a marker of an
/// earlier run (before `--reset`, or an earlier replay) never hides this run's parts.
///
/// Without transactions (`transactions: false`), an idempotent producer sends the files and deletes them once
/// every message is acknowledged: at least once, and a compacted topic converges to one message per key.
///
/// An unreachable broker or a refused publication is retried with backoff (1 s doubling to 30 s); the backlog is
/// the record files left, visible as `areaflow_kafka_publication_lag_epochs`.
final class KafkaPublisher: @unchecked Sendable {
  /// What a failing step said.
  struct Failure: Error, CustomStringConvertible {
    let description: String
    /// The producer cannot go on (fenced, or a fatal error): a new one is made for the next attempt.
    var fatal = false
  }

  let config: KafkaOutputConfig
  /// The record files' folder, absolute.
  let folder: String
  let run: String
  let transactionalID: String
  let logger: Logger
  /// Fault injection for tests: sleep this long inside each transaction, between producing and committing.
  let pauseMilliseconds: Int
  private let queue = DispatchQueue(label: "areaflow.kafka.publish")
  // Queue state.
  private var producer: OpaquePointer?
  private var topicHandle: OpaquePointer?
  private var markerHandle: OpaquePointer?
  /// The last part sequence published, once known.
  private var published: Int?
  private var retryIn: Double = 0
  private var retryScheduled = false
  private var lastError: String?
  /// Delivery failures reported by librdkafka since the last attempt began (written by its callback, inside poll).
  fileprivate var deliveryErrors: [String] = []

  let publishedRows = Counter(label: "areaflow_kafka_published_rows_total")
  let produceErrors = Counter(label: "areaflow_kafka_produce_errors_total")
  let lag = Gauge(label: "areaflow_kafka_publication_lag_epochs")

  /// The folder for record files in `directory`: the one a previous process of this run left, else a new run's.
  static func recordFolder(in directory: String) -> (folder: String, run: String) {
    let base = "\(directory)/_kafka"
    let existing = (try? FileManager.default.contentsOfDirectory(atPath: base))?.filter { !$0.hasPrefix(".") }.sorted()
    let run = existing?.last ?? String(UInt64.random(in: 1...UInt64.max), radix: 16)
    return ("\(base)/\(run)", run)
  }

  /// The `transactional.id`: the same for every process publishing this output directory to this topic, so a
  /// restarted instance fences its zombie.
  static func transactionalID(directory: String, topic: String) -> String {
    let path = (try? FileManager.default.destinationOfSymbolicLink(atPath: directory)) ?? directory
    let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in "\(absolute)\u{0}\(topic)".utf8 { hash = (hash ^ UInt64(b)) &* 0x100_0000_01b3 }
    return "areaflow-\(topic)-\(String(hash, radix: 16))"
  }

  /// `output.kafka` of `config`: a publisher for the output `directory` (already prepared or recovered), with
  /// `sink` set to write its record files; nil without `output.kafka`. Must be called before the sink's first
  /// commit. `AREAFLOW_TEST_PUBLISH_PAUSE_MS` (tests) pauses inside each transaction.
  static func attach(to sink: SnapshotSink, config: PipelineConfig, directory: String, logger: Logger)
    -> KafkaPublisher?
  {
    guard let kafka = config.output.kafka else { return nil }
    let (folder, run) = recordFolder(in: directory)
    sink.kafkaRecords = (KafkaRecordEncoder(dimensions: config.input.dimensions), "_kafka/\(run)")
    let pause = Int(ProcessInfo.processInfo.environment["AREAFLOW_TEST_PUBLISH_PAUSE_MS"] ?? "") ?? 0
    return KafkaPublisher(
      config: kafka, directory: directory, folder: folder, run: run, pauseMilliseconds: pause, logger: logger)
  }

  init(
    config: KafkaOutputConfig, directory: String, folder: String, run: String, pauseMilliseconds: Int, logger: Logger
  ) {
    self.config = config
    self.folder = folder
    self.run = run
    transactionalID = Self.transactionalID(directory: directory, topic: config.topic)
    self.pauseMilliseconds = pauseMilliseconds
    self.logger = logger
  }

  deinit { destroyProducer() }

  /// Publishes what is committed and not yet published, soon, on the publisher's queue.
  func kick() { queue.async { [self] in attempt() } }

  /// Publishes until nothing is left or `timeout` seconds have passed.
  /// - Returns: nil when everything is published, else the last error.
  func drain(timeout: Double) -> String? {
    let deadline = Date().addingTimeInterval(timeout)
    while true {
      let (left, error) = queue.sync { () -> (Int, String?) in
        attempt()
        return (pendingParts().count, lastError)
      }
      if left == 0 { return nil }
      if Date() >= deadline { return error ?? "\(left) commits not yet published" }
      Thread.sleep(forTimeInterval: 0.5)
    }
  }

  /// The parts whose record files are in the folder, ascending.
  private func pendingParts() -> [Int] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
    return names.compactMap { name -> Int? in
      guard name.hasPrefix("part-"), name.hasSuffix(".records") else { return nil }
      return Int(name.dropFirst(5).dropLast(8))
    }.sorted()
  }

  private func file(_ part: Int) -> String { "\(folder)/part-\(sixDigits(part)).records" }

  private func attempt() {
    dispatchPrecondition(condition: .onQueue(queue))
    do throws(Failure) {
      try publishPending()
      if lastError != nil { logger.info("kafka publication works again", metadata: ["topic": "\(config.topic)"]) }
      lastError = nil
      retryIn = 0
    } catch {
      produceErrors.increment()
      if error.fatal { destroyProducer() }
      retryIn = retryIn == 0 ? 1 : min(30, retryIn * 2)
      if error.description != lastError {
        logger.error(
          "kafka publication failed; the snapshot commits go on and publication retries",
          metadata: ["topic": "\(config.topic)", "error": "\(error)", "retry_in_s": "\(retryIn)"])
      }
      lastError = error.description
      if !retryScheduled {
        retryScheduled = true
        queue.asyncAfter(deadline: .now() + retryIn) { [self] in
          retryScheduled = false
          attempt()
        }
      }
    }
  }

  private func publishPending() throws(Failure) {
    if producer == nil { try makeProducer() }
    if published == nil { published = config.transactions ? try lastMarker() : 0 }
    let done = published ?? 0
    var parts = pendingParts()
    for p in parts where p <= done { unlink(file(p)) }
    parts.removeAll { $0 <= done }
    lag.record(parts.count)
    guard let last = parts.last, let producer else { return }
    deliveryErrors = []
    var rows = 0
    if config.transactions { try check(af_rd_kafka_begin_transaction()!(producer), "begin a transaction") }
    do throws(Failure) {
      for p in parts {
        guard let data = FileManager.default.contents(atPath: file(p)) else {
          throw Failure(description: "cannot read \(file(p))")
        }
        let bytes = [UInt8](data)
        for m in KafkaRecordEncoder.messages(in: bytes) {
          try produce(topicHandle, partition: -1, key: m.key, value: m.value)
          rows += 1
        }
      }
      if config.transactions {
        let marker = Array("{\"epoch\":\(last),\"run\":\"\(run)\"}".utf8)
        try produce(markerHandle, partition: 0, key: Array(transactionalID.utf8)[...], value: marker[...])
        if pauseMilliseconds > 0 { usleep(UInt32(pauseMilliseconds * 1000)) }
        try check(af_rd_kafka_commit_transaction()!(producer, 60_000), "commit the transaction")
      } else {
        let err = af_rd_kafka_flush()!(producer, 60_000)
        af_rd_kafka_poll()!(producer, 0)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR {
          throw Failure(description: "not acknowledged: \(KafkaConfiguration.text(err))")
        }
      }
      if let first = deliveryErrors.first { throw Failure(description: first) }
    } catch {
      if config.transactions {
        // An abortable transaction is aborted; anything else makes a new producer.
        if let e = af_rd_kafka_abort_transaction()!(producer, 30_000) {
          af_rd_kafka_error_destroy()!(e)
          throw Failure(description: error.description, fatal: true)
        }
      }
      throw error
    }
    published = last
    for p in parts { unlink(file(p)) }
    publishedRows.increment(by: rows)
    lag.record(0)
    logger.debug("kafka published", metadata: ["epoch": "\(last)", "rows": "\(rows)", "commits": "\(parts.count)"])
  }

  private func produce(_ topic: OpaquePointer?, partition: Int32, key: ArraySlice<UInt8>, value: ArraySlice<UInt8>)
    throws(Failure)
  {
    while true {
      let status = value.withUnsafeBytes { v in
        key.withUnsafeBytes { k in
          af_rd_kafka_produce()!(
            topic, partition, RD_KAFKA_MSG_F_COPY, UnsafeMutableRawPointer(mutating: v.baseAddress), v.count,
            k.baseAddress, k.count, nil)
        }
      }
      if status == 0 { return }
      let err = af_rd_kafka_last_error()!()
      guard err == RD_KAFKA_RESP_ERR__QUEUE_FULL else {
        throw Failure(description: "cannot produce to \(config.topic): \(KafkaConfiguration.text(err))")
      }
      af_rd_kafka_poll()!(producer, 100)
    }
  }

  private func makeProducer() throws(Failure) {
    var settings: [(String, String)] = [
      ("bootstrap.servers", config.brokers), ("client.id", "areaflow"), ("acks", "all"), ("linger.ms", "5"),
      ("message.timeout.ms", "60000"),
    ]
    if config.transactions {
      settings += [("transactional.id", transactionalID), ("transaction.timeout.ms", "60000")]
    } else {
      settings.append(("enable.idempotence", "true"))
    }
    let made: OpaquePointer
    do {
      made = try KafkaConfiguration.producer(
        settings, opaque: Unmanaged.passUnretained(self).toOpaque(), delivered: kafkaDelivered)
    } catch {
      throw Failure(description: error.description)
    }
    producer = made
    topicHandle = af_rd_kafka_topic_new()!(made, config.topic, nil)
    markerHandle = af_rd_kafka_topic_new()!(made, config.markerTopic, nil)
    if config.transactions {
      // Fences a previous instance with the same transactional.id and aborts its open transaction. A producer whose
      // transactions did not start is made anew at the next attempt.
      do throws(Failure) {
        try check(af_rd_kafka_init_transactions()!(made, 5_000), "start transactions (does the broker support them?)")
      } catch {
        throw Failure(description: error.description, fatal: true)
      }
    }
    published = nil
  }

  private func destroyProducer() {
    if let topicHandle { af_rd_kafka_topic_destroy()!(topicHandle) }
    if let markerHandle { af_rd_kafka_topic_destroy()!(markerHandle) }
    if let producer { af_rd_kafka_destroy()!(producer) }
    (producer, topicHandle, markerHandle, published) = (nil, nil, nil, nil)
  }

  /// The epoch of this run's last committed marker, read with `read_committed`; 0 when there is none.
  private func lastMarker() throws(Failure) -> Int {
    let conf: OpaquePointer
    do {
      conf = try KafkaConfiguration.make(
        [
          ("bootstrap.servers", config.brokers), ("group.id", "\(transactionalID).markers"),
          ("isolation.level", "read_committed"), ("enable.partition.eof", "true"), ("enable.auto.commit", "false"),
          ("client.id", "areaflow"),
        ])
    } catch {
      throw Failure(description: error.description)
    }
    var error = [CChar](repeating: 0, count: 512)
    guard let consumer = af_rd_kafka_new()!(RD_KAFKA_CONSUMER, conf, &error, error.count) else {
      af_rd_kafka_conf_destroy()!(conf)
      throw Failure(
        description: "cannot make a consumer for \(config.markerTopic): \(KafkaConfiguration.string(error))")
    }
    defer {
      af_rd_kafka_consumer_close()!(consumer)
      af_rd_kafka_destroy()!(consumer)
    }
    af_rd_kafka_poll_set_consumer()!(consumer)
    var low: Int64 = 0
    var high: Int64 = 0
    let err = af_rd_kafka_query_watermark_offsets()!(consumer, config.markerTopic, 0, &low, &high, 15_000)
    if err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART { return 0 }
    guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
      throw Failure(description: "cannot read \(config.markerTopic): \(KafkaConfiguration.text(err))")
    }
    if high <= low { return 0 }
    guard let list = af_rd_kafka_topic_partition_list_new()!(1) else { throw Failure(description: "out of memory") }
    defer { af_rd_kafka_topic_partition_list_destroy()!(list) }
    af_rd_kafka_topic_partition_list_add()!(list, config.markerTopic, 0)!.pointee.offset = low
    let assigned = af_rd_kafka_assign()!(consumer, list)
    guard assigned == RD_KAFKA_RESP_ERR_NO_ERROR else {
      throw Failure(description: "cannot read \(config.markerTopic): \(KafkaConfiguration.text(assigned))")
    }
    var epoch = 0
    let key = Array(transactionalID.utf8)
    let deadline = Date().addingTimeInterval(30)
    while Date() < deadline {
      guard let m = af_rd_kafka_consumer_poll()!(consumer, 500) else { continue }
      defer { af_rd_kafka_message_destroy()!(m) }
      let e = m.pointee.err
      if e == RD_KAFKA_RESP_ERR__PARTITION_EOF { return epoch }
      guard e == RD_KAFKA_RESP_ERR_NO_ERROR else {
        throw Failure(description: "cannot read \(config.markerTopic): \(KafkaConfiguration.text(e))")
      }
      let k = UnsafeRawBufferPointer(start: m.pointee.key, count: m.pointee.key_len)
      let v = UnsafeRawBufferPointer(start: m.pointee.payload, count: m.pointee.len)
      guard Array(k) == key, let marker = Self.marker(String(decoding: v, as: UTF8.self)), marker.run == run else {
        continue
      }
      epoch = marker.epoch
    }
    throw Failure(description: "timed out reading \(config.markerTopic)")
  }

  /// Parses `{"epoch":N,"run":"RUN"}`, the marker this publisher writes.
  static func marker(_ text: String) -> (epoch: Int, run: String)? {
    guard let e = text.range(of: "\"epoch\":"), let r = text.range(of: "\"run\":\"") else { return nil }
    let digits = text[e.upperBound...].prefix { $0.isNumber }
    let run = text[r.upperBound...].prefix { $0 != "\"" }
    guard let epoch = Int(digits) else { return nil }
    return (epoch, String(run))
  }

  private func check(_ error: OpaquePointer?, _ what: String) throws(Failure) {
    guard let error else { return }
    defer { af_rd_kafka_error_destroy()!(error) }
    let text = String(cString: af_rd_kafka_error_string()!(error)!)
    let fatal = af_rd_kafka_error_is_fatal()!(error) != 0
    throw Failure(description: "cannot \(what): \(Self.explain(af_rd_kafka_error_code()!(error), text))", fatal: fatal)
  }

  fileprivate func delivered(_ err: rd_kafka_resp_err_t) {
    guard err != RD_KAFKA_RESP_ERR_NO_ERROR else { return }
    deliveryErrors.append(Self.explain(err, KafkaConfiguration.text(err)))
  }

  /// librdkafka's text, with what to do for the errors an operator can fix.
  static func explain(_ err: rd_kafka_resp_err_t, _ text: String) -> String {
    switch err {
    case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART, RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
      return "\(text): the topic does not exist; create it (and its marker topic TOPIC.areaflow-epochs, one partition)"
    case RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED, RD_KAFKA_RESP_ERR__AUTHENTICATION,
      RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED, RD_KAFKA_RESP_ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
      RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED:
      return "\(text): the cluster refused the credentials or the permission to write"
    default: return text
    }
  }

}

private func kafkaDelivered(
  _ rk: OpaquePointer?, _ message: UnsafePointer<rd_kafka_message_t>?, _ opaque: UnsafeMutableRawPointer?
) {
  guard let opaque, let message else { return }
  Unmanaged<KafkaPublisher>.fromOpaque(opaque).takeUnretainedValue().delivered(message.pointee.err)
}
