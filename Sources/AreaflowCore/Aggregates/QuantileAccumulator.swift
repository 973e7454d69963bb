/// `quantile`: one `QuantileSketch` per slot. Quantile features of the same field (p50 and p90 of a speed) share
/// one sketch column: the first of them owns it and feeds it, the others only read it.
final class QuantileAccumulator: FeatureAccumulator {
  /// Sketches per slot, shared by every quantile feature of one input field.
  final class SketchColumn {
    var sketches: [QuantileSketch] = []
  }

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
    guard owner else { return }
    while storage.sketches.count < slots { storage.sketches.append(QuantileSketch()) }
  }

  func reset(_ slot: Int) {
    guard owner else { return }
    storage.sketches.withUnsafeMutableBufferPointer { $0[slot].reset() }
  }

  func add(slots: [Int32], events: [Int32], batch: EventBatch) {
    guard owner else { return }
    batch.values[column].withUnsafeBufferPointer { values in
      storage.sketches.withUnsafeMutableBufferPointer { sketches in
        for j in 0..<slots.count {
          let v = values[Int(events[j])]
          if v.isNaN { continue }
          sketches[Int(slots[j])].add(v)
        }
      }
    }
  }

  func values(_ slots: [Int32]) -> ClosedRows.Values {
    let q = self.q
    return storage.sketches.withUnsafeMutableBufferPointer { sketches in
      .doubles(slots.map { sketches[Int($0)].quantileSortingInPlace(q) })
    }
  }

  func encode(_ slot: Int, into w: inout StateWriter) {
    if owner { storage.sketches[slot].encode(into: &w) }
  }

  func decode(_ slot: Int, from r: inout StateReader) throws(StateReader.CorruptState) {
    if owner { storage.sketches[slot] = try QuantileSketch.decode(from: &r) }
  }

  /// Merges through one buffer pointer, borrowing each source sketch instead of copying it.
  func merge(slots from: [Int32], into to: [Int32]) {
    guard owner else { return }
    storage.sketches.withUnsafeMutableBufferPointer { s in
      guard let base = s.baseAddress else { return }
      for (f, t) in zip(from, to) {
        // Small sources (the common case) hand over their inline values or their value array, not a copy of the
        // whole sketch.
        let source = base + Int(f)
        if source.pointee.usesBuckets {
          s[Int(t)].merge(source.pointee)
        } else if source.pointee.count <= UInt64(QuantileSketch.inlineCapacity) {
          s[Int(t)].merge(inline: source.pointee.small, count: Int(source.pointee.count))
        } else {
          s[Int(t)].merge(exactValues: source.pointee.exact)
        }
      }
    }
  }

  func merge(from other: FeatureAccumulator, slot from: Int, into to: Int) {
    guard owner else { return }
    storage.sketches[to].merge((other as! QuantileAccumulator).storage.sketches[from])
  }
}
