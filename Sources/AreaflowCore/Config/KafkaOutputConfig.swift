/// `output.kafka` (SPEC section 9): the topic every final row is also published to, beside the snapshot files.
public struct KafkaOutputConfig: Sendable, Equatable {
  /// `HOST:PORT,HOST:PORT`, as librdkafka's `bootstrap.servers`.
  public var brokers: String
  public var topic: String
  /// Publish each commit in one Kafka transaction, with its marker on `TOPIC.areaflow-epochs` (exactly once for
  /// `read_committed` consumers). False for a broker without transactions: an idempotent producer, at least once,
  /// which a compacted topic converges to one message per row thanks to the deterministic keys.
  public var transactions: Bool

  public init(brokers: String, topic: String, transactions: Bool = true) {
    self.brokers = brokers
    self.topic = topic
    self.transactions = transactions
  }

  /// The one-partition topic whose committed markers record how far publication has come.
  public var markerTopic: String { "\(topic).areaflow-epochs" }
}
