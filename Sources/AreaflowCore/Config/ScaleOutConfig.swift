/// `scale_out` (SPEC section 9): several `run` instances share one Kafka topic. Each reads the source partitions
/// the group gives it, sends the stamped events through `topic`, a repartition topic keyed by (scheme, area), and
/// aggregates the repartition partitions it is given, so every window of an area is whole in exactly one place.
public struct ScaleOutConfig: Sendable, Equatable {
  /// The repartition topic. It must exist; its partition count is the number of aggregation units and must not
  /// change while a shared output directory holds state for it.
  public var topic: String

  public init(topic: String) {
    self.topic = topic
  }
}
