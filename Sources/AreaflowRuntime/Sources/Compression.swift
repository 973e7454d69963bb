/// Compression detected from an input's first bytes, never from its name.
enum Compression: String {
  case zstd, gzip, plain

  /// Bytes `detect` needs to tell every kind apart (the zstd magic number is the longest).
  static let magicLength = 4

  static func detect(_ head: UnsafeRawBufferPointer) -> Compression {
    if head.count >= 4, head[0] == 0x28, head[1] == 0xB5, head[2] == 0x2F, head[3] == 0xFD { return .zstd }
    // A stream that starts with a skippable frame (magic 0x184D2A5?) is zstd too.
    if head.count >= 4, head[0] & 0xF0 == 0x50, head[1] == 0x2A, head[2] == 0x4D, head[3] == 0x18 { return .zstd }
    if head.count >= 2, head[0] == 0x1F, head[1] == 0x8B { return .gzip }
    return .plain
  }

  func makeDecoder() -> any ByteDecoder {
    switch self {
    case .zstd: ZstdStreamDecoder()
    case .gzip: GzipStreamDecoder()
    case .plain: PlainDecoder()
    }
  }
}
