/// Appends little-endian binary values: the encoding of window state in checkpoints.
public struct StateWriter: Sendable {
  public private(set) var bytes: [UInt8] = []

  public init() {}

  public mutating func write(_ v: UInt64) {
    var x = v
    for _ in 0..<8 {
      bytes.append(UInt8(truncatingIfNeeded: x))
      x >>= 8
    }
  }

  public mutating func write(_ v: Int64) { write(UInt64(bitPattern: v)) }
  public mutating func write(_ v: Int) { write(Int64(v)) }
  public mutating func write(_ v: Double) { write(v.bitPattern) }
  public mutating func write(_ v: Bool) { bytes.append(v ? 1 : 0) }

  public mutating func write(_ s: String) {
    let utf8 = Array(s.utf8)
    write(utf8.count)
    bytes.append(contentsOf: utf8)
  }

  /// A length-prefixed byte string (a nested state).
  public mutating func write(blob: [UInt8]) {
    write(blob.count)
    bytes.append(contentsOf: blob)
  }
}
