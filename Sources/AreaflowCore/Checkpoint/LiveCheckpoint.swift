/// Everything `run` needs to go on after a stop or a crash as if it had never stopped, committed in
/// `DIR/_checkpoint/` after the snapshot files it covers.
///
/// The snapshot files of a flush are first written under hidden staging names; the checkpoint lists them in
/// `pendingFiles`, and only after the checkpoint is durable are they renamed into place. So the checkpoint is the
/// single commit point: a restart rolls a listed rename forward and deletes any staged file it does not list.
public struct LiveCheckpoint: Sendable {
  static let format = "areaflow-live-checkpoint-2"
  /// The layout before GTFS-Realtime (no feed counters, no position memory): still read.
  static let formatBeforeFeeds = "areaflow-live-checkpoint-1"

  /// What the state depends on; see `LiveCheckpoint.fingerprint(of:)`.
  public var configFingerprint: String
  /// Flushes committed so far; the staged files of flush `epoch + 1` are not yet committed.
  public var epoch: Int
  /// Shard count of the run that wrote it: groups are placed on shards by area hash, so a restart keeps it.
  public var shardCount: Int
  /// Snapshot part files numbered so far.
  public var partSequence: Int
  public var stamper: WatermarkStamper.State
  public var summary: RunSummary
  /// Dimension labels by hash, for every dimension combination seen.
  public var labels: [UInt64: [String?]]
  /// Per shard, `WindowStore.checkpoint()`.
  public var shards: [[UInt8]]
  public var inputs: [InputPosition]
  /// Staged files of this commit and their final names, both relative to the output directory.
  public var pendingFiles: [(staged: String, final: String)]
  /// `gtfs-rt`: the vehicle positions already handed on (`PositionMemory.encode()`), so a restart does not count them
  /// again; nil for other formats.
  public var positionMemory: [UInt8]?

  public init(
    configFingerprint: String, epoch: Int, shardCount: Int, partSequence: Int, stamper: WatermarkStamper.State,
    summary: RunSummary, labels: [UInt64: [String?]], shards: [[UInt8]], inputs: [InputPosition],
    pendingFiles: [(staged: String, final: String)], positionMemory: [UInt8]? = nil
  ) {
    self.configFingerprint = configFingerprint
    self.epoch = epoch
    self.shardCount = shardCount
    self.partSequence = partSequence
    self.stamper = stamper
    self.summary = summary
    self.labels = labels
    self.shards = shards
    self.inputs = inputs
    self.pendingFiles = pendingFiles
    self.positionMemory = positionMemory
  }

  /// The parts of a config that give meaning to a checkpoint (see `StateFingerprint.of(_:)`). It starts with the
  /// window-state layout, so a checkpoint of an areaflow that kept another layout (open windows before window
  /// slices) is refused like one of another config.
  public static func fingerprint(of config: PipelineConfig) -> String { StateFingerprint.of(config) }

  public func encode() -> [UInt8] {
    var w = StateWriter()
    w.write(Self.format)
    w.write(configFingerprint)
    w.write(epoch)
    w.write(shardCount)
    w.write(partSequence)
    w.write(stamper.maxTime)
    w.write(stamper.floor)
    w.write(stamper.inputMaxTimes.count)
    for t in stamper.inputMaxTimes { w.write(t) }
    summary.encode(into: &w)
    w.write(labels.count)
    for (key, values) in labels.sorted(by: { $0.key < $1.key }) {
      w.write(key)
      w.write(values.count)
      for v in values {
        w.write(v != nil)
        if let v { w.write(v) }
      }
    }
    w.write(shards.count)
    for s in shards { w.write(blob: s) }
    w.write(inputs.count)
    for p in inputs { p.encode(into: &w) }
    w.write(pendingFiles.count)
    for f in pendingFiles {
      w.write(f.staged)
      w.write(f.final)
    }
    w.write(summary.feed != nil)
    summary.feed?.encode(into: &w)
    w.write(positionMemory != nil)
    if let positionMemory { w.write(blob: positionMemory) }
    // Last and only with `privacy`, so checkpoints without it keep their layout.
    if let privacy = summary.privacy {
      w.write(privacy.suppressedGroups)
      w.write(privacy.rolledUpGroups)
    }
    return w.bytes
  }

  public static func decode(_ bytes: [UInt8]) throws(StateReader.CorruptState) -> LiveCheckpoint {
    var r = StateReader(bytes)
    let version = try r.readString()
    guard version == format || version == formatBeforeFeeds else {
      throw StateReader.CorruptState(description: "not an areaflow checkpoint (or one of another version)")
    }
    let fingerprint = try r.readString()
    let epoch = try r.readCount()
    let shardCount = try r.readCount(limit: 4096)
    let partSequence = try r.readCount()
    let maxTime = try r.readInt64()
    let floor = try r.readInt64()
    var inputMax: [Int64] = []
    for _ in 0..<(try r.readCount(limit: 1 << 16)) { inputMax.append(try r.readInt64()) }
    var summary = try RunSummary.decode(from: &r)
    var labels: [UInt64: [String?]] = [:]
    for _ in 0..<(try r.readCount()) {
      let key = try r.readUInt64()
      var values: [String?] = []
      for _ in 0..<(try r.readCount(limit: 1 << 16)) {
        values.append(try r.readBool() ? try r.readString() : nil)
      }
      labels[key] = values
    }
    var shards: [[UInt8]] = []
    for _ in 0..<(try r.readCount(limit: 4096)) { shards.append(try r.readBlob()) }
    var inputs: [InputPosition] = []
    for _ in 0..<(try r.readCount(limit: 1 << 20)) { inputs.append(try InputPosition.decode(from: &r)) }
    var pending: [(staged: String, final: String)] = []
    for _ in 0..<(try r.readCount(limit: 1 << 24)) { pending.append((try r.readString(), try r.readString())) }
    var memory: [UInt8]?
    if version == format {
      if try r.readBool() { summary.feed = try FeedSummary.decode(from: &r) }
      if try r.readBool() { memory = try r.readBlob() }
    }
    if !r.isAtEnd { summary.privacy = (try r.readInt64(), try r.readInt64()) }
    guard r.isAtEnd else { throw StateReader.CorruptState(description: "trailing bytes after the checkpoint") }
    return LiveCheckpoint(
      configFingerprint: fingerprint, epoch: epoch, shardCount: shardCount, partSequence: partSequence,
      stamper: WatermarkStamper.State(maxTime: maxTime, inputMaxTimes: inputMax, floor: floor), summary: summary,
      labels: labels, shards: shards, inputs: inputs, pendingFiles: pending, positionMemory: memory)
  }
}
