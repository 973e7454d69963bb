/// Where a followed file stands at a checkpoint: enough to find the same file again after a restart and to go on
/// from the first line not yet taken.
///
/// A compressed file can only be resumed at a frame boundary, so the position is the start of the zstd frame that
/// holds the next line (`resumeOffset`, `resumeDecompressed`) plus the decompressed bytes to skip from there
/// (`consumed − resumeDecompressed`). For plain text both offsets are the line's own offset; for gzip, which has no
/// restart points here, the resume point is the start of the file.
public struct InputPosition: Sendable, Equatable {
  /// Index of the input on the command line.
  public var input: Int
  /// The path the file was read under.
  public var path: String
  /// File identity: device and inode, plus a hash of its first `fingerprintLength` bytes (inodes are reused).
  public var device: UInt64
  public var inode: UInt64
  public var fingerprintLength: Int
  public var fingerprint: UInt64
  /// Byte offset in the file where decoding resumes (a frame boundary).
  public var resumeOffset: Int64
  /// Decompressed offset of `resumeOffset`.
  public var resumeDecompressed: Int64
  /// Decompressed bytes handed on as whole lines so far.
  public var consumed: Int64
  /// Lines handed on so far (for line numbers in side records).
  public var lines: Int64
  /// The CSV header's column mapping once read.
  public var csvColumns: [Int]?

  public init(
    input: Int, path: String, device: UInt64, inode: UInt64, fingerprintLength: Int, fingerprint: UInt64,
    resumeOffset: Int64, resumeDecompressed: Int64, consumed: Int64, lines: Int64, csvColumns: [Int]?
  ) {
    self.input = input
    self.path = path
    self.device = device
    self.inode = inode
    self.fingerprintLength = fingerprintLength
    self.fingerprint = fingerprint
    self.resumeOffset = resumeOffset
    self.resumeDecompressed = resumeDecompressed
    self.consumed = consumed
    self.lines = lines
    self.csvColumns = csvColumns
  }

  func encode(into w: inout StateWriter) {
    w.write(input)
    w.write(path)
    w.write(device)
    w.write(inode)
    w.write(fingerprintLength)
    w.write(fingerprint)
    w.write(resumeOffset)
    w.write(resumeDecompressed)
    w.write(consumed)
    w.write(lines)
    w.write(csvColumns != nil)
    if let csvColumns {
      w.write(csvColumns.count)
      for c in csvColumns { w.write(c) }
    }
  }

  static func decode(from r: inout StateReader) throws(StateReader.CorruptState) -> InputPosition {
    let input = try r.readCount(limit: 1 << 20)
    let path = try r.readString()
    let device = try r.readUInt64()
    let inode = try r.readUInt64()
    let fingerprintLength = try r.readCount(limit: 1 << 20)
    let fingerprint = try r.readUInt64()
    let resumeOffset = try r.readInt64()
    let resumeDecompressed = try r.readInt64()
    let consumed = try r.readInt64()
    let lines = try r.readInt64()
    var columns: [Int]?
    if try r.readBool() {
      let n = try r.readCount(limit: 1 << 16)
      var c: [Int] = []
      for _ in 0..<n { c.append(Int(try r.readInt64())) }
      columns = c
    }
    guard resumeOffset >= 0, resumeDecompressed >= 0, consumed >= resumeDecompressed else {
      throw StateReader.CorruptState(description: "input position of \(path) is inconsistent")
    }
    return InputPosition(
      input: input, path: path, device: device, inode: inode, fingerprintLength: fingerprintLength,
      fingerprint: fingerprint, resumeOffset: resumeOffset, resumeDecompressed: resumeDecompressed, consumed: consumed,
      lines: lines, csvColumns: columns)
  }
}
