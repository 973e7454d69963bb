import AreaflowCore
import Dispatch
import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A stream that cannot be reread — standard input or one TCP client — read when its descriptor is readable
/// (a `DispatchSource` read source on the intake queue) and framed into lines.
///
/// While the pipeline is full, `deliver` blocks the intake queue, so the source does not fire and the kernel's
/// buffers fill: a TCP sender is slowed by flow control instead of areaflow's memory growing.
final class StreamConnection: @unchecked Sendable {
  let input: Int
  let name: String
  let fd: Int32
  private let framer: InputFramer
  private var reader: DescriptorReader
  private var source: DispatchSourceRead?
  private(set) var isClosed = false

  init(fd: Int32, input: Int, name: String, format: InputConfig.Format, plan: FieldPlan, batchLines: Int) {
    self.fd = fd
    self.input = input
    self.name = name
    framer = InputFramer(input: input, inputName: name, format: format, plan: plan, batchLines: batchLines)
    reader = DescriptorReader(fd: fd, bufferSize: 1 << 16)
    let flags = fcntl(fd, F_GETFL)
    _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
  }

  /// Starts reading on `queue`; `onData` is told how many bytes arrived, `onClose` when the stream ended.
  func start(
    queue: DispatchQueue, budget: Int, deliver: @escaping (LineChunk) -> Void, onData: @escaping (Int) -> Void,
    onClose: @escaping (StreamConnection, String?) -> Void
  ) {
    let source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: queue)
    source.setEventHandler { [unowned self] in
      let (n, ended, error) = readAvailable(budget: budget, deliver: deliver)
      if n > 0 { onData(n) }
      if ended {
        close(deliver: deliver)
        onClose(self, error)
      }
    }
    self.source = source
    source.resume()
  }

  /// Reads standard input with blocking reads on a thread of its own, handing each read to `queue` synchronously
  /// (which is the backpressure). A read source on a pipe's descriptor can crash libdispatch on Linux at hang-up, so
  /// stdin does not use one.
  func startBlocking(
    queue: DispatchQueue, deliver: @escaping (LineChunk) -> Void, onData: @escaping (Int) -> Void,
    onClose: @escaping (StreamConnection, String?) -> Void
  ) {
    _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
    // The callbacks run only inside `queue.sync`, on the queue that owns them.
    let callbacks = QueueConfined((deliver, onData, onClose))
    let thread = Thread { [self] in
      let (deliver, onData, onClose) = callbacks.value
      var blocking = DescriptorReader(fd: fd, bufferSize: 1 << 16)
      while true {
        var chunk: [UInt8] = []
        let outcome = blocking.read { chunk = Array($0) }
        let done: Bool = queue.sync {
          if isClosed { return true }
          if case .read(let n) = outcome {
            if let failure = chunk.withUnsafeBytes({ consume($0, deliver: deliver) }) {
              close(deliver: deliver)
              onClose(self, failure)
              return true
            }
            try? framer.flushLines(deliver: deliver)
            onData(n)
            return false
          }
          close(deliver: deliver)
          if case .failed(let reason) = outcome { onClose(self, "read error: \(reason)") } else { onClose(self, nil) }
          return true
        }
        if done { return }
      }
    }
    thread.name = "areaflow.stdin"
    thread.start()
  }

  /// Decodes and frames one read; returns an error message when the data is corrupt.
  private func consume(_ bytes: UnsafeRawBufferPointer, deliver: (LineChunk) -> Void) -> String? {
    do {
      try framer.process(bytes, deliver: deliver)
    } catch {
      return "\(error)"
    }
    return nil
  }

  /// Reads what is there without blocking.
  private func readAvailable(budget: Int, deliver: (LineChunk) -> Void) -> (Int, ended: Bool, error: String?) {
    var total = 0
    while total < budget {
      var failure: String?
      switch reader.read({ failure = consume($0, deliver: deliver) }) {
      case .read(let n):
        if let failure { return (total + n, true, failure) }
        total += n
      case .wouldBlock:
        try? framer.flushLines(deliver: deliver)
        return (total, false, nil)
      case .end:
        return (total, true, nil)
      case .failed(let reason):
        return (total, true, "read error: \(reason)")
      }
    }
    try? framer.flushLines(deliver: deliver)
    return (total, false, nil)
  }

  /// Stops reading and hands on a last unterminated line.
  func close(deliver: (LineChunk) -> Void) {
    guard !isClosed else { return }
    isClosed = true
    source?.cancel()
    source = nil
    framer.salvage(deliver: deliver)
    if fd != 0 { Glibc.close(fd) }
  }

  /// Stops reading without handing anything on (shutdown: a partial line is not a line).
  func cancel() {
    guard !isClosed else { return }
    isClosed = true
    source?.cancel()
    source = nil
    if fd != 0 { Glibc.close(fd) }
  }
}

/// Values handed to another thread that only ever uses them inside `sync` on the queue that owns them.
private struct QueueConfined<T>: @unchecked Sendable {
  let value: T
  init(_ value: T) { self.value = value }
}
