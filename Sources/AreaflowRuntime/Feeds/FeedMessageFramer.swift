import AreaflowCore
import AreaflowGTFSRealtime
import SwiftProtobuf

/// Takes the place of line framing for `input.format: gtfs-rt`: gathers whole GTFS-Realtime FeedMessages from an
/// input's decompressed bytes, decodes them, and hands on each VehiclePosition not seen before as one NDJSON line
/// (`VehiclePositionLine`), so the rest of the pipeline (field paths, lookups, rejects, side records) is the NDJSON one.
///
/// An input holds one FeedMessage, or several each preceded by its length as a varint (the "length-delimited" form of
/// `writeDelimitedTo`). Which one is told from the bytes: the input is length-delimited when its first length prefix
/// frames a FeedMessage that decodes with a header and a version and, where the whole input is there, the prefixes
/// tile it exactly; anything else is one message. A single message cannot pass for a delimited one: its first byte
/// (the header's tag, 10) would frame ten bytes whose own header length overruns them.
///
/// - Entities without a `vehicle` (trip updates, alerts) are counted in `FeedSummary.otherEntities`, not handed on.
/// - A position with the `vehicle.id` and `timestamp` of one already handed on is counted in `repeatedPositions`
///   and dropped (`PositionMemory`, shared by the run's inputs).
/// - A message that does not decode becomes one line that is not JSON, naming the byte offset and the error, so
///   it is a `malformed` reject naming the input; the next message is read.
///
/// Every message's lines are handed on as soon as it is decoded, so the framer holds no lines between messages and
/// the input's resume position (`bufferedBytes`) is always a message boundary.
/// Used only from the queue of the source that owns it.
final class FeedMessageFramer {
  enum Layout: Equatable { case undecided, single, delimited }

  private var lines: LineFramer
  private let state: FeedState
  private let inputName: String
  /// Undecoded bytes, the first of which is at decompressed offset `pendingOffset` of the input.
  private var pending: [UInt8] = []
  private var pendingOffset: Int64 = 0
  private(set) var layout = Layout.undecided
  /// Above this much undecided data the layout is decided from the first message alone, so a long delimited
  /// archive is decoded as it is read instead of held whole.
  static let decideEarlyBytes = 1 << 20
  /// A length prefix above this is taken for corruption, not a message.
  static let maxMessageBytes = 1 << 28

  init(input: Int, inputName: String, plan: FieldPlan, batchLines: Int, state: FeedState) {
    self.inputName = inputName
    self.state = state
    lines = LineFramer(input: input, inputName: inputName, format: .ndjson, plan: plan, maxLines: batchLines)
  }

  /// Decompressed bytes received but not decoded yet.
  var bufferedBytes: Int { pending.count }
  /// Lines handed on (vehicle positions and malformed messages).
  var linesEmitted: Int64 { lines.linesEmitted }

  /// Goes on after `lines` lines, at decompressed offset `offset` (a message boundary of a delimited input).
  func resume(lines count: Int64, offset: Int64) {
    lines.resume(lines: count, csvColumns: nil)
    pendingOffset = offset
    if offset > 0 { layout = .delimited }
  }

  /// Adds bytes; decodes the whole messages they complete once the layout is known.
  func push(_ bytes: UnsafeRawBufferPointer) -> [LineChunk] {
    pending.append(contentsOf: bytes)
    if layout == .undecided, pending.count >= Self.decideEarlyBytes {
      layout = firstMessageIsDelimited(complete: false) ? .delimited : .single
    }
    return layout == .delimited ? decodeDelimited(final: false) : []
  }

  /// At the current end of a live input: decodes what is whole. A single-message input is decoded now, so a file
  /// must be written whole (written under another name, then renamed) before it is followed.
  func flush() -> [LineChunk] {
    guard !pending.isEmpty else { return [] }
    decide()
    return layout == .delimited ? decodeDelimited(final: false) : decodeSingle()
  }

  /// The end of the input: decodes everything; a delimited input's unfinished last message is a malformed reject.
  func finish() -> [LineChunk] {
    guard !pending.isEmpty else { return [] }
    decide()
    let chunks = layout == .delimited ? decodeDelimited(final: true) : decodeSingle()
    // A following input (another file, the next poll) is told apart again.
    layout = .undecided
    return chunks
  }

  private func decide() {
    guard layout == .undecided else { return }
    layout = firstMessageIsDelimited(complete: true) ? .delimited : .single
  }

  /// Reads a varint at `at`; nil when it is unfinished or longer than 10 bytes.
  private static func varint(_ bytes: [UInt8], at start: Int) -> (value: UInt64, end: Int)? {
    var value: UInt64 = 0
    var shift: UInt64 = 0
    var i = start
    while i < bytes.count, i - start < 10 {
      let b = bytes[i]
      value |= UInt64(b & 0x7f) << shift
      i += 1
      if b & 0x80 == 0 { return (value, i) }
      shift += 7
    }
    return nil
  }

  /// Whether the pending bytes start with a length-prefixed FeedMessage; with `complete` (the whole input or all
  /// of it so far is there), every further prefix must also be a varint inside the input, the last one allowed to
  /// announce more than arrived (an input cut short).
  private func firstMessageIsDelimited(complete: Bool) -> Bool {
    guard let (length, start) = Self.varint(pending, at: 0), length > 0, length <= UInt64(pending.count - start),
      let message = try? TransitRealtime_FeedMessage(serializedBytes: Array(pending[start..<(start + Int(length))])),
      !message.header.gtfsRealtimeVersion.isEmpty
    else { return false }
    guard complete else { return true }
    var at = start + Int(length)
    while at < pending.count {
      guard let (next, body) = Self.varint(pending, at: at) else { return false }
      if next > UInt64(pending.count - body) { return true }
      at = body + Int(next)
    }
    return true
  }

  private func decodeSingle() -> [LineChunk] {
    let chunks = decode(pending[...], at: pendingOffset)
    pendingOffset += Int64(pending.count)
    pending = []
    return chunks
  }

  private func decodeDelimited(final: Bool) -> [LineChunk] {
    var chunks: [LineChunk] = []
    var at = 0
    while at < pending.count {
      guard let (length, body) = Self.varint(pending, at: at), length <= UInt64(Self.maxMessageBytes) else {
        if Self.varint(pending, at: at) == nil, pending.count - at < 10, !final { break }
        // The framing itself is broken: nothing after it can be found again.
        chunks += malformed(
          at: pendingOffset + Int64(at),
          "a length prefix that is not a valid message length; the rest of the input "
            + "(\(pending.count - at) bytes) is skipped")
        at = pending.count
        break
      }
      guard UInt64(pending.count - body) >= length else {
        if final {
          chunks += malformed(
            at: pendingOffset + Int64(at),
            "the input ends inside a message (\(length) bytes announced, \(pending.count - body) there)")
          at = pending.count
        }
        break
      }
      let end = body + Int(length)
      chunks += decode(pending[body..<end], at: pendingOffset + Int64(at))
      at = end
    }
    pending.removeFirst(at)
    pendingOffset += Int64(at)
    return chunks
  }

  /// Decodes one message and hands on its new vehicle positions.
  private func decode(_ bytes: ArraySlice<UInt8>, at offset: Int64) -> [LineChunk] {
    let message: TransitRealtime_FeedMessage
    do {
      message = try TransitRealtime_FeedMessage(serializedBytes: Array(bytes))
    } catch {
      return malformed(at: offset, "\(error)")
    }
    state.summary.messages += 1
    var text: [UInt8] = []
    for entity in message.entity {
      state.summary.entities += 1
      guard entity.hasVehicle else {
        state.summary.otherEntities += 1
        continue
      }
      let vp = entity.vehicle
      if vp.hasTimestamp, vp.hasVehicle, vp.vehicle.hasID,
        !state.memory.admit(vehicle: vp.vehicle.id, timestamp: vp.timestamp)
      {
        state.summary.repeatedPositions += 1
        continue
      }
      state.summary.vehiclePositions += 1
      text += VehiclePositionLine.render(vp)
    }
    return emit(text)
  }

  private func malformed(at offset: Int64, _ reason: String) -> [LineChunk] {
    state.summary.malformedMessages += 1
    let line = "gtfs-rt: malformed FeedMessage at byte \(offset) of \(inputName): \(reason)"
    return emit(Array(line.replacingOccurrences(of: "\n", with: " ").utf8) + [10])
  }

  /// Frames the lines and hands every one of them on now.
  private func emit(_ text: [UInt8]) -> [LineChunk] {
    guard !text.isEmpty else { return [] }
    // NDJSON framing never throws (only a CSV header can).
    var chunks = text.withUnsafeBytes { (try? lines.push($0)) ?? [] }
    chunks += (try? lines.flushLines()) ?? []
    return chunks
  }
}
