import Synchronization

/// Counts down from `n` across queues; exactly one caller sees the count reach zero.
final class Countdown: Sendable {
  private let remaining: Atomic<Int>

  init(_ n: Int) { remaining = Atomic(n) }

  /// Returns true for the call that brings the count to zero.
  func finishOne() -> Bool {
    remaining.subtract(1, ordering: .acquiringAndReleasing).newValue == 0
  }
}
