import CZstd

/// Streaming zstd decompression: any number of frames back to back, skippable frames ignored, as one stream.
///
/// Knows whether the data so far ends on a frame boundary, which is how a truncated file is told apart from a
/// complete one (and, in live mode, where a resumable position is).
final class ZstdStreamDecoder: ByteDecoder {
  private let context: OpaquePointer
  private var output = [UInt8](repeating: 0, count: 1 << 17)
  /// The last call's hint: 0 once a frame is complete and flushed.
  private var midFrame = false
  private var frameStartOffset: Int64 = 0
  /// Called with the input offset of every frame as it starts, after the output of the frames before it has been
  /// emitted: the places a followed file can be resumed from.
  var onFrameStart: ((Int64) -> Void)?

  init() {
    context = ZSTD_createDCtx()
  }

  deinit { ZSTD_freeDCtx(context) }

  func feed(
    _ input: UnsafeRawBufferPointer, offset: Int64, emit: (UnsafeRawBufferPointer) throws -> Void
  ) throws {
    guard let base = input.baseAddress, input.count > 0 else { return }
    var inBuffer = ZSTD_inBuffer(src: base, size: input.count, pos: 0)
    let capacity = output.count
    try output.withUnsafeMutableBytes { out in
      while inBuffer.pos < inBuffer.size || midFrame {
        if !midFrame {
          if inBuffer.pos == inBuffer.size { break }
          frameStartOffset = offset + Int64(inBuffer.pos)
          onFrameStart?(frameStartOffset)
        }
        var outBuffer = ZSTD_outBuffer(dst: out.baseAddress, size: capacity, pos: 0)
        let before = inBuffer.pos
        let result = ZSTD_decompressStream(context, &outBuffer, &inBuffer)
        if ZSTD_isError(result) != 0 {
          let name = String(cString: ZSTD_getErrorName(result))
          throw InputDataError(offset: offset + Int64(inBuffer.pos), message: "corrupt zstd data (\(name))")
        }
        midFrame = result != 0
        if outBuffer.pos > 0 { try emit(UnsafeRawBufferPointer(rebasing: out[0..<outBuffer.pos])) }
        // No progress and no output: the decoder needs more input.
        if inBuffer.pos == before && outBuffer.pos == 0 { break }
        if inBuffer.pos == inBuffer.size && outBuffer.pos < capacity { break }
      }
    }
  }

  func finish(offset: Int64) throws {
    if midFrame {
      throw InputDataError(
        offset: frameStartOffset,
        message: "truncated zstd data: the frame starting here ends before the file does (file size \(offset))")
    }
  }
}
