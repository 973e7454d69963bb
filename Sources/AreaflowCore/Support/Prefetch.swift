import CPrefetch

/// Cache prefetch hints for loops that update or merge slot states in an order unrelated to where the slots lie:
/// the events of a batch reach their groups' slots in arrival order, and a window's merge reads its slices' slots
/// as they were allocated. The loops are too large for the processor to run far enough ahead on its own, so each
/// iteration asks for the state a few iterations later, and its misses overlap instead of queuing. A hint changes
/// no result.
enum Prefetch {
  /// How many iterations ahead the loops ask.
  static let distance = 8

  /// Asks for the cache lines of the record at `p` (the lines of its first 192 bytes and of its last byte), to be written.
  @inline(__always)
  static func write<T>(_ p: UnsafeMutablePointer<T>) {
    let raw = UnsafeRawPointer(p)
    let size = MemoryLayout<T>.size
    areaflow_prefetch_write(raw)
    if size > 64 { areaflow_prefetch_write(raw + 64) }
    if size > 128 { areaflow_prefetch_write(raw + 128) }
    if size > 1 { areaflow_prefetch_write(raw + (size - 1)) }
  }

  /// Asks for the cache lines of the record at `p` (the lines of its first 192 bytes and of its last byte), to be read.
  @inline(__always)
  static func read<T>(_ p: UnsafePointer<T>) {
    let raw = UnsafeRawPointer(p)
    let size = MemoryLayout<T>.size
    areaflow_prefetch_read(raw)
    if size > 64 { areaflow_prefetch_read(raw + 64) }
    if size > 128 { areaflow_prefetch_read(raw + 128) }
    if size > 1 { areaflow_prefetch_read(raw + (size - 1)) }
  }
}
