import Synchronization

/// Rendered answers of unfiltered `/v1/aggregates` queries, reused until the next flush publishes new windows: a
/// dashboard polling the latest window costs one rendering per flush, not one per request.
final class ResponseCache: Sendable {
  private struct State {
    var generation = -1
    var entries: [String: [UInt8]] = [:]
  }
  private let state = Mutex(State())
  static let maxEntries = 512

  /// The cached answer for `key` in `generation`, or `render()`'s, kept for later.
  func answer(generation: Int, key: String, render: () throws(APIError) -> [UInt8]) throws(APIError) -> [UInt8] {
    if let hit = state.withLock({ $0.generation == generation ? $0.entries[key] : nil }) { return hit }
    let bytes = try render()
    state.withLock { s in
      if s.generation != generation {
        guard generation > s.generation else { return }
        s = State(generation: generation, entries: [:])
      }
      if s.entries.count < Self.maxEntries { s.entries[key] = bytes }
    }
    return bytes
  }
}
