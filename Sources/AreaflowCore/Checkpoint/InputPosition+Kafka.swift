/// A Kafka partition's offset as a checkpointed input position.
///
/// The checkpoint keeps one layout for every input: a partition is stored in the fields a file uses, with a path
/// that no file can have (`kafka:TOPIC`), the partition in `device`, and the next offset to read in the three offset
/// fields. So checkpoints written before Kafka inputs existed read as before, and a checkpoint with partitions read by
/// an areaflow without Kafka support only holds positions that match no file (they are carried along, unused).
extension InputPosition {
  /// The path prefix that marks a partition's position.
  static let kafkaPrefix = "kafka:"

  /// The position of `partition` of `topic`: the next offset to read, the lines handed on so far and, for CSV, the
  /// header read from the partition.
  /// - Parameter input: the partition's input index (its watermark input).
  public static func kafka(
    input: Int, topic: String, partition: Int32, offset: Int64, lines: Int64, csvColumns: [Int]?
  ) -> InputPosition {
    InputPosition(
      input: input, path: kafkaPrefix + topic, device: UInt64(UInt32(bitPattern: partition)), inode: 0,
      fingerprintLength: 0, fingerprint: 0, resumeOffset: offset, resumeDecompressed: offset, consumed: offset,
      lines: lines, csvColumns: csvColumns)
  }

  /// The topic, partition and next offset when this is a Kafka partition's position.
  public var kafkaPartition: (topic: String, partition: Int32, offset: Int64)? {
    guard path.hasPrefix(Self.kafkaPrefix) else { return nil }
    return (
      String(path.dropFirst(Self.kafkaPrefix.count)), Int32(bitPattern: UInt32(truncatingIfNeeded: device)), consumed
    )
  }
}
