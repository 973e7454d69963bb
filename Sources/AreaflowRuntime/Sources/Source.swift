import AreaflowCore
import Dispatch

/// One way in: a file, a followed file or directory, standard input, a TCP listener, an MQTT subscription, and later
/// Kafka.
///
/// A source turns what it reads into `LineChunk`s of whole lines (through an `InputFramer`) and knows where a
/// restart can go on from. The drivers treat every source alike: replay reads each source to its end in command-line
/// order and commits at the end; `run` starts them all, polls the polled ones on a timer, and commits on its flush
/// timer with the sources' positions in the checkpoint. Adding a source is one type implementing this protocol.
///
/// Used only from the driver's intake queue, which the drivers assert where they call in: every call comes from it, and
/// a source that reads by itself (a socket, a thread on standard input) hands its chunks on from it too.
protocol Source: AnyObject {
  /// The input's place on the command line: its arrival order and its watermark input.
  var index: Int { get }
  /// What it is called in logs and errors (a path, `-`, `tcp://HOST:PORT`).
  var name: String { get }
  /// Begins reading. A source told of new data by the system (a socket, standard input) reads by itself from here
  /// on; a polled source does nothing until `read`.
  func start(_ context: SourceContext)
  /// Reads what is there now, `budget` raw bytes at most, handing the chunks it completes to `deliver`.
  func read(budget: Int, deliver: (LineChunk) -> Void) -> SourceRead
  /// Nothing more will come without someone writing more: the end of `run --once`.
  var isExhausted: Bool { get }
  /// The end of the input (replay, `run --once`): hands on what is left, a last unterminated line included.
  func finish(deliver: (LineChunk) -> Void)
  /// Where a restart goes on; empty for a stream that cannot be read again.
  func positions() -> [InputPosition]
  /// Faults met so far, one line each, for the summary and the exit status.
  var errors: [String] { get }
  /// Stops reading without handing anything on (shutdown: a partial line is not a line).
  func cancel()
  /// A checkpoint holding `positions` (every source's) is committed: a source that also records its progress
  /// elsewhere (a Kafka consumer group) does it now, so that record never runs ahead of the checkpoint.
  func checkpointCommitted(_ positions: [InputPosition])
}

/// What `start` gives a source that reads by itself.
struct SourceContext {
  /// The intake queue every source call and every delivery happens on.
  let queue: DispatchQueue
  /// Takes a chunk on (and blocks while the stages are full: that is the backpressure).
  let deliver: (LineChunk) -> Void
  /// Told when bytes arrived, for the idle clock.
  let noteData: () -> Void
  /// Told when the source has ended by itself (standard input closed).
  let ended: () -> Void
  /// Inputs of a source that has several (a Kafka partition each) joining (`active`) or leaving (`inactive`) the
  /// watermark: a partition assigned to this consumer counts from now on, a revoked one no longer holds it back.
  var inputs: (_ active: [Int], _ inactive: [Int]) -> Void = { _, _ in }
  /// Commits a checkpoint now, before partitions are released to another consumer; false when it failed.
  var commit: () -> Bool = { false }
  /// Told why the input cannot deliver now (a broker out of reach), or nil once it can again: `/healthz` answers
  /// 503 with the reason meanwhile. May be called from any thread.
  var setProblem: (String?) -> Void = { _ in }
}

/// What one `read` did.
struct SourceRead: Equatable {
  /// Where the source stands after the read.
  enum Status: Equatable {
    /// The budget ran out and more is waiting.
    case more
    /// Read to the current end; more may come later (a followed file, a source that reads by itself).
    case caughtUp
    /// Read to the end for good (a finite input in replay).
    case ended
  }

  var bytes: Int
  var status: Status
}

extension Source {
  func start(_ context: SourceContext) {}
  func read(budget: Int, deliver: (LineChunk) -> Void) -> SourceRead { SourceRead(bytes: 0, status: .caughtUp) }
  func finish(deliver: (LineChunk) -> Void) {}
  func positions() -> [InputPosition] { [] }
  var errors: [String] { [] }
  func cancel() {}
  func checkpointCommitted(_ positions: [InputPosition]) {}
}
