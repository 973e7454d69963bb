extension PartitionAggregate {
  static let checkpointFormat = "areaflow-partition-aggregate-1"

  /// The state to resume from: every source partition's progress, the window state, the counters and labels.
  /// Events still queued are not kept: a restart reads the repartition partition again from `resumeOffset`, and
  /// each source partition's bound is kept as the smallest stamp it may still send (its first queued event's), so
  /// nothing read again is released out of order.
  public func checkpoint() -> [UInt8] {
    var w = StateWriter()
    w.write(Self.checkpointFormat)
    w.write(partition)
    w.write(partitions)
    w.write(resumeOffset)
    w.write(closedUpTo)
    w.write(floor)
    w.write(sources.count)
    for s in sources {
      w.write(s.talliedLine)
      w.write(s.releasedLine)
      w.write(s.hasQueued ? min(s.bound, s.headStamp) : s.bound)
      w.write(s.idle)
    }
    counters.encode(into: &w)
    w.write(labels: labels)
    w.write(blob: store.checkpoint())
    return w.bytes
  }

  /// Loads a checkpoint into this aggregate, which must be new.
  public func restore(_ bytes: [UInt8]) throws(StateReader.CorruptState) {
    var r = StateReader(bytes)
    guard try r.readString() == Self.checkpointFormat else {
      throw StateReader.CorruptState(description: "not an areaflow partition-aggregate checkpoint")
    }
    let p = try r.readCount()
    let n = try r.readCount()
    guard p == partition, n == partitions else {
      throw StateReader.CorruptState(
        description: "the checkpoint is of repartition partition \(p) of \(n), not \(partition) of \(partitions)")
    }
    let resume = try r.readInt64()
    let closed = try r.readInt64()
    let floor = try r.readInt64()
    var restored: [SourceProgress] = []
    for _ in 0..<(try r.readCount(limit: 1 << 20)) {
      var s = SourceProgress()
      s.talliedLine = try r.readInt64()
      s.releasedLine = try r.readInt64()
      s.queuedLine = s.releasedLine
      s.bound = try r.readInt64()
      s.idle = try r.readBool()
      restored.append(s)
    }
    let summary = try RunSummary.decode(from: &r)
    let restoredLabels = try r.readLabels()
    try store.restore(try r.readBlob())
    guard r.isAtEnd else { throw StateReader.CorruptState(description: "trailing bytes after the partition state") }
    restoreState(
      sources: restored, counters: summary, labels: restoredLabels, closedUpTo: closed, floor: floor, resume: resume)
  }
}
