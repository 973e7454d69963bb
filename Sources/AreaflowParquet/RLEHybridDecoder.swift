/// Decodes Parquet's RLE/bit-packed hybrid encoding (the inverse of `RLEHybridEncoder`).
enum RLEHybridDecoder {
  /// Decodes exactly `count` values from `bytes`, appending them to `out`.
  /// Returns the number of bytes consumed.
  @discardableResult
  static func decode(
    _ bytes: UnsafeRawBufferPointer, bitWidth: Int, count: Int, into out: inout [UInt32]
  ) throws -> Int {
    guard bitWidth >= 0 && bitWidth <= 32 else { throw ParquetError.malformed("bit width \(bitWidth)") }
    var position = 0
    var produced = 0
    func readVarint() throws -> UInt64 {
      var result: UInt64 = 0
      var shift: UInt64 = 0
      while true {
        guard position < bytes.count, shift < 64 else { throw ParquetError.malformed("RLE header truncated") }
        let byte = bytes[position]
        position += 1
        result |= UInt64(byte & 0x7F) << shift
        if byte & 0x80 == 0 { return result }
        shift += 7
      }
    }
    let mask: UInt64 = bitWidth == 32 ? 0xFFFF_FFFF : (1 << UInt64(bitWidth)) - 1
    while produced < count {
      let header = try readVarint()
      if header & 1 == 0 {
        let run = Int(header >> 1)
        let byteCount = (bitWidth + 7) / 8
        guard position + byteCount <= bytes.count else { throw ParquetError.malformed("RLE run truncated") }
        var value: UInt32 = 0
        for b in 0..<byteCount { value |= UInt32(bytes[position + b]) << UInt32(8 * b) }
        position += byteCount
        let take = min(run, count - produced)
        out.append(contentsOf: repeatElement(value, count: take))
        produced += take
      } else {
        let groups = Int(header >> 1)
        let take = min(groups * 8, count - produced)
        // Only the bytes holding wanted values must be present; padding of the last group may be cut.
        guard position + (take * bitWidth + 7) / 8 <= bytes.count else {
          throw ParquetError.malformed("bit-packed run truncated")
        }
        var accumulator: UInt64 = 0
        var bits = 0
        var cursor = position
        for _ in 0..<take {
          while bits < bitWidth {
            accumulator |= UInt64(bytes[cursor]) << UInt64(bits)
            cursor += 1
            bits += 8
          }
          out.append(UInt32(truncatingIfNeeded: accumulator & mask))
          accumulator >>= UInt64(bitWidth)
          bits -= bitWidth
        }
        position = min(position + groups * bitWidth, bytes.count)
        produced += take
      }
    }
    return position
  }
}
