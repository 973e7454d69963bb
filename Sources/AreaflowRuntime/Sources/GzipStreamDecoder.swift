import CZlib

/// Streaming gzip decompression with zlib; several gzip members in a row are one stream.
final class GzipStreamDecoder: ByteDecoder {
  private var stream = z_stream()
  private var output = [UInt8](repeating: 0, count: 1 << 17)
  private var inMember = false
  private var initialized = false

  init() {
    // 15 + 32: a window of 32 KiB and automatic gzip/zlib header detection.
    initialized = inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK
  }

  deinit { if initialized { inflateEnd(&stream) } }

  func feed(
    _ input: UnsafeRawBufferPointer, offset: Int64, emit: (UnsafeRawBufferPointer) throws -> Void
  ) throws {
    guard initialized else { throw InputDataError(offset: offset, message: "cannot initialise gzip decoder") }
    guard let base = input.baseAddress, input.count > 0 else { return }
    stream.next_in = UnsafeMutablePointer(mutating: base.assumingMemoryBound(to: Bytef.self))
    stream.avail_in = uInt(input.count)
    let capacity = output.count
    try output.withUnsafeMutableBytes { out in
      while stream.avail_in > 0 {
        inMember = true
        stream.next_out = out.baseAddress!.assumingMemoryBound(to: Bytef.self)
        stream.avail_out = uInt(capacity)
        let status = inflate(&stream, Z_NO_FLUSH)
        let produced = capacity - Int(stream.avail_out)
        if produced > 0 { try emit(UnsafeRawBufferPointer(rebasing: out[0..<produced])) }
        let consumed = Int64(input.count) - Int64(stream.avail_in)
        switch status {
        case Z_STREAM_END:
          inMember = false
          inflateReset(&stream)
        case Z_OK, Z_BUF_ERROR:
          if produced == 0 && stream.avail_in > 0 && status == Z_BUF_ERROR {
            throw InputDataError(offset: offset + consumed, message: "corrupt gzip data")
          }
        default:
          let message = stream.msg.map { String(cString: $0) } ?? "status \(status)"
          throw InputDataError(offset: offset + consumed, message: "corrupt gzip data (\(message))")
        }
      }
    }
  }

  func finish(offset: Int64) throws {
    if inMember { throw InputDataError(offset: offset, message: "truncated gzip data: the stream ends mid-member") }
  }
}
