/// Encodes small unsigned integers with Parquet's RLE/bit-packed hybrid encoding.
///
/// Used for definition levels (bit width 1) and dictionary indices. The encoder sees a whole page's
/// values at once, so instead of a streaming state machine it scans for runs: a run of at least
/// `minimumRunLength` equal values becomes an RLE run, everything between runs is bit-packed in groups
/// of eight. A literal stretch must hold a multiple of eight values unless it ends the data, so a
/// run that follows an unaligned literal stretch first lends it the values needed to fill its last
/// group. Output carries no length prefix; data page v1 callers add the 4-byte prefix themselves.
enum RLEHybridEncoder {
  /// Shorter runs are cheaper bit-packed than as a separate run header plus value.
  static let minimumRunLength = 8
  /// Keeps every bit-packed header in one byte ((63 << 1) | 1 = 127), as other writers do.
  static let maximumGroupsPerLiteralRun = 63

  /// The number of bits needed to store `maxValue`.
  static func bitWidth(forMaxValue maxValue: UInt32) -> Int {
    maxValue == 0 ? 0 : 32 - maxValue.leadingZeroBitCount
  }

  static func encode(_ values: [UInt32], bitWidth: Int, into out: inout [UInt8]) {
    values.withUnsafeBufferPointer { encode($0, bitWidth: bitWidth, into: &out) }
  }

  /// Appends the hybrid encoding of `values` to `out`.
  static func encode(_ values: UnsafeBufferPointer<UInt32>, bitWidth: Int, into out: inout [UInt8]) {
    precondition(bitWidth >= 0 && bitWidth <= 32, "bit width out of range")
    let n = values.count
    var literalStart = 0
    var i = 0
    while i < n {
      let value = values[i]
      var runEnd = i + 1
      while runEnd < n && values[runEnd] == value { runEnd += 1 }
      let run = runEnd - i
      if run >= minimumRunLength {
        let pad = (8 - (i - literalStart) % 8) % 8
        if run - pad >= minimumRunLength {
          if i + pad > literalStart {
            writeLiteral(values, from: literalStart, to: i + pad, bitWidth: bitWidth, into: &out)
          }
          writeRun(value: value, count: run - pad, bitWidth: bitWidth, into: &out)
          literalStart = runEnd
        }
      }
      i = runEnd
    }
    if literalStart < n {
      writeLiteral(values, from: literalStart, to: n, bitWidth: bitWidth, into: &out)
    }
  }

  private static func writeVarint(_ value: Int, into out: inout [UInt8]) {
    var v = UInt64(value)
    while v >= 0x80 {
      out.append(UInt8(truncatingIfNeeded: v) | 0x80)
      v >>= 7
    }
    out.append(UInt8(v))
  }

  private static func writeRun(value: UInt32, count: Int, bitWidth: Int, into out: inout [UInt8]) {
    writeVarint(count << 1, into: &out)
    let byteCount = (bitWidth + 7) / 8
    for b in 0..<byteCount {
      out.append(UInt8(truncatingIfNeeded: value >> UInt32(8 * b)))
    }
  }

  /// Bit-packs `values[start..<end]`, zero-padding the last group of eight.
  private static func writeLiteral(
    _ values: UnsafeBufferPointer<UInt32>, from start: Int, to end: Int, bitWidth: Int, into out: inout [UInt8]
  ) {
    var position = start
    while position < end {
      let groups = min((end - position + 7) / 8, maximumGroupsPerLiteralRun)
      writeVarint(groups << 1 | 1, into: &out)
      let mask: UInt64 = bitWidth == 32 ? 0xFFFF_FFFF : (1 << UInt64(bitWidth)) - 1
      var accumulator: UInt64 = 0
      var bits = 0
      for k in position..<position + groups * 8 {
        let value = k < end ? UInt64(values[k]) & mask : 0
        accumulator |= value << UInt64(bits)
        bits += bitWidth
        while bits >= 8 {
          out.append(UInt8(truncatingIfNeeded: accumulator))
          accumulator >>= 8
          bits -= 8
        }
      }
      position += groups * 8
    }
  }
}
