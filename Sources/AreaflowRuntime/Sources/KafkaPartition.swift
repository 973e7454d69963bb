import AreaflowCore

/// One assigned partition of a Kafka input: its own input index (watermark and line numbers), its own framer, and
/// the next offset to read, which is what the checkpoint stores for it.
///
/// A message value is one or more whole lines: a value without a final newline is ended as if it had one, so the
/// lines of two messages never merge. Confined to the intake queue, like its source.
final class KafkaPartition {
  let partition: Int32
  let input: Int
  private var framer: LineFramer
  /// The offset of the next message to read; -1 until known (an assignment left to the group's stored offset).
  private(set) var next: Int64
  /// The end offset it had when it was assigned (replay, `run --once`): reading it up to here is reading it all.
  var end: Int64
  /// A CSV header that lacks a required field: nothing of this partition can be decoded.
  private(set) var failure: String?
  private static let newline: [UInt8] = [10]

  init(
    partition: Int32, input: Int, name: String, format: InputConfig.Format, plan: FieldPlan, batchLines: Int,
    next: Int64, end: Int64, resume: InputPosition?
  ) {
    self.partition = partition
    self.input = input
    self.next = next
    self.end = end
    framer = LineFramer(input: input, inputName: name, format: format, plan: plan, maxLines: batchLines)
    if let resume { framer.resume(lines: resume.lines, csvColumns: resume.csvColumns) }
  }

  /// Lines handed on so far (line numbers continue from a resumed position).
  var linesEmitted: Int64 { framer.linesEmitted }

  /// Read up to the end it had when assigned.
  var isAtEnd: Bool { next >= 0 && next >= end }

  /// Takes the message at `offset`, handing on the chunks it completes. A message already read (offset below
  /// `next`) is skipped.
  /// - Parameter shared: the framer to put its lines into instead of the partition's own (replay reads the topic
  ///   as one input, in turns).
  /// - Returns: the value's bytes taken.
  func take(
    offset: Int64, value: UnsafeRawBufferPointer, shared: UnsafeMutablePointer<LineFramer>? = nil,
    deliver: (LineChunk) -> Void
  ) -> Int {
    guard offset >= next, failure == nil else { return 0 }
    next = offset + 1
    guard !value.isEmpty else { return 0 }
    do {
      if let shared {
        try Self.frame(value, into: &shared.pointee, deliver: deliver)
      } else {
        try Self.frame(value, into: &framer, deliver: deliver)
      }
    } catch let error as LineFramer.HeaderError {
      failure = error.description
    } catch {
      failure = "\(error)"
    }
    return value.count
  }

  /// Puts a message value's lines into `framer`, ending the last line if the value does not.
  /// - Throws: `LineFramer.HeaderError` (a CSV header without a required field).
  static func frame(_ value: UnsafeRawBufferPointer, into framer: inout LineFramer, deliver: (LineChunk) -> Void)
    throws
  {
    for chunk in try framer.push(value) { deliver(chunk) }
    if value[value.count - 1] != 10 {
      let chunks = try newline.withUnsafeBytes { try framer.push($0) }
      for chunk in chunks { deliver(chunk) }
    }
  }

  /// The partition's current end reached with nothing to read at `offset` (transaction markers or compacted
  /// messages can leave gaps): the next offset moves there.
  func reachedEnd(at offset: Int64) {
    if offset > next { next = offset }
  }

  /// Hands on every whole line taken: after it the next offset is exactly what has been handed on.
  func flush(deliver: (LineChunk) -> Void) {
    guard failure == nil else { return }
    do {
      for chunk in try framer.flushLines() { deliver(chunk) }
    } catch {
      failure = error.description
    }
  }

  /// The checkpoint's record of this partition, or nil while its next offset is unknown.
  func position(topic: String) -> InputPosition? {
    guard next >= 0 else { return nil }
    return .kafka(
      input: input, topic: topic, partition: partition, offset: next, lines: framer.linesEmitted,
      csvColumns: framer.csvHeader)
  }
}
