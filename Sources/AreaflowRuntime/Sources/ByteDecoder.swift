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
