/// Text as it is.
struct PlainDecoder: ByteDecoder {
  mutating func feed(
    _ input: UnsafeRawBufferPointer, offset: Int64, emit: (UnsafeRawBufferPointer) throws -> Void
  ) throws {
    try emit(input)
  }
  mutating func finish(offset: Int64) throws {}
}
