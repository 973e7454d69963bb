#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Reads a file descriptor into a buffer it reuses, so every source handles interrupted calls, the end, a
/// descriptor with nothing to read yet and errors the same way, and a poll that finds nothing allocates nothing.
struct DescriptorReader {
  /// What one read found.
  enum Outcome: Equatable {
    /// `n` bytes, already handed to the body.
    case read(Int)
    /// The end of the file or stream.
    case end
    /// A non-blocking descriptor with nothing to read now.
    case wouldBlock
    /// A read error, as `strerror` says it.
    case failed(String)
  }

  let fd: Int32
  private var buffer: [UInt8]

  init(fd: Int32, bufferSize: Int) {
    self.fd = fd
    buffer = [UInt8](repeating: 0, count: bufferSize)
  }

  /// Reads once (at `offset` with `pread`, else from the current position) and hands what was read to `body`.
  mutating func read(at offset: Int64? = nil, _ body: (UnsafeRawBufferPointer) throws -> Void) rethrows -> Outcome {
    let fd = fd
    while true {
      let n = buffer.withUnsafeMutableBytes { raw in
        if let offset {
          pread(fd, raw.baseAddress, raw.count, off_t(offset))
        } else {
          Glibc.read(fd, raw.baseAddress, raw.count)
        }
      }
      if n < 0 {
        if errno == EINTR { continue }
        if errno == EAGAIN || errno == EWOULDBLOCK { return .wouldBlock }
        return .failed(String(cString: strerror(errno)))
      }
      if n == 0 { return .end }
      try buffer.withUnsafeBytes { raw in try body(UnsafeRawBufferPointer(rebasing: raw[0..<n])) }
      return .read(n)
    }
  }
}
