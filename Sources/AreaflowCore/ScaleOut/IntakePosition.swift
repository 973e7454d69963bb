/// Where the intake of one source partition stands (scale-out): the next offset to read, the lines numbered so far
/// and the largest event time seen, which is all its stamper keeps. Saved in the shared output directory after the
/// blocks of everything before it were acknowledged by the repartition topic; whoever reads the partition next starts
/// there, and the aggregation counts a line produced twice only once.
public struct IntakePosition: Sendable, Equatable {
  public static let format = "areaflow-intake-position-1"

  public var partition: Int32
  public var offset: Int64
  public var lines: Int64
  public var maxTime: Int64

  public init(partition: Int32, offset: Int64, lines: Int64, maxTime: Int64) {
    self.partition = partition
    self.offset = offset
    self.lines = lines
    self.maxTime = maxTime
  }

  public func encode(fingerprint: String) -> [UInt8] {
    var w = StateWriter()
    w.write(Self.format)
    w.write(fingerprint)
    w.write(Int64(partition))
    w.write(offset)
    w.write(lines)
    w.write(maxTime)
    return w.bytes
  }

  public static func decode(_ bytes: [UInt8], fingerprint: String) throws(StateReader.CorruptState) -> IntakePosition {
    var r = StateReader(bytes)
    guard try r.readString() == format else {
      throw StateReader.CorruptState(description: "not an areaflow intake position")
    }
    let written = try r.readString()
    guard written == fingerprint else {
      throw StateReader.CorruptState(description: "written for another config (\(written))")
    }
    return IntakePosition(
      partition: Int32(try r.readCount(limit: Int(Int32.max))), offset: try r.readInt64(), lines: try r.readInt64(),
      maxTime: try r.readInt64())
  }
}
