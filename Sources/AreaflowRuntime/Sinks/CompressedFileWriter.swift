import CZstd

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Writes a byte stream to a file or standard output, zstd-compressed when asked. Used by `generate`.
public final class CompressedFileWriter {
  private let fd: Int32
  private let ownsDescriptor: Bool
  private let context: OpaquePointer?
  private var output = [UInt8](repeating: 0, count: 1 << 17)
  public let path: String

  /// - Parameters:
  ///   - path: a file path, or nil for standard output.
  ///   - zstd: compress with zstd (level 3).
  public init(path: String?, zstd: Bool) throws(AtomicFile.WriteError) {
    self.path = path ?? "-"
    if let path {
      fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
      guard fd >= 0 else { throw AtomicFile.WriteError(path: path, reason: String(cString: strerror(errno))) }
      ownsDescriptor = true
    } else {
      fd = 1
      ownsDescriptor = false
    }
    if zstd {
      context = ZSTD_createCCtx()
      ZSTD_CCtx_setParameter(context, ZSTD_c_compressionLevel, 3)
    } else {
      context = nil
    }
  }

  deinit {
    if let context { ZSTD_freeCCtx(context) }
    if ownsDescriptor { close(fd) }
  }

  /// Appends bytes to the stream.
  public func write(_ bytes: [UInt8]) throws(AtomicFile.WriteError) {
    try compress(bytes, end: false)
  }

  /// Ends the stream (closes the zstd frame) and flushes it to disk.
  public func finish() throws(AtomicFile.WriteError) {
    try compress([], end: true)
    if ownsDescriptor { fsync(fd) }
  }

  private func compress(_ bytes: [UInt8], end: Bool) throws(AtomicFile.WriteError) {
    guard let context else {
      try raw(bytes)
      return
    }
    var failure: AtomicFile.WriteError?
    let capacity = output.count
    bytes.withUnsafeBytes { source in
      var input = ZSTD_inBuffer(src: source.baseAddress, size: source.count, pos: 0)
      output.withUnsafeMutableBytes { out in
        while failure == nil {
          var o = ZSTD_outBuffer(dst: out.baseAddress, size: capacity, pos: 0)
          let remaining = ZSTD_compressStream2(context, &o, &input, end ? ZSTD_e_end : ZSTD_e_continue)
          if ZSTD_isError(remaining) != 0 {
            failure = AtomicFile.WriteError(path: path, reason: String(cString: ZSTD_getErrorName(remaining)))
            return
          }
          do throws(AtomicFile.WriteError) {
            try rawPointer(out.baseAddress!, o.pos)
          } catch {
            failure = error
          }
          if end ? remaining == 0 : input.pos == input.size { return }
        }
      }
    }
    if let failure { throw failure }
  }

  private func raw(_ bytes: [UInt8]) throws(AtomicFile.WriteError) {
    var failure: AtomicFile.WriteError?
    bytes.withUnsafeBytes { b in
      guard let base = b.baseAddress else { return }
      do throws(AtomicFile.WriteError) { try rawPointer(base, b.count) } catch { failure = error }
    }
    if let failure { throw failure }
  }

  private func rawPointer(_ p: UnsafeRawPointer, _ count: Int) throws(AtomicFile.WriteError) {
    var offset = 0
    while offset < count {
      let n = Glibc.write(fd, p + offset, count - offset)
      if n < 0 {
        if errno == EINTR { continue }
        throw AtomicFile.WriteError(path: path, reason: String(cString: strerror(errno)))
      }
      offset += n
    }
  }
}
