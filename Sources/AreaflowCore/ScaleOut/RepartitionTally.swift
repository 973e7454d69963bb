/// What a batch of a source partition adds to the counters, line by line, so that a partly repeated batch (after an
/// intake restart its batches may start and end elsewhere) adds only its new lines. Carried by the home block.
public struct RepartitionTally: Sendable, Equatable {
  /// How a line ended.
  public enum Status: UInt8, Sendable {
    case accepted = 0
    case empty = 1
    /// A reject: `rejected + reason.rawValue`.
    case rejected = 2
  }

  /// Per line of the batch, in order: `Status` (a reject adds its `RejectReason`'s raw value).
  public var statuses: [UInt8] = []
  /// Events late for at least one window of a name: line and window name index.
  public var lateLines: [Int64] = []
  public var lateWindows: [UInt8] = []
  /// Events in no region of a `regions` scheme: line and region-scheme index (as in `RunSummary.outside`).
  public var outsideLines: [Int64] = []
  public var outsideSchemes: [UInt8] = []
  /// Side records (`_rejects/`, `_late/` lines) with their line; `late` tells which folder.
  public var recordLines: [Int64] = []
  public var recordIsLate: [Bool] = []
  public var records: [[UInt8]] = []

  public init() {}

  func encode(into w: inout StateWriter) {
    w.write(blob: statuses)
    w.write(lateLines.count)
    for i in lateLines.indices {
      w.write(lateLines[i])
      w.write(Int(lateWindows[i]))
    }
    w.write(outsideLines.count)
    for i in outsideLines.indices {
      w.write(outsideLines[i])
      w.write(Int(outsideSchemes[i]))
    }
    w.write(records.count)
    for i in records.indices {
      w.write(recordLines[i])
      w.write(recordIsLate[i])
      w.write(blob: records[i])
    }
  }

  static func decode(from r: inout StateReader) throws(StateReader.CorruptState) -> RepartitionTally {
    var t = RepartitionTally()
    t.statuses = try r.readBlob()
    for _ in 0..<(try r.readCount(limit: 1 << 28)) {
      t.lateLines.append(try r.readInt64())
      t.lateWindows.append(UInt8(truncatingIfNeeded: try r.readInt64()))
    }
    for _ in 0..<(try r.readCount(limit: 1 << 28)) {
      t.outsideLines.append(try r.readInt64())
      t.outsideSchemes.append(UInt8(truncatingIfNeeded: try r.readInt64()))
    }
    for _ in 0..<(try r.readCount(limit: 1 << 28)) {
      t.recordLines.append(try r.readInt64())
      t.recordIsLate.append(try r.readBool())
      t.records.append(try r.readBlob())
    }
    return t
  }
}
