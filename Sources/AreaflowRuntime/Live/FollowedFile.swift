import AreaflowCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// One open file being followed like `tail -F`: reads what has been appended, decompresses it (zstd frame by frame;
/// an unfinished frame waits for its bytes), frames lines, and knows the position a restart can resume from.
///
/// Confined to the live intake queue.
final class FollowedFile {
  let input: Int
  /// The name it was opened under (a rotated file keeps it for side records).
  private(set) var path: String
  let identity: FileIdentity
  private let fd: Int32
  private let format: InputConfig.Format
  private let plan: FieldPlan
  private let batchLines: Int
  private var framer: LineFramer
  private var decoder: (any ByteDecoder)?
  private var compression: Compression?
  /// File offset of the next read.
  private(set) var offset: Int64 = 0
  /// Decompressed bytes produced so far, counted from the start of the file.
  private var decompressed: Int64 = 0
  /// Decompressed bytes still to drop after resuming inside a zstd frame.
  private var skip: Int64 = 0
  /// zstd frame starts not yet behind the consumed position: (file offset, decompressed offset).
  private var frameStarts: [(Int64, Int64)] = []
  /// The resume point of the last position, kept while no newer frame start is behind the consumed bytes.
  private var resumePoint: (Int64, Int64) = (0, 0)
  private var fingerprint: (length: Int, hash: UInt64) = (0, 0)
  static let readSize = 1 << 18
  /// Reused by every read: a poll finds most files unchanged, and it should not allocate for them.
  private var buffer = [UInt8](repeating: 0, count: readSize)

  /// Opens `path`; with a `position`, goes on from it.
  init?(
    path: String, input: Int, format: InputConfig.Format, plan: FieldPlan, batchLines: Int,
    position: InputPosition? = nil
  ) {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0, let (identity, _) = FileIdentity.of(descriptor: fd) else {
      if fd >= 0 { close(fd) }
      return nil
    }
    self.fd = fd
    self.path = path
    self.input = input
    self.identity = identity
    self.format = format
    self.plan = plan
    self.batchLines = batchLines
    framer = LineFramer(input: input, inputName: path, format: format, plan: plan, maxLines: batchLines)
    fingerprint = FileIdentity.fingerprint(descriptor: fd)
    if let position {
      offset = position.resumeOffset
      decompressed = position.resumeDecompressed
      skip = position.consumed - position.resumeDecompressed
      resumePoint = (position.resumeOffset, position.resumeDecompressed)
      framer.resume(lines: position.lines, csvColumns: position.csvColumns)
    }
  }

  deinit { close(fd) }

  /// Whether a checkpointed position belongs to this very file (same inode and same first bytes).
  func matches(_ position: InputPosition) -> Bool {
    guard position.device == identity.device, position.inode == identity.inode else { return false }
    return FileIdentity.fingerprint(descriptor: fd, length: position.fingerprintLength)
      == (position.fingerprintLength, position.fingerprint)
  }

  /// The file was renamed to `path` (directory inputs follow files by identity).
  func renamed(to path: String) { self.path = path }

  enum PumpResult {
    /// Read to the current end of the file.
    case atEnd
    /// Stopped after the byte budget; more is waiting.
    case more
  }

  /// Reads appended bytes (at most `budget`), handing complete chunks to `deliver`.
  /// - Throws: `InputDataError` for corrupt compressed data, `LineFramer.HeaderError` for a bad CSV header.
  func pump(budget: Int, force: Bool = false, deliver: (LineChunk) -> Void) throws -> (PumpResult, bytes: Int) {
    var total = 0
    while total < budget {
      let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, Self.readSize, off_t(offset)) }
      if n < 0 {
        if errno == EINTR { continue }
        throw InputDataError(offset: offset, message: "read error: \(String(cString: strerror(errno)))")
      }
      if n == 0 {
        for chunk in try framer.flushLines() { deliver(chunk) }
        return (.atEnd, total)
      }
      // The first bytes tell the compression; wait until there are enough of them (a zstd writer may have flushed
      // only part of the magic number yet).
      if decoder == nil, n < 4, !force { return (.atEnd, total) }
      try buffer.withUnsafeBytes { raw in
        try feed(UnsafeRawBufferPointer(rebasing: raw[0..<n]), deliver: deliver)
      }
      offset += Int64(n)
      total += n
    }
    return (.more, total)
  }

  private func feed(_ bytes: UnsafeRawBufferPointer, deliver: (LineChunk) -> Void) throws {
    if decoder == nil {
      let kind = Compression.detect(bytes)
      compression = kind
      var made = kind.makeDecoder()
      if let zstd = made as? ZstdStreamDecoder {
        zstd.onFrameStart = { [unowned self] at in frameStarts.append((at, decompressed)) }
        made = zstd
      }
      decoder = made
    }
    try decoder!.feed(bytes, offset: offset) { text in
      var text = text
      if skip > 0 {
        let dropped = min(Int64(text.count), skip)
        skip -= dropped
        decompressed += dropped
        text = UnsafeRawBufferPointer(rebasing: text[Int(dropped)...])
        if text.isEmpty { return }
      }
      decompressed += Int64(text.count)
      for chunk in try framer.push(text) { deliver(chunk) }
    }
  }

  /// At rotation, deletion or truncation: hands on a last unterminated line, and reports a zstd frame the file
  /// ended inside.
  func finish(deliver: (LineChunk) -> Void) throws {
    defer { for chunk in (try? framer.finish()) ?? [] { deliver(chunk) } }
    if decoder == nil { _ = try pump(budget: Int.max, force: true, deliver: deliver) }
    try decoder?.finish(offset: offset)
  }

  /// The file was truncated (copytruncate) and is reread from the start: its size shrank below what was read, or
  /// its first bytes changed (truncated and rewritten with more than was read before this poll saw it).
  var wasTruncated: Bool {
    guard let (_, size) = FileIdentity.of(descriptor: fd) else { return false }
    if size < offset { return true }
    guard fingerprint.length > 0 else {
      if offset > 0 {
        fingerprint = FileIdentity.fingerprint(descriptor: fd, length: min(Int(offset), FileIdentity.fingerprintBytes))
      }
      return false
    }
    return FileIdentity.fingerprint(descriptor: fd, length: fingerprint.length) != fingerprint
  }

  /// Starts over from the first byte after a truncation.
  func restartFromBeginning() {
    framer = LineFramer(input: input, inputName: path, format: format, plan: plan, maxLines: batchLines)
    decoder = nil
    compression = nil
    offset = 0
    decompressed = 0
    skip = 0
    frameStarts = []
    resumePoint = (0, 0)
    fingerprint = FileIdentity.fingerprint(descriptor: fd)
  }

  /// Where a restart goes on: after the last whole line handed on.
  func position() -> InputPosition {
    let consumed = decompressed + skip - Int64(framer.bufferedBytes)
    switch compression {
    case .zstd:
      while let first = frameStarts.first, first.1 <= consumed {
        resumePoint = first
        frameStarts.removeFirst()
      }
    case .gzip:
      resumePoint = (0, 0)
    case .plain:
      resumePoint = (consumed, consumed)
    case nil:
      break
    }
    // The fingerprint grows with a short file, but only while its first bytes are still the ones it hashed (a
    // rewritten file must not be taken for the one read).
    if fingerprint.length < FileIdentity.fingerprintBytes,
      FileIdentity.fingerprint(descriptor: fd, length: fingerprint.length) == fingerprint
    {
      fingerprint = FileIdentity.fingerprint(descriptor: fd)
    }
    return InputPosition(
      input: input, path: path, device: identity.device, inode: identity.inode,
      fingerprintLength: fingerprint.length, fingerprint: fingerprint.hash, resumeOffset: resumePoint.0,
      resumeDecompressed: resumePoint.1, consumed: consumed,
      lines: framer.linesEmitted, csvColumns: framer.csvHeader)
  }
}
