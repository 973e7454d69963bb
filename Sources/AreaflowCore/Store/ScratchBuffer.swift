/// A growable scratch buffer owned by one window store (slot and event indices of a batch or a merge, the table
/// buckets of a batch's keys), written through its pointer with no uniqueness or bounds checks. Elements are plain
/// values (integers), never initialized or deinitialized.
final class ScratchBuffer<Element: BitwiseCopyable> {
  private(set) var base: UnsafeMutablePointer<Element>
  private(set) var capacity: Int

  init(capacity: Int = 1024) {
    self.capacity = capacity
    base = .allocate(capacity: capacity)
  }

  deinit { base.deallocate() }

  /// Makes room for `n` values; the contents are not kept.
  @inline(__always)
  func reserve(_ n: Int) {
    guard n > capacity else { return }
    base.deallocate()
    capacity = max(n, capacity * 2)
    base = .allocate(capacity: capacity)
  }

  /// The first `n` values.
  @inline(__always)
  func prefix(_ n: Int) -> UnsafeBufferPointer<Element> { UnsafeBufferPointer(start: base, count: n) }
}
