/// `quantile`: one `QuantileSketch` per slot. Quantile features of the same field (p50 and p90 of a speed) share
/// one sketch column: the first of them owns it and feeds it, the others only read it.
final class QuantileAccumulator: FeatureAccumulator {
  /// Sketches per slot, shared by every quantile feature of one input field.
  final class SketchColumn {
    var sketches: [QuantileSketch] = []
    /// Emptied value buffers of reset slots (merged windows past `inlineCapacity` values), handed to the next
    /// sketches that need one: a window's merge then allocates no buffer per group.
    var spareBuffers: [[Double]] = []
    /// Bucket indices of recent values, for merges into bucketed sketches (the shard's queue owns the column).
    let indexCache = BucketIndexCache()
  }

  /// Spare value buffers kept per column (512 bytes each).
  static let spareBufferLimit = 1024

  let column: Int
  let q: Double
  let storage: SketchColumn
  /// Whether this accumulator maintains the shared column (adds, resets, merges, checkpoints it).
  let owner: Bool

  init(column: Int, q: Double, sharing: QuantileAccumulator? = nil) {
    self.column = column
    self.q = q
    self.storage = sharing?.storage ?? SketchColumn()
    self.owner = sharing == nil
  }

  func ensureCapacity(_ slots: Int) {
    guard owner, storage.sketches.count < slots else { return }
    storage.sketches.append(contentsOf: repeatElement(QuantileSketch(), count: slots - storage.sketches.count))
  }

  func reset(_ slot: Int) {
    guard owner else { return }
    storage.sketches.withUnsafeMutableBufferPointer { $0[slot].reset() }
  }

  func reset(slots: [Int32]) {
    guard owner else { return }
    let storage = self.storage
    var spare = storage.spareBuffers
    storage.spareBuffers = []
    storage.sketches.withUnsafeMutableBufferPointer { s in
      for slot in slots {
        let sketch = s.baseAddress! + Int(slot)
        if sketch.pointee.exact.count == QuantileSketch.exactLimit && spare.count < Self.spareBufferLimit {
          spare.append(sketch.pointee.exact)
          sketch.pointee.exact = []
        }
        sketch.pointee.reset()
      }
    }
    storage.spareBuffers = spare
  }

  func add(slots: UnsafeBufferPointer<Int32>, events: UnsafeBufferPointer<Int32>, batch: EventBatch) {
    guard owner else { return }
    batch.values[column].withUnsafeBufferPointer { values in
      storage.sketches.withUnsafeMutableBufferPointer { sketches in
        let base = sketches.baseAddress!
        for j in 0..<slots.count {
          Prefetch.write(base, slotAfter: j, in: slots)
          let v = values[Int(events[j])]
          if v.isNaN { continue }
          base[Int(slots[j])].add(v)
        }
      }
    }
  }

  func values(_ slots: [Int32]) -> ClosedRows.Values {
    let q = self.q
    return storage.sketches.withUnsafeMutableBufferPointer { sketches in
      guard let base = sketches.baseAddress else { return .doubles([]) }
      return .doubles(Prefetch.map(base, slots) { $0.pointee.quantileSortingInPlace(q) })
    }
  }

  func encode(_ slot: Int, into w: inout StateWriter) {
    if owner { storage.sketches[slot].encode(into: &w) }
  }

  func decode(_ slot: Int, from r: inout StateReader) throws(StateReader.CorruptState) {
    if owner { storage.sketches[slot] = try QuantileSketch.decode(from: &r) }
  }

  /// Merges through one buffer pointer, reading each source sketch in place: a small source's values are copied
  /// from its slot (inline lanes or value buffer) into the target's, with no copy of the sketch.
  func merge(slots from: UnsafeBufferPointer<Int32>, into to: UnsafeBufferPointer<Int32>) {
    guard owner else { return }
    let storage = self.storage
    var spare = storage.spareBuffers
    storage.spareBuffers = []
    defer { storage.spareBuffers = spare }
    let cache = storage.indexCache
    storage.sketches.withUnsafeMutableBufferPointer { s in
      guard let base = s.baseAddress else { return }
      for j in 0..<from.count {
        Prefetch.read(base, slotAfter: j, in: from)
        Prefetch.write(base, slotAfter: j, in: to)
        let source = base + Int(from[j])
        let target = base + Int(to[j])
        let n = Int(source.pointee.count)
        if n == 0 { continue }
        if !spare.isEmpty && target.pointee.needsHeapBuffer(adding: n) { target.pointee.exact = spare.removeLast() }
        if source.pointee.usesBuckets {
          target.pointee.merge(buckets: source.pointee, cache: cache)
        } else if n <= QuantileSketch.inlineCapacity {
          withUnsafeBytes(of: &source.pointee.small) { raw in
            target.pointee.merge(
              values: raw.baseAddress!.assumingMemoryBound(to: Double.self), count: n, cache: cache)
          }
        } else {
          source.pointee.exact.withUnsafeBufferPointer {
            target.pointee.merge(values: $0.baseAddress!, count: n, cache: cache)
          }
        }
      }
    }
  }

  func merge(from other: FeatureAccumulator, slot from: Int, into to: Int) {
    guard owner else { return }
    storage.sketches[to].merge((other as! QuantileAccumulator).storage.sketches[from])
  }
}
