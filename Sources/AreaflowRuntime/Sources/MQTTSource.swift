import AreaflowCore
import Dispatch
import Foundation
import Logging

/// `mqtt://HOST:PORT/TOPIC-FILTER` (and `mqtts://`): subscribes through libmosquitto (`MQTTClient`) and reads
/// every message as one or more lines of the input format (SPEC section 7).
///
/// NDJSON messages are closed with a newline and, with `input.topic_field` / `input.topic_levels`, carry their
/// topic into every object line (`MessageLines`); they then run through one `LineFramer`, so a message's lines are
/// whole lines of one stream, numbered in arrival order. A CSV message is a CSV document of its own: its first line
/// is its header (publishers do not share a stream, and a subscriber may join at any message).
///
/// Used only from the driver's intake queue (hence `@unchecked Sendable` for its delayed hand-on): the client's thread hands each message to that queue synchronously,
/// which is the backpressure (a full pipeline stops the client reading, and the broker holds the rest) and what
/// makes the acknowledgement safe: the message is in the pipeline before libmosquitto sends its PUBACK. Lines are
/// handed on in chunks of up to `--batch-size`, and the rest within `lineDelay`; at a stop (`cancel`) they are
/// handed on too, because the broker has been told they arrived. Nothing can be read again, so the position kept
/// in the checkpoint is only the number of lines taken (line numbers in side records go on across restarts): after
/// a crash, what arrived since the last checkpoint is gone (a persistent session keeps only what was not yet
/// acknowledged).
final class MQTTSource: Source, @unchecked Sendable {
  let index: Int
  let name: String
  let options: MQTTOptions
  private let format: InputConfig.Format
  private let plan: FieldPlan
  private let batchLines: Int
  private let messageLines: MessageLines
  private let logger: Logger
  private var client: MQTTClient!
  // Intake queue state.
  private var context: SourceContext?
  private var framer: LineFramer
  private var scratch: [UInt8] = []
  private var flushScheduled = false
  private var isCancelled = false
  private(set) var errors: [String] = []
  /// CSV: lines numbered so far across messages.
  private var csvLines: Int64 = 0

  /// How long whole lines may wait for more before they are handed on.
  static let lineDelay = DispatchTimeInterval.milliseconds(50)

  struct SetupError: Error, CustomStringConvertible {
    let description: String
  }

  /// Parses the URL and reads the password's environment variable; nothing connects before `start`.
  /// - Parameter positions: the checkpoint's position of this input, whose line count numbering goes on from.
  init(
    index: Int, argument: String, input: InputConfig, plan: FieldPlan, batchLines: Int, positions: [InputPosition],
    logger: Logger, environment: [String: String] = ProcessInfo.processInfo.environment
  ) throws {
    self.index = index
    name = MQTTOptions.displayName(argument)
    do { options = try MQTTOptions(parsing: argument) } catch { throw SetupError(description: error.description) }
    format = input.format
    self.plan = plan
    self.batchLines = batchLines
    messageLines = MessageLines(input)
    self.logger = logger
    framer = LineFramer(input: index, inputName: name, format: format, plan: plan, maxLines: batchLines)
    if let resumed = positions.first(where: { $0.input == index && $0.path == name }) {
      if format == .csv { csvLines = resumed.lines } else { framer.resume(lines: resumed.lines, csvColumns: nil) }
    }
    var password: String?
    if let variable = options.passwordEnvironment {
      guard let value = environment[variable] else {
        throw SetupError(description: "\(name): password_env=\(variable), but the environment has no \(variable)")
      }
      password = value
    }
    client = MQTTClient(
      options: options, name: name, password: password, logger: logger,
      onMessage: { [unowned self] topic, payload in take(topic: topic, payload: payload) },
      onStatus: { [unowned self] status in report(status) })
    do { try client.prepare() } catch { throw SetupError(description: error.description) }
  }

  func start(_ context: SourceContext) {
    self.context = context
    logger.info("subscribing", metadata: ["input": "\(name)", "subscription": "\(options.summary)"])
    context.setProblem("\(name): not connected yet")
    client.start()
  }

  /// On the client's thread: hands the message to the intake queue and waits there until it is taken.
  /// - Returns: false when the source was cancelled (the run is stopping) and the message was not taken.
  private func take(topic: String, payload: UnsafeRawBufferPointer) -> Bool {
    guard let context else { return false }
    return context.queue.sync {
      guard !isCancelled else { return false }
      scratch.removeAll(keepingCapacity: true)
      messageLines.append(payload: payload, topic: topic, to: &scratch)
      if !scratch.isEmpty {
        if format == .csv { frameDocument(topic: topic) } else { frameLines() }
      }
      context.noteData()
      return true
    }
  }

  /// NDJSON: the message's lines join the stream; what does not fill a chunk waits `lineDelay` for more.
  private func frameLines() {
    guard let context else { return }
    let chunks = scratch.withUnsafeBytes { bytes in (try? framer.push(bytes)) ?? [] }
    for chunk in chunks { context.deliver(chunk) }
    guard framer.bufferedBytes > 0, !flushScheduled else { return }
    flushScheduled = true
    context.queue.asyncAfter(deadline: .now() + Self.lineDelay) { [weak self] in
      guard let self, !isCancelled else { return }
      flushScheduled = false
      handOnLines()
    }
  }

  /// CSV: the message is a document with its own header, framed on its own and handed on whole.
  private func frameDocument(topic: String) {
    guard let context else { return }
    var document = LineFramer(input: index, inputName: name, format: format, plan: plan, maxLines: batchLines)
    document.resume(lines: csvLines, csvColumns: nil)
    do {
      let chunks = try scratch.withUnsafeBytes { bytes in try document.push(bytes) + document.finish() }
      for chunk in chunks { context.deliver(chunk) }
    } catch {
      // The records of a message whose header lacks a required column cannot be read at all.
      logger.error(
        "a CSV message cannot be read", metadata: ["input": "\(name)", "topic": "\(topic)", "error": "\(error)"])
      if errors.count < 100 { errors.append("\(name): topic \(topic): \(error)") }
    }
    csvLines = document.linesEmitted
  }

  /// Hands on every whole line held (every line held is whole: each message ends with a newline).
  private func handOnLines() {
    guard let context, format != .csv else { return }
    for chunk in (try? framer.flushLines()) ?? [] { context.deliver(chunk) }
  }

  private func report(_ status: MQTTClient.Status) {
    guard let context else { return }
    switch status {
    case .connected: context.setProblem(nil)
    case .disconnected(let reason): context.setProblem(reason)
    }
  }

  /// Only the lines taken so far: a subscription cannot be read again from a position.
  func positions() -> [InputPosition] {
    [
      InputPosition(
        input: index, path: name, device: 0, inode: 0, fingerprintLength: 0, fingerprint: 0, resumeOffset: 0,
        resumeDecompressed: 0, consumed: 0, lines: format == .csv ? csvLines : framer.linesEmitted, csvColumns: nil)
    ]
  }

  /// An MQTT subscription never ends: `run --once` goes on until it is stopped.
  var isExhausted: Bool { false }

  func finish(deliver: (LineChunk) -> Void) {
    for chunk in (try? framer.flushLines()) ?? [] { deliver(chunk) }
  }

  /// Stops taking messages; the lines already taken are handed on, since the broker was told they arrived.
  func cancel() {
    guard !isCancelled else { return }
    handOnLines()
    isCancelled = true
    client.stop()
  }
}
