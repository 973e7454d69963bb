import AreaflowCore

/// The one decode-and-frame step every source uses: raw bytes of one input in, `LineChunk`s of whole lines out.
///
/// It has the shape of swift-nio's single-step decoder: `process(_:deliver:)` takes whatever bytes were read and
/// hands on the chunks they complete; `finish(deliver:)` is the end of the input. Compression is detected from the
/// first bytes (zstd, gzip or plain), never from a name. It also keeps the accounting a resumable source needs:
/// raw and decompressed offsets, and the zstd frame starts a followed file can be resumed from.
///
/// Used only from the queue of the source that owns it.
final class InputFramer {
  let input: Int
  private let format: InputConfig.Format
  private let plan: FieldPlan
  private let batchLines: Int
  private var framer: LineFramer
  /// `gtfs-rt`: FeedMessages in, NDJSON lines of their vehicle positions out, in place of `framer`.
  private let feed: FeedMessageFramer?
  private var decoder: (any ByteDecoder)?
  /// What the first bytes said, once they were seen.
  private var compression: Compression?
  /// Raw input bytes decoded so far: the input offset of the next byte the decoder gets.
  private(set) var offset: Int64 = 0
  /// Raw input bytes taken so far, held first bytes included: where the next read of the input starts.
  var readOffset: Int64 { offset + Int64(head.count) }
  /// Decompressed bytes produced so far, counted from the start of the input.
  private(set) var decompressed: Int64 = 0
  /// Decompressed bytes still to drop after resuming inside a zstd frame.
  private var skip: Int64 = 0
  /// zstd frame starts not yet behind the consumed position: (input offset, decompressed offset).
  private var frameStarts: [(Int64, Int64)] = []
  /// The resume point of the last cut, kept while no newer frame start is behind the consumed bytes.
  private var resumePoint: (Int64, Int64) = (0, 0)

  /// - Parameter feedState: for `gtfs-rt`, the run's shared position memory and counters (an input of its own
  ///   when nil).
  init(
    input: Int, inputName: String, format: InputConfig.Format, plan: FieldPlan, batchLines: Int,
    feedState: FeedState? = nil
  ) {
    self.input = input
    self.format = format
    self.plan = plan
    self.batchLines = batchLines
    let lineFormat: InputConfig.Format = format == .csv ? .csv : .ndjson
    framer = LineFramer(input: input, inputName: inputName, format: lineFormat, plan: plan, maxLines: batchLines)
    feed =
      format == .gtfsRT
      ? FeedMessageFramer(
        input: input, inputName: inputName, plan: plan, batchLines: batchLines, state: feedState ?? FeedState())
      : nil
  }

  /// Numbers the next line `lines + 1`: a source that reads a new stream for the same input (the next body of a
  /// polled feed) keeps numbering its lines.
  func continueNumbering(after lines: Int64) {
    framer.resume(lines: lines, csvColumns: nil)
    feed?.resume(lines: lines, offset: 0)
  }

  /// Lines handed on so far.
  var linesEmitted: Int64 { feed?.linesEmitted ?? framer.linesEmitted }

  /// Goes on from a checkpointed position: reading restarts at `resumeOffset` (a frame boundary) and the
  /// decompressed bytes up to `consumed` are dropped, so the next line handed on is the first one not yet taken.
  func resume(from position: InputPosition) {
    offset = position.resumeOffset
    decompressed = position.resumeDecompressed
    skip = position.consumed - position.resumeDecompressed
    resumePoint = (position.resumeOffset, position.resumeDecompressed)
    framer.resume(lines: position.lines, csvColumns: position.csvColumns)
    feed?.resume(lines: position.lines, offset: position.consumed)
  }

  /// The first bytes, held until there are enough of them to tell the compression (a zstd writer may have
  /// flushed only part of its magic number yet, and a reader may hand on a byte at a time).
  private var head: [UInt8] = []

  /// Decodes and frames `bytes`, the input's next raw bytes, handing on every chunk they complete.
  /// - Throws: `InputDataError` for corrupt compressed data, `LineFramer.HeaderError` for a bad CSV header.
  func process(_ bytes: UnsafeRawBufferPointer, deliver: (LineChunk) -> Void) throws {
    guard decoder == nil else { return try decode(bytes, deliver: deliver) }
    head.append(contentsOf: bytes)
    if head.count >= Compression.magicLength { try start(deliver: deliver) }
  }

  /// Tells the compression from the held first bytes and decodes them.
  private func start(deliver: (LineChunk) -> Void) throws {
    let held = head
    head = []
    try held.withUnsafeBytes { bytes in
      let kind = Compression.detect(bytes)
      compression = kind
      let made = kind.makeDecoder()
      if let zstd = made as? ZstdStreamDecoder {
        zstd.onFrameStart = { [unowned self] at in frameStarts.append((at, decompressed)) }
      }
      decoder = made
      try decode(bytes, deliver: deliver)
    }
  }

  private func decode(_ bytes: UnsafeRawBufferPointer, deliver: (LineChunk) -> Void) throws {
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
      if let feed {
        for chunk in feed.push(text) { deliver(chunk) }
      } else {
        for chunk in try framer.push(text) { deliver(chunk) }
      }
    }
    offset += Int64(bytes.count)
  }

  /// Hands on every whole line received so far, even when they do not fill a chunk: a live source at its current
  /// end does not hold lines back waiting for more.
  func flushLines(deliver: (LineChunk) -> Void) throws {
    if let feed {
      for chunk in feed.flush() { deliver(chunk) }
      return
    }
    for chunk in try framer.flushLines() { deliver(chunk) }
  }

  /// The end of the input: hands on what is left, a last line without a newline included (it is rejected, not
  /// lost, if it is broken), then reports a compressed frame the input ended inside.
  func finish(deliver: (LineChunk) -> Void) throws {
    var failure: (any Error)?
    if decoder == nil, !head.isEmpty {
      do { try start(deliver: deliver) } catch { failure = error }
    }
    do { try decoder?.finish(offset: offset) } catch { failure = error }
    if let feed {
      for chunk in feed.finish() { deliver(chunk) }
    } else {
      for chunk in try framer.finish() { deliver(chunk) }
    }
    if let failure { throw failure }
  }

  /// Hands on what is left without checking the compressed stream: after a fault, what came before it is kept.
  func salvage(deliver: (LineChunk) -> Void) {
    // A stream shorter than a magic number still has its bytes held: decode them first.
    if decoder == nil, !head.isEmpty { try? start(deliver: deliver) }
    if let feed {
      for chunk in feed.finish() { deliver(chunk) }
      return
    }
    for chunk in (try? framer.finish()) ?? [] { deliver(chunk) }
  }

  /// Where a restart goes on: after the last whole line handed on. A zstd input resumes at the start of the frame
  /// holding that point, a gzip input (no restart points) at its start, a plain one at the point itself.
  func cut() -> (resumeOffset: Int64, resumeDecompressed: Int64, consumed: Int64, lines: Int64, csvColumns: [Int]?) {
    let consumed = decompressed + skip - Int64(feed?.bufferedBytes ?? framer.bufferedBytes)
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
    return (resumePoint.0, resumePoint.1, consumed, linesEmitted, framer.csvHeader)
  }
}
