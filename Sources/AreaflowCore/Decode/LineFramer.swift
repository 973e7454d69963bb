#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Cuts a decompressed byte stream into `LineChunk`s of whole lines (whole records for CSV), numbering lines and,
/// for CSV, reading the header that maps columns to field slots.
///
/// Pure and incremental, in the shape of a byte-to-message decoder: `push` takes whatever bytes arrived and returns
/// the chunks that are complete; `finish` returns the rest at end of input (a last line without a newline counts).
public struct LineFramer {
  public let input: Int
  public let inputName: String
  let format: InputConfig.Format
  let plan: FieldPlan
  let maxLines: Int
  let maxBytes: Int
  var pending: [UInt8] = []
  /// `pending[0..<start]` has been handed out; it is dropped once per push, not once per chunk, so many small
  /// chunks from one large read cost no repeated copying.
  var start = 0
  /// `pending[start..<scanned]` has been scanned; it holds `linesScanned` newlines and ends inside quotes when `inQuotes`.
  var scanned = 0
  var linesScanned = 0
  var inQuotes = false
  /// `pending[start..<cutEnd]` is whole lines (records), `cutLines` of them.
  var cutEnd = 0
  var cutLines = 0
  /// Lines handed out so far (header included).
  public private(set) var linesEmitted: Int64 = 0
  var csvColumns: [Int]?
  /// The most bytes one `push` brought: the headroom a buffer needs past a chunk's size so that the push completing
  /// the next chunk fits without growing it.
  var largestPush = 0

  /// - Parameters:
  ///   - maxLines: lines per chunk at most (the `--batch-size`).
  ///   - maxBytes: a chunk is cut at the last newline once it holds this many bytes.
  public init(
    input: Int, inputName: String, format: InputConfig.Format, plan: FieldPlan, maxLines: Int, maxBytes: Int = 1 << 20
  ) {
    self.input = input
    self.inputName = inputName
    self.format = format
    self.plan = plan
    self.maxLines = max(1, maxLines)
    self.maxBytes = maxBytes
  }

  /// Bytes received but not yet handed out as whole lines (a line still being written).
  public var bufferedBytes: Int { pending.count - start }

  /// The CSV header's column mapping, once read.
  public var csvHeader: [Int]? { csvColumns }

  /// Continues numbering after `lines` lines with a known CSV header: a followed file resumed from a checkpoint.
  public mutating func resume(lines: Int64, csvColumns: [Int]?) {
    linesEmitted = lines
    self.csvColumns = csvColumns
  }

  /// An input-level problem found while framing (a CSV header without a required field).
  public struct HeaderError: Error, CustomStringConvertible {
    public let description: String
  }

  /// Adds bytes and returns every chunk completed by them.
  public mutating func push(_ bytes: UnsafeRawBufferPointer) throws(HeaderError) -> [LineChunk] {
    largestPush = max(largestPush, bytes.count)
    pending.append(contentsOf: bytes)
    return try cutChunks(final: false)
  }

  /// Returns every whole line received so far, even when they do not fill a chunk: a live input at its current
  /// end hands its lines on now instead of waiting for more. A line still being written stays.
  public mutating func flushLines() throws(HeaderError) -> [LineChunk] {
    var chunks = try cutChunks(final: false)
    _ = scan()
    if cutEnd > start, format != .csv || csvColumns != nil {
      chunks.append(takeChunk(end: cutEnd))
      linesEmitted += Int64(cutLines)
      drop()
      compact()
    }
    return chunks
  }

  /// Returns what is left at the end of the input.
  public mutating func finish() throws(HeaderError) -> [LineChunk] {
    try cutChunks(final: true)
  }

  private mutating func cutChunks(final: Bool) throws(HeaderError) -> [LineChunk] {
    var chunks: [LineChunk] = []
    defer { compact() }
    while true {
      let full = scan()
      if format == .csv, csvColumns == nil {
        if cutEnd > start {
          try readHeader(pending[start..<(cutEnd - 1)])
          linesEmitted += Int64(cutLines)
          drop()
          continue
        }
        if final, pending.count > start {
          try readHeader(pending[start...])
          linesEmitted += 1
          reset()
        }
        return chunks
      }
      if full {
        chunks.append(takeChunk(end: cutEnd))
        linesEmitted += Int64(cutLines)
        drop()
        continue
      }
      if final, pending.count > start {
        // Everything left is one chunk; a last line without a newline still counts.
        let unterminated = pending.last != 10 ? 1 : 0
        chunks.append(chunk(end: pending.count))
        linesEmitted += Int64(linesScanned + unterminated)
        reset()
      }
      return chunks
    }
  }

  private func chunk(end: Int) -> LineChunk {
    LineChunk(
      input: input, inputName: inputName, bytes: Array(pending[start..<end]), firstLine: linesEmitted + 1,
      csvColumns: csvColumns)
  }

  /// The chunk `pending[start..<end]`, where `end` is `cutEnd`. When it begins the buffer and the bytes after it are
  /// fewer than its own, the buffer itself becomes the chunk and only those bytes move to a fresh buffer: a chunk
  /// is then not copied again after the bytes were appended (indices are rebased to the fresh buffer).
  private mutating func takeChunk(end: Int) -> LineChunk {
    guard start == 0, pending.count - end <= end else { return chunk(end: end) }
    var bytes: [UInt8] = []
    swap(&bytes, &pending)
    // Room for a chunk like this one and the push that completes it, so the appends that fill it do not grow it,
    // and no more: chunks in flight keep their buffers, spare capacity included (a buffer that grew by doubling
    // would hold nearly twice its bytes).
    pending.reserveCapacity(end + largestPush)
    pending.append(contentsOf: bytes[end...])
    bytes.removeSubrange(end...)
    scanned -= end
    cutEnd = 0
    return LineChunk(
      input: input, inputName: inputName, bytes: bytes, firstLine: linesEmitted + 1, csvColumns: csvColumns)
  }

  /// Scans new bytes for line ends; returns true when `pending[start..<cutEnd]` is a full chunk.
  private mutating func scan() -> Bool {
    let headerPending = format == .csv && csvColumns == nil
    var full = false
    pending.withUnsafeBufferPointer { b in
      guard let p = b.baseAddress else { return }
      let n = b.count
      var i = scanned
      if format == .csv {
        while let end = CSVRecordScanner.recordEnd(p, from: i, to: n, inQuotes: &inQuotes, newlines: &linesScanned) {
          i = end + 1
          cutEnd = i
          cutLines = linesScanned
          if headerPending || cutLines >= maxLines || cutEnd - start >= maxBytes {
            full = true
            break
          }
        }
        if !full { i = n }
      } else {
        while i < n {
          guard let nl = memchrIndex(p, 10, i, n) else {
            i = n
            break
          }
          i = nl + 1
          linesScanned += 1
          cutEnd = i
          cutLines = linesScanned
          if cutLines >= maxLines || cutEnd - start >= maxBytes {
            full = true
            break
          }
        }
      }
      scanned = i
    }
    return full && !headerPending
  }

  /// Marks the cut lines as handed out.
  private mutating func drop() {
    start = cutEnd
    linesScanned -= cutLines
    cutLines = 0
  }

  /// Drops handed-out bytes from `pending` and rebases the indices.
  private mutating func compact() {
    guard start > 0 else { return }
    pending.removeFirst(start)
    scanned -= start
    cutEnd = max(0, cutEnd - start)
    start = 0
  }

  private mutating func reset() {
    pending = []
    start = 0
    scanned = 0
    linesScanned = 0
    cutEnd = 0
    cutLines = 0
  }

  private mutating func readHeader(_ bytes: ArraySlice<UInt8>) throws(HeaderError) {
    guard let names = CSVRecordScanner.headerNames(bytes) else {
      throw HeaderError(description: "\(inputName): line 1: the CSV header is not valid CSV")
    }
    var columns: [Int] = []
    for name in names {
      columns.append(plan.names.firstIndex(of: name) ?? -1)
    }
    for (slot, role) in [(plan.timeSlot, "time"), (plan.latSlot, "lat"), (plan.lonSlot, "lon")]
    where !columns.contains(slot) {
      throw HeaderError(
        description:
          "\(inputName): line 1: the CSV header has no column '\(plan.names[slot])' (the config's \(role) field); it has \(names.joined(separator: ","))"
      )
    }
    csvColumns = columns
  }
}
