/// The per-event columns of a chunk being decoded, in plain buffers that grow together.
///
/// Every accepted event adds exactly one entry to each column, so one room check per event covers them all, and
/// the decoder writes row `count` through pointers: no `Array.append` per column, whose uniqueness and capacity
/// checks (twice for the nested value columns) cost more than the write itself. `finish` copies the columns into
/// the batch's arrays, one block copy per column per chunk.
///
/// Owns its buffers: call `deallocate` exactly once, after `finish`.
struct DecodeColumns {
  private(set) var count = 0
  private var capacity: Int
  let valueColumns: Int
  let distinctColumns: Int
  private(set) var times: UnsafeMutablePointer<Int64>
  private(set) var lats: UnsafeMutablePointer<Double>
  private(set) var lons: UnsafeMutablePointer<Double>
  private(set) var dimensionKeys: UnsafeMutablePointer<UInt64>
  private(set) var lineIndex: UnsafeMutablePointer<Int32>
  private(set) var lineStart: UnsafeMutablePointer<Int32>
  private(set) var lineEnd: UnsafeMutablePointer<Int32>
  /// One buffer per `FieldPlan.valueSlots` entry and per `FieldPlan.distinctSlots` entry.
  let values: UnsafeMutablePointer<UnsafeMutablePointer<Double>>
  let distinctHashes: UnsafeMutablePointer<UnsafeMutablePointer<UInt64>>

  init(valueColumns: Int, distinctColumns: Int, capacity: Int) {
    let capacity = max(capacity, 16)
    self.capacity = capacity
    self.valueColumns = valueColumns
    self.distinctColumns = distinctColumns
    times = .allocate(capacity: capacity)
    lats = .allocate(capacity: capacity)
    lons = .allocate(capacity: capacity)
    dimensionKeys = .allocate(capacity: capacity)
    lineIndex = .allocate(capacity: capacity)
    lineStart = .allocate(capacity: capacity)
    lineEnd = .allocate(capacity: capacity)
    values = .allocate(capacity: max(valueColumns, 1))
    for c in 0..<valueColumns { (values + c).initialize(to: .allocate(capacity: capacity)) }
    distinctHashes = .allocate(capacity: max(distinctColumns, 1))
    for c in 0..<distinctColumns { (distinctHashes + c).initialize(to: .allocate(capacity: capacity)) }
  }

  /// Makes sure row `count` can be written.
  @inline(__always)
  mutating func reserveRow() {
    if count == capacity { grow() }
  }

  /// Counts row `count`, every column of which has been written, as an event of the batch.
  @inline(__always)
  mutating func commitRow(lineIndex index: Int32, start: Int32, end: Int32) {
    lineIndex[count] = index
    lineStart[count] = start
    lineEnd[count] = end
    count += 1
  }

  private mutating func grow() {
    let newCapacity = capacity * 2
    func moved<T>(_ p: UnsafeMutablePointer<T>) -> UnsafeMutablePointer<T> {
      let q = UnsafeMutablePointer<T>.allocate(capacity: newCapacity)
      q.moveInitialize(from: p, count: count)
      p.deallocate()
      return q
    }
    times = moved(times)
    lats = moved(lats)
    lons = moved(lons)
    dimensionKeys = moved(dimensionKeys)
    lineIndex = moved(lineIndex)
    lineStart = moved(lineStart)
    lineEnd = moved(lineEnd)
    for c in 0..<valueColumns { values[c] = moved(values[c]) }
    for c in 0..<distinctColumns { distinctHashes[c] = moved(distinctHashes[c]) }
    capacity = newCapacity
  }

  /// Copies the columns into the builder's arrays; `dimensionKeys` stays empty unless the config has dimensions.
  func finish(into b: inout EventBatchBuilder, dimensions: Bool) {
    let count = self.count
    func array<T: BitwiseCopyable>(_ p: UnsafeMutablePointer<T>) -> [T] { [T](blockCopying: p, count: count) }
    b.times = array(times)
    b.lats = array(lats)
    b.lons = array(lons)
    if dimensions { b.dimensionKeys = array(dimensionKeys) }
    b.lineIndex = array(lineIndex)
    b.lineStart = array(lineStart)
    b.lineEnd = array(lineEnd)
    b.values = (0..<valueColumns).map { array(values[$0]) }
    b.distinctHashes = (0..<distinctColumns).map { array(distinctHashes[$0]) }
  }

  func deallocate() {
    times.deallocate()
    lats.deallocate()
    lons.deallocate()
    dimensionKeys.deallocate()
    lineIndex.deallocate()
    lineStart.deallocate()
    lineEnd.deallocate()
    for c in 0..<valueColumns { values[c].deallocate() }
    values.deallocate()
    for c in 0..<distinctColumns { distinctHashes[c].deallocate() }
    distinctHashes.deallocate()
  }
}
