import CPrefetch

/// Cache prefetch hints for loops that update or merge slot states in an order unrelated to where the slots lie:
/// the events of a batch reach their groups' slots in arrival order, and a window's merge reads its slices' slots
/// as they were allocated. The loops are too large for the processor to run far enough ahead on its own, so each
/// iteration asks for the state a few iterations later, and its misses overlap instead of queuing. A hint changes
/// no result.
enum Prefetch {
  /// How many iterations ahead the loops ask.
  static let distance = 8

  /// Asks for the cache lines of the record at `p` (those of its first 192 bytes and of its last byte), to be
  /// written.
  @inline(__always)
  static func write<T>(_ p: UnsafeMutablePointer<T>) {
    lines(of: UnsafeRawPointer(p), size: MemoryLayout<T>.size) { areaflow_prefetch_write($0) }
  }

  /// Asks for the cache lines of the record at `p` (as `write` does), to be read.
  @inline(__always)
  static func read<T>(_ p: UnsafePointer<T>) {
    lines(of: UnsafeRawPointer(p), size: MemoryLayout<T>.size) { areaflow_prefetch_read($0) }
  }

  /// Asks for the record, in `base`, of the slot `distance` entries after entry `j` of `slots` (when there is one),
  /// to be written: the form the slot loops use.
  @inline(__always)
  static func write<T>(_ base: UnsafeMutablePointer<T>, slotAfter j: Int, in slots: UnsafeBufferPointer<Int32>) {
    let k = j &+ distance
    if k < slots.count { write(base + Int(slots[k])) }
  }

  /// As `write(_:slotAfter:in:)`, to be read.
  @inline(__always)
  static func read<T>(_ base: UnsafePointer<T>, slotAfter j: Int, in slots: UnsafeBufferPointer<Int32>) {
    let k = j &+ distance
    if k < slots.count { read(base + Int(slots[k])) }
  }

  /// `body` applied to the record, in `base`, of each slot of `slots` in order, asking for the record `distance`
  /// slots on first (to be written, as reading a quantile sorts its values in place): the loop that reads a closing
  /// window's values, whose slots lie where their groups happened to be allocated.
  @inline(__always)
  static func map<T, R>(
    _ base: UnsafeMutablePointer<T>, _ slots: [Int32], _ body: (UnsafeMutablePointer<T>) -> R
  ) -> [R] {
    slots.withUnsafeBufferPointer { s in
      (0..<s.count).map { j in
        write(base, slotAfter: j, in: s)
        return body(base + Int(s[j]))
      }
    }
  }

  /// Calls `hint` with an address in each cache line a record of `size` bytes at `raw` may span (up to 256 bytes).
  @inline(__always)
  private static func lines(of raw: UnsafeRawPointer, size: Int, _ hint: (UnsafeRawPointer) -> Void) {
    hint(raw)
    if size > 64 { hint(raw + 64) }
    if size > 128 { hint(raw + 128) }
    if size > 1 { hint(raw + (size - 1)) }
  }
}
