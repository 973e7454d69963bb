import AreaflowRuntime
import Logging
import Synchronization

/// The users file in force: read at start, and read again when the file changes or on SIGHUP, so a user or token
/// is added or revoked without a restart. A changed file that cannot be used is logged and the previous list kept.
public final class AccessControl: Sendable {
  let path: String
  private let state: Mutex<(list: AccessList, stamp: FileStamp?)>
  private let logger: Logger

  /// Reads the file once.
  /// - Throws: `AccessList.Problem` naming the file and what to fix.
  public init(path: String, logger: Logger) throws(AccessList.Problem) {
    self.path = path
    self.logger = logger
    state = Mutex((try AccessList.load(path: path), FileStamp.of(path)))
  }

  /// The list requests are checked against now.
  var current: AccessList { state.withLock { $0.list } }

  /// Reads the file again if it changed (or always, when `force`).
  public func reload(force: Bool = false) {
    let stamp = FileStamp.of(path)
    guard force || stamp != state.withLock({ $0.stamp }) else { return }
    do {
      let list = try AccessList.load(path: path)
      state.withLock { $0 = (list, stamp) }
      logger.info(
        "users file reloaded",
        metadata: ["file": "\(path)", "users": "\(list.users.count)", "tokens": "\(list.tokens.count)"])
    } catch {
      state.withLock { $0.stamp = stamp }
      logger.error(
        "the changed users file is unusable; keeping the previous one",
        metadata: ["file": "\(path)", "error": "\(error.description)"])
    }
  }
}
