/// Reads what `StateWriter` wrote, refusing truncated or inconsistent data instead of trapping.
public struct StateReader {
  public struct CorruptState: Error, CustomStringConvertible {
    public let description: String
    public init(description: String) { self.description = description }
  }

  let bytes: [UInt8]
  public private(set) var offset = 0

  public init(_ bytes: [UInt8]) { self.bytes = bytes }

  public var isAtEnd: Bool { offset == bytes.count }

  public mutating func readUInt64() throws(CorruptState) -> UInt64 {
    guard offset + 8 <= bytes.count else { throw CorruptState(description: "state ends early at byte \(offset)") }
    var v: UInt64 = 0
    for k in 0..<8 { v |= UInt64(bytes[offset + k]) << UInt64(8 * k) }
    offset += 8
    return v
  }

  public mutating func readInt64() throws(CorruptState) -> Int64 { Int64(bitPattern: try readUInt64()) }
  public mutating func readDouble() throws(CorruptState) -> Double { Double(bitPattern: try readUInt64()) }

  /// A count or index, refused when negative or larger than `limit`.
  public mutating func readCount(limit: Int = 1 << 32) throws(CorruptState) -> Int {
    let v = try readInt64()
    guard v >= 0, v <= limit else { throw CorruptState(description: "count \(v) out of range at byte \(offset - 8)") }
    return Int(v)
  }

  public mutating func readBool() throws(CorruptState) -> Bool {
    guard offset < bytes.count else { throw CorruptState(description: "state ends early at byte \(offset)") }
    offset += 1
    return bytes[offset - 1] != 0
  }

  public mutating func readString() throws(CorruptState) -> String {
    let n = try readCount(limit: bytes.count - offset)
    defer { offset += n }
    return String(decoding: bytes[offset..<(offset + n)], as: UTF8.self)
  }

  /// What `StateWriter.write(blob:)` wrote.
  public mutating func readBlob() throws(CorruptState) -> [UInt8] {
    let n = try readCount(limit: bytes.count - offset)
    defer { offset += n }
    return Array(bytes[offset..<(offset + n)])
  }
}
