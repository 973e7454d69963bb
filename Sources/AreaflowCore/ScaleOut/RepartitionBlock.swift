/// One message of the repartition topic: what one intake batch of a source partition sends to one repartition
/// partition (scale-out, SPEC section 9).
///
/// A block carries the batch's events that fall in the repartition partition's areas, already decoded, keyed and
/// stamped with the watermark of their own source partition, plus `bound`, the stamp the source partition's next
/// event will have at least. The block for the source partition's *home* repartition partition (`source % count`)
/// also carries the batch's tally: the status of every line (for `lines_read`, rejects and empty lines), the late
/// and outside events and the side records, so every counter is counted in exactly one place.
///
/// Lines are numbered per source partition from 1 and continue across restarts (the intake checkpoint keeps the
/// next number), so a block read twice, or a batch produced twice after an intake restart, is recognised line by
/// line and counted once.
public struct RepartitionBlock: Sendable, Equatable {
  /// The source partition.
  public var source: Int32
  /// The number of source partitions: the aggregation waits for every one of them.
  public var sourceCount: Int32
  /// The lines of the batch: `firstLine...lastLine`; empty (`lastLine < firstLine`) for a heartbeat.
  public var firstLine: Int64
  public var lastLine: Int64
  /// The source partition's watermark after the batch: every later event of it has at least this stamp.
  public var bound: Int64
  /// The source partition has had no data for `idle_timeout`: it holds no window back.
  public var idle: Bool
  // One element per event × area in this repartition partition, in event order.
  public var lines: [Int64] = []
  public var stamps: [Int64] = []
  public var times: [Int64] = []
  public var schemes: [UInt8] = []
  /// Whether the entry is its event's first over all schemes and areas (where idle-late events are counted).
  public var primary: [Bool] = []
  public var areas: [UInt64] = []
  public var dimensions: [UInt64] = []
  /// Per `FieldPlan` value column: one value per entry (NaN is null).
  public var values: [[Double]] = []
  /// Per `FieldPlan` distinct column: one hash per entry (0 is null).
  public var hashes: [[UInt64]] = []
  /// The text of each dimension key the entries use.
  public var labels: [UInt64: [String?]] = [:]
  /// The home block's tally, nil elsewhere.
  public var tally: RepartitionTally?

  public init(source: Int32, sourceCount: Int32, firstLine: Int64, lastLine: Int64, bound: Int64, idle: Bool) {
    self.source = source
    self.sourceCount = sourceCount
    self.firstLine = firstLine
    self.lastLine = lastLine
    self.bound = bound
    self.idle = idle
  }

  public var entryCount: Int { lines.count }

  /// The repartition partition that counts a source partition's lines.
  public static func home(source: Int32, partitions: Int) -> Int { Int(source) % partitions }

  static let magic = "areaflow-repartition-block-1"

  public func encode() -> [UInt8] {
    var w = StateWriter()
    w.write(Self.magic)
    w.write(Int64(source))
    w.write(Int64(sourceCount))
    w.write(firstLine)
    w.write(lastLine)
    w.write(bound)
    w.write(idle)
    w.write(lines.count)
    w.write(values.count)
    w.write(hashes.count)
    for i in lines.indices {
      w.write(lines[i])
      w.write(stamps[i])
      w.write(times[i])
      w.write(Int64(schemes[i]) | (primary[i] ? 256 : 0))
      w.write(areas[i])
      w.write(dimensions[i])
      for c in values { w.write(c[i]) }
      for c in hashes { w.write(c[i]) }
    }
    w.write(labels: labels)
    w.write(tally != nil)
    if let tally { tally.encode(into: &w) }
    return w.bytes
  }

  public static func decode(_ bytes: [UInt8]) throws(StateReader.CorruptState) -> RepartitionBlock {
    var r = StateReader(bytes)
    guard try r.readString() == magic else {
      throw StateReader.CorruptState(description: "not an areaflow repartition block")
    }
    let source = Int32(try r.readCount(limit: Int(Int32.max)))
    let count = Int32(try r.readCount(limit: Int(Int32.max)))
    var b = RepartitionBlock(
      source: source, sourceCount: count, firstLine: try r.readInt64(), lastLine: try r.readInt64(),
      bound: try r.readInt64(), idle: try r.readBool())
    let n = try r.readCount(limit: bytes.count / 48)
    let valueColumns = try r.readCount(limit: 4096)
    let hashColumns = try r.readCount(limit: 4096)
    b.values = Array(repeating: [], count: valueColumns)
    b.hashes = Array(repeating: [], count: hashColumns)
    for _ in 0..<n {
      b.lines.append(try r.readInt64())
      b.stamps.append(try r.readInt64())
      b.times.append(try r.readInt64())
      let scheme = try r.readInt64()
      b.schemes.append(UInt8(truncatingIfNeeded: scheme))
      b.primary.append(scheme & 256 != 0)
      b.areas.append(try r.readUInt64())
      b.dimensions.append(try r.readUInt64())
      for c in 0..<valueColumns { b.values[c].append(try r.readDouble()) }
      for c in 0..<hashColumns { b.hashes[c].append(try r.readUInt64()) }
    }
    b.labels = try r.readLabels()
    if try r.readBool() { b.tally = try RepartitionTally.decode(from: &r) }
    return b
  }
}

extension StateWriter {
  /// Dimension labels (key → texts), in key order.
  mutating func write(labels: [UInt64: [String?]]) {
    write(labels.count)
    for key in labels.keys.sorted() {
      write(key)
      let texts = labels[key] ?? []
      write(texts.count)
      for t in texts {
        write(t != nil)
        if let t { write(t) }
      }
    }
  }
}

extension StateReader {
  /// What `StateWriter.write(labels:)` wrote.
  mutating func readLabels() throws(CorruptState) -> [UInt64: [String?]] {
    var labels: [UInt64: [String?]] = [:]
    for _ in 0..<(try readCount(limit: 1 << 28)) {
      let key = try readUInt64()
      var texts: [String?] = []
      for _ in 0..<(try readCount(limit: 1024)) { texts.append(try readBool() ? try readString() : nil) }
      labels[key] = texts
    }
    return labels
  }
}
