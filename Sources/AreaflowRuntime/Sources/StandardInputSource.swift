import AreaflowCore
import Logging

/// Standard input (`-`) in `run`: a stream that cannot be read again, read by a thread of its own as it comes.
///
/// Used only from the driver's intake queue: the reading thread hands each read to that queue synchronously.
final class StandardInputSource: Source {
  let index: Int
  let name = "-"
  private let connection: StreamConnection
  private let logger: Logger
  private(set) var errors: [String] = []

  init(index: Int, format: InputConfig.Format, plan: FieldPlan, batchLines: Int, logger: Logger) {
    self.index = index
    self.logger = logger
    connection = StreamConnection(fd: 0, input: index, name: "-", format: format, plan: plan, batchLines: batchLines)
  }

  func start(_ context: SourceContext) {
    connection.startBlocking(
      queue: context.queue, deliver: context.deliver, onData: { _ in context.noteData() },
      onClose: { [unowned self] _, error in
        if let error {
          logger.error("standard input failed", metadata: ["error": "\(error)"])
          errors.append("-: \(error)")
        }
        logger.info("standard input ended")
        context.ended()
      })
  }

  var isExhausted: Bool { connection.isClosed }

  func cancel() { connection.cancel() }
}
