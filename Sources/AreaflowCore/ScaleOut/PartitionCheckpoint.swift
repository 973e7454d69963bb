/// The commit point of one repartition partition in a shared output directory (scale-out): the aggregation state,
/// the counters and files of the partition's sink, and the staged files to rename. Written as a new epoch file that
/// must not exist yet, so of two instances that both believe they own the partition only one commits each epoch.
public struct PartitionCheckpoint: Sendable {
  public static let format = "areaflow-partition-checkpoint-1"

  /// What the state depends on (`LiveCheckpoint.fingerprint`) and the repartition topic's partition count.
  public var fingerprint: String
  public var epoch: Int
  /// The instance that wrote it (for logs).
  public var owner: String
  public var partSequence: Int
  public var summary: RunSummary
  public var pendingFiles: [(staged: String, final: String)]
  /// `PartitionAggregate.checkpoint()`.
  public var aggregate: [UInt8]

  public init(
    fingerprint: String, epoch: Int, owner: String, partSequence: Int, summary: RunSummary,
    pendingFiles: [(staged: String, final: String)], aggregate: [UInt8]
  ) {
    self.fingerprint = fingerprint
    self.epoch = epoch
    self.owner = owner
    self.partSequence = partSequence
    self.summary = summary
    self.pendingFiles = pendingFiles
    self.aggregate = aggregate
  }

  /// The fingerprint of a config's partition state with `partitions` repartition partitions.
  public static func fingerprint(of config: PipelineConfig, partitions: Int) -> String {
    "\(StateFingerprint.of(config)) repartition[partitions=\(partitions)]"
  }

  public func encode() -> [UInt8] {
    var w = StateWriter()
    w.write(Self.format)
    w.write(fingerprint)
    w.write(epoch)
    w.write(owner)
    w.write(partSequence)
    summary.encode(into: &w)
    w.write(pendingFiles.count)
    for f in pendingFiles {
      w.write(f.staged)
      w.write(f.final)
    }
    w.write(blob: aggregate)
    return w.bytes
  }

  public static func decode(_ bytes: [UInt8]) throws(StateReader.CorruptState) -> PartitionCheckpoint {
    var r = StateReader(bytes)
    guard try r.readString() == format else {
      throw StateReader.CorruptState(description: "not an areaflow partition checkpoint")
    }
    let fingerprint = try r.readString()
    let epoch = try r.readCount()
    let owner = try r.readString()
    let partSequence = try r.readCount()
    let summary = try RunSummary.decode(from: &r)
    var pending: [(staged: String, final: String)] = []
    for _ in 0..<(try r.readCount(limit: 1 << 20)) { pending.append((try r.readString(), try r.readString())) }
    let aggregate = try r.readBlob()
    guard r.isAtEnd else {
      throw StateReader.CorruptState(description: "trailing bytes after the partition checkpoint")
    }
    return PartitionCheckpoint(
      fingerprint: fingerprint, epoch: epoch, owner: owner, partSequence: partSequence, summary: summary,
      pendingFiles: pending, aggregate: aggregate)
  }

  /// The sum of the partitions' summaries, for the shared `_summary.json`: counters added, files listed partition by
  /// partition, the watermark the smallest.
  public static func total(_ summaries: [RunSummary], template: RunSummary) -> RunSummary {
    var t = template
    t.files = []
    t.rowsWritten = 0
    var watermark: Int64?
    for s in summaries {
      t.linesRead += s.linesRead
      t.emptyLines += s.emptyLines
      t.eventsAccepted += s.eventsAccepted
      for i in t.rejected.indices where i < s.rejected.count { t.rejected[i] += s.rejected[i] }
      for i in t.late.indices where i < s.late.count { t.late[i].1 += s.late[i].1 }
      for i in t.outside.indices where i < s.outside.count { t.outside[i].1 += s.outside[i].1 }
      t.rowsWritten += s.rowsWritten
      t.files += s.files
      for e in s.inputErrors where !t.inputErrors.contains(e) { t.inputErrors.append(e) }
      if let w = s.watermark { watermark = min(watermark ?? w, w) }
      if let p = s.privacy {
        let q = t.privacy ?? (0, 0)
        t.privacy = (q.suppressedGroups + p.suppressedGroups, q.rolledUpGroups + p.rolledUpGroups)
      }
    }
    t.watermark = watermark
    return t
  }
}

extension RunSummary {
  /// The counters as bytes (scale-out keeps each repartition partition's beside its checkpoint).
  public func stateBytes() -> [UInt8] {
    var w = StateWriter()
    encode(into: &w)
    return w.bytes
  }

  /// What `stateBytes` wrote.
  public static func fromState(_ bytes: [UInt8]) throws(StateReader.CorruptState) -> RunSummary {
    var r = StateReader(bytes)
    return try decode(from: &r)
  }
}
