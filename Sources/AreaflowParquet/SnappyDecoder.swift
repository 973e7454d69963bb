/// Decompresses a raw Snappy block, the codec pyarrow and DuckDB use by default for Parquet pages.
///
/// Snappy's format is small enough to read in full here (a varint length, then literals and back-references), and
/// doing so spares a system library for the one place it is needed: reading tables that other tools wrote (lookup
/// tables). Every length and offset is checked, so a damaged page is an error, never a read out of bounds.
enum SnappyDecoder {
  /// The decompressed bytes of `block`, which must expand to exactly `expectedSize` bytes.
  static func decompress(_ block: UnsafeRawBufferPointer, expectedSize: Int) throws -> [UInt8] {
    var position = 0
    func byte() throws -> Int {
      guard position < block.count else { throw ParquetError.compression("snappy block truncated") }
      defer { position += 1 }
      return Int(block[position])
    }
    func littleEndian(_ width: Int) throws -> Int {
      var value = 0
      for i in 0..<width { value |= try byte() << (8 * i) }
      return value
    }
    var length = 0
    var shift = 0
    while true {
      let b = try byte()
      length |= (b & 0x7F) << shift
      if b & 0x80 == 0 { break }
      shift += 7
      guard shift <= 28 else { throw ParquetError.compression("snappy length varint too long") }
    }
    guard length == expectedSize else {
      throw ParquetError.compression("snappy block holds \(length) bytes, the page header says \(expectedSize)")
    }
    var out: [UInt8] = []
    out.reserveCapacity(length)
    while position < block.count {
      let tag = try byte()
      switch tag & 3 {
      case 0:
        var count = tag >> 2
        if count >= 60 { count = try littleEndian(count - 59) }
        count += 1
        guard count <= block.count - position, out.count + count <= length else {
          throw ParquetError.compression("snappy literal runs past the block")
        }
        out.append(contentsOf: UnsafeRawBufferPointer(rebasing: block[position..<position + count]))
        position += count
      default:
        let count: Int
        let offset: Int
        switch tag & 3 {
        case 1:
          count = 4 + ((tag >> 2) & 7)
          offset = ((tag >> 5) << 8) | (try byte())
        case 2:
          count = 1 + (tag >> 2)
          offset = try littleEndian(2)
        default:
          count = 1 + (tag >> 2)
          offset = try littleEndian(4)
        }
        guard offset > 0, offset <= out.count, out.count + count <= length else {
          throw ParquetError.compression("snappy copy out of range")
        }
        // Copies may overlap their own output (a run), so byte by byte.
        let start = out.count - offset
        for i in 0..<count { out.append(out[start + i]) }
      }
    }
    guard out.count == length else { throw ParquetError.compression("snappy block ends early") }
    return out
  }
}
