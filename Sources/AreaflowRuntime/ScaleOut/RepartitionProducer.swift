import AreaflowCore
import CRdKafka
import Logging

/// Sends repartition blocks to the repartition topic (scale-out): an idempotent librdkafka producer, so blocks reach
/// each partition once and in order while the producer lives. A block sent again after an intake restart is counted
/// once by the aggregation (lines are numbered), so no transaction is needed.
///
/// Confined to the scale-out driver's queue; delivery reports are served by `poll` and `flush` on it.
final class RepartitionProducer {
  struct Failure: Error, CustomStringConvertible {
    let description: String
  }

  let topic: String
  private var producer: OpaquePointer?
  private var topicHandle: OpaquePointer?
  /// Delivery failures since the last `flush`.
  private var failures: [String] = []

  init(address: KafkaAddress, topic: String, environment: [String: String]) throws(Failure) {
    self.topic = topic
    var settings: [(String, String)] = [
      ("bootstrap.servers", address.brokers), ("client.id", address.clientID ?? "areaflow"),
      ("enable.idempotence", "true"), ("acks", "all"), ("linger.ms", "5"), ("message.timeout.ms", "60000"),
      // Blocks are fixed-width binary columns (times, stamps, keys): they compress well, and the repartition topic
      // carries every event once more.
      ("compression.type", "lz4"),
    ]
    switch KafkaConfiguration.resolve(address.settings, environment: environment, skipping: Self.consumerOnly) {
    case .success(let resolved): settings += resolved
    case .failure(let refusal): throw Failure(description: refusal.description)
    }
    let made: OpaquePointer
    do {
      made = try KafkaConfiguration.producer(
        settings, opaque: Unmanaged.passUnretained(self).toOpaque(), delivered: repartitionDelivered)
    } catch {
      throw Failure(description: error.description)
    }
    producer = made
    topicHandle = af_rd_kafka_topic_new()!(made, topic, nil)
  }

  /// Settings of a `kafka://` URL that only a consumer understands.
  static let consumerOnly: Set<String> = [
    "isolation.level", "auto.offset.reset", "session.timeout.ms", "max.poll.interval.ms", "heartbeat.interval.ms",
    "partition.assignment.strategy", "group.instance.id", "fetch.min.bytes", "fetch.wait.max.ms",
  ]

  deinit {
    if let topicHandle { af_rd_kafka_topic_destroy()!(topicHandle) }
    if let producer {
      _ = af_rd_kafka_flush()!(producer, 5_000)
      af_rd_kafka_destroy()!(producer)
    }
  }

  /// Queues `bytes` for `partition`, waiting while librdkafka's queue is full.
  func send(_ bytes: [UInt8], partition: Int32) throws(Failure) {
    while true {
      let status = bytes.withUnsafeBytes { v in
        af_rd_kafka_produce()!(
          topicHandle, partition, RD_KAFKA_MSG_F_COPY, UnsafeMutableRawPointer(mutating: v.baseAddress), v.count, nil,
          0, nil)
      }
      if status == 0 { return }
      let err = af_rd_kafka_last_error()!()
      guard err == RD_KAFKA_RESP_ERR__QUEUE_FULL else {
        throw Failure(description: "cannot produce to \(topic): \(KafkaConfiguration.text(err))")
      }
      af_rd_kafka_poll()!(producer, 50)
    }
  }

  /// Serves delivery reports.
  func poll() { af_rd_kafka_poll()!(producer, 0) }

  /// Waits until every block sent is acknowledged.
  /// - Returns: nil when all were, else what went wrong (the blocks since the last successful flush may be lost).
  func flush(timeoutMilliseconds: Int32) -> String? {
    let err = af_rd_kafka_flush()!(producer, timeoutMilliseconds)
    defer { failures = [] }
    if err != RD_KAFKA_RESP_ERR_NO_ERROR {
      return "\(topic): blocks not acknowledged in \(timeoutMilliseconds) ms (\(KafkaConfiguration.text(err)))"
    }
    return failures.first.map { "\(topic): \($0)" }
  }

  fileprivate func delivered(_ err: rd_kafka_resp_err_t) {
    guard err != RD_KAFKA_RESP_ERR_NO_ERROR else { return }
    failures.append(KafkaPublisher.explain(err, KafkaConfiguration.text(err)))
  }
}

private func repartitionDelivered(
  _ rk: OpaquePointer?, _ message: UnsafePointer<rd_kafka_message_t>?, _ opaque: UnsafeMutableRawPointer?
) {
  guard let opaque, let message else { return }
  Unmanaged<RepartitionProducer>.fromOpaque(opaque).takeUnretainedValue().delivered(message.pointee.err)
}
