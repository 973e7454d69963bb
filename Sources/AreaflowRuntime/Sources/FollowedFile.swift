import AreaflowCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// One open file being followed like `tail -F`: reads what has been appended, decompresses it (zstd frame by frame;
/// an unfinished frame waits for its bytes), frames lines, and knows the position a restart can resume from.
///
/// Used only from the intake queue of the source that owns it.
final class FollowedFile {
  let input: Int
  /// The name it was opened under (a rotated file keeps it for side records).
  private(set) var path: String
  let identity: FileIdentity
  private let fd: Int32
  private let format: InputConfig.Format
  private let plan: FieldPlan
  private let batchLines: Int
  private let feedState: FeedState?
  private var framer: InputFramer
  /// Reused by every read: a poll finds most files unchanged, and it should not allocate for them.
  private var reader: DescriptorReader
  private var fingerprint: (length: Int, hash: UInt64) = (0, 0)
  static let readSize = 1 << 18

  /// File offset of the next read.
  var offset: Int64 { framer.readOffset }

  /// Opens `path`; with a `position`, goes on from it.
  init?(
    path: String, input: Int, format: InputConfig.Format, plan: FieldPlan, batchLines: Int,
    position: InputPosition? = nil, feedState: FeedState? = nil
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
    self.feedState = feedState
    reader = DescriptorReader(fd: fd, bufferSize: Self.readSize)
    framer = InputFramer(
      input: input, inputName: path, format: format, plan: plan, batchLines: batchLines, feedState: feedState)
    fingerprint = FileIdentity.fingerprint(descriptor: fd)
    if let position { framer.resume(from: position) }
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
  func pump(budget: Int, deliver: (LineChunk) -> Void) throws -> (PumpResult, bytes: Int) {
    var total = 0
    while total < budget {
      let offset = framer.readOffset
      let outcome = try reader.read(at: offset) { try framer.process($0, deliver: deliver) }
      switch outcome {
      case .read(let n):
        total += n
      case .end, .wouldBlock:
        try framer.flushLines(deliver: deliver)
        return (.atEnd, total)
      case .failed(let reason):
        throw InputDataError(offset: offset, message: "read error: \(reason)")
      }
    }
    return (.more, total)
  }

  /// At rotation, deletion or truncation: hands on a last unterminated line, and reports a zstd frame the file
  /// ended inside.
  func finish(deliver: (LineChunk) -> Void) throws {
    try framer.finish(deliver: deliver)
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
    framer = InputFramer(
      input: input, inputName: path, format: format, plan: plan, batchLines: batchLines, feedState: feedState)
    fingerprint = FileIdentity.fingerprint(descriptor: fd)
  }

  /// Where a restart goes on: after the last whole line handed on.
  func position() -> InputPosition {
    let cut = framer.cut()
    // The fingerprint grows with a short file, but only while its first bytes are still the ones it hashed (a
    // rewritten file must not be taken for the one read).
    if fingerprint.length < FileIdentity.fingerprintBytes,
      FileIdentity.fingerprint(descriptor: fd, length: fingerprint.length) == fingerprint
    {
      fingerprint = FileIdentity.fingerprint(descriptor: fd)
    }
    return InputPosition(
      input: input, path: path, device: identity.device, inode: identity.inode,
      fingerprintLength: fingerprint.length, fingerprint: fingerprint.hash, resumeOffset: cut.resumeOffset,
      resumeDecompressed: cut.resumeDecompressed, consumed: cut.consumed, lines: cut.lines,
      csvColumns: cut.csvColumns)
  }
}
