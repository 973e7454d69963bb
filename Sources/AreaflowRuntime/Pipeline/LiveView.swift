import AreaflowCore
import Synchronization

/// What `run` publishes for the HTTP API: the recent windows as an immutable `RecentWindows` value, replaced whole
/// after each flush, and a feed of committed windows for Server-Sent Events.
///
/// Handlers only take the lock long enough to copy a reference, so reads never wait on, or slow, the pipeline.
public final class LiveView: Sendable {
  public let config: PipelineConfig
  public let schemes: [any AreaScheme]
  private let state: Mutex<RecentWindows>
  private let subscribers = Mutex<[Int: @Sendable (WindowView) -> Void]>([:])
  private let nextSubscriber = Atomic<Int>(0)
  private let problemState = Mutex<String?>(nil)
  /// Inputs that cannot deliver now (an MQTT broker out of reach), by input index.
  private let inputProblems = Mutex<[Int: String]>([:])

  public init(config: PipelineConfig, schemes: [any AreaScheme]) {
    self.config = config
    self.schemes = schemes
    state = Mutex(RecentWindows(windowCount: config.windows.count, retain: config.http.retain))
  }

  /// The windows as of the last flush.
  public func current() -> RecentWindows { state.withLock { $0 } }

  /// Why the pipeline is unhealthy (commits failing, an input that cannot deliver), or nil.
  public var problem: String? {
    if let commits = problemState.withLock({ $0 }) { return commits }
    return inputProblems.withLock { problems in problems.keys.min().flatMap { problems[$0] } }
  }

  func setProblem(_ problem: String?) { problemState.withLock { $0 = problem } }

  func setInputProblem(_ input: Int, _ problem: String?) { inputProblems.withLock { $0[input] = problem } }

  /// Publishes a flush: newly final windows, the open ones, the watermark; then tells every subscriber about each
  /// newly final window, oldest first.
  func publish(final: [WindowView], open: [WindowView], watermark: Int64?) {
    state.withLock { s in
      var next = s
      next.add(final: final)
      next.setOpen(open)
      next.watermark = watermark
      next.generation += 1
      s = next
    }
    let listeners = subscribers.withLock { Array($0.values) }
    for view in final.sorted(by: { ($0.end, $0.window) < ($1.end, $1.window) }) {
      for listener in listeners { listener(view) }
    }
  }

  /// Calls `listener` for every window committed from now on; returns the id to unsubscribe with.
  public func subscribe(_ listener: @escaping @Sendable (WindowView) -> Void) -> Int {
    let id = nextSubscriber.add(1, ordering: .relaxed).newValue
    subscribers.withLock { $0[id] = listener }
    return id
  }

  public func unsubscribe(_ id: Int) { _ = subscribers.withLock { $0.removeValue(forKey: id) } }
}
