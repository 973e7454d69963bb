import AreaflowCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A file, or standard input (`-`), read once from its start to its end: the source of `replay`.
///
/// The file is opened at the first `read`, so a directory of thousands of files holds one descriptor at a time.
/// Faults stop this input only: what came before them is handed on (a last partial line too, to be rejected rather
/// than lost), and the fault is listed in `errors`.
final class FileSource: Source {
  let index: Int
  let entry: InputList.Entry
  var name: String { entry.path }
  static let readSize = 1 << 18
  private let framer: InputFramer
  private var reader: DescriptorReader?
  private var state = State.unopened
  private(set) var errors: [String] = []

  private enum State {
    case unopened, reading, ended
  }

  init(
    index: Int, entry: InputList.Entry, format: InputConfig.Format, plan: FieldPlan, batchLines: Int,
    feedState: FeedState? = nil
  ) {
    self.index = index
    self.entry = entry
    framer = InputFramer(
      input: index, inputName: entry.path, format: format, plan: plan, batchLines: batchLines, feedState: feedState)
  }

  deinit { close() }

  var isExhausted: Bool { state == .ended }

  func read(budget: Int, deliver: (LineChunk) -> Void) -> SourceRead {
    if state == .unopened { open() }
    var total = 0
    while state == .reading, total < budget {
      let offset = framer.offset
      do {
        switch try reader!.read({ try framer.process($0, deliver: deliver) }) {
        case .read(let n): total += n
        case .end: end(deliver: deliver)
        case .wouldBlock: usleep(1000)  // a non-blocking standard input with nothing yet: wait, do not spin
        case .failed(let reason): fail("\(name): read error at byte offset \(offset): \(reason)", deliver: deliver)
        }
      } catch let error as LineFramer.HeaderError {
        // A CSV header without a required field: nothing of this input can be read.
        errors.append(error.description)
        close()
      } catch {
        fail("\(name): \(error)", deliver: deliver)
      }
    }
    return SourceRead(bytes: total, status: state == .ended ? .ended : .more)
  }

  private func open() {
    let fd: Int32 = name == "-" ? 0 : Glibc.open(name, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else {
      errors.append("\(name): cannot open: \(String(cString: strerror(errno)))")
      state = .ended
      return
    }
    reader = DescriptorReader(fd: fd, bufferSize: Self.readSize)
    state = .reading
  }

  private func end(deliver: (LineChunk) -> Void) {
    do {
      try framer.finish(deliver: deliver)
    } catch let error as LineFramer.HeaderError {
      errors.append(error.description)
    } catch {
      errors.append("\(name): \(error)")
    }
    close()
  }

  private func fail(_ message: String, deliver: (LineChunk) -> Void) {
    errors.append(message)
    framer.salvage(deliver: deliver)
    close()
  }

  private func close() {
    if let fd = reader?.fd, fd != 0 { Glibc.close(fd) }
    reader = nil
    state = .ended
  }

  func finish(deliver: (LineChunk) -> Void) {
    while state != .ended { _ = read(budget: Int.max, deliver: deliver) }
  }

  func cancel() { close() }
}
