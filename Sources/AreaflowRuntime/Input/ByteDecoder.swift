/// Turns an input's raw bytes into its text: zstd, gzip or plain, as detected from the first bytes.
protocol ByteDecoder {
  /// Decodes `input`, handing decoded bytes to `emit`. `offset` is the input offset of `input`'s first byte, used to
  /// name where corrupt data starts.
  mutating func feed(
    _ input: UnsafeRawBufferPointer, offset: Int64, emit: (UnsafeRawBufferPointer) throws -> Void
  ) throws
  /// Called at end of input; throws when the data ended inside a compressed frame.
  mutating func finish(offset: Int64) throws
}

/// A compressed stream that cannot be decoded, located by byte offset in the input file.
public struct InputDataError: Error, CustomStringConvertible {
  public let offset: Int64
  public let message: String
  public var description: String { "\(message) at byte offset \(offset)" }
}

/// Compression detected from an input's first bytes, never from its name.
enum Compression: String {
  case zstd, gzip, plain

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

/// Text as it is.
struct PlainDecoder: ByteDecoder {
  mutating func feed(
    _ input: UnsafeRawBufferPointer, offset: Int64, emit: (UnsafeRawBufferPointer) throws -> Void
  ) throws {
    try emit(input)
  }
  mutating func finish(offset: Int64) throws {}
}
