/// `min` or `max` over non-null values; NaN marks a slot that has seen none.
final class ExtremumAccumulator: FeatureAccumulator {
  let column: Int
  let isMax: Bool
  var best: [Double] = []

  init(column: Int, isMax: Bool) {
    self.column = column
    self.isMax = isMax
  }

  func ensureCapacity(_ slots: Int) {
    if best.count < slots { best.append(contentsOf: repeatElement(.nan, count: slots - best.count)) }
  }

  func reset(_ slot: Int) { best[slot] = .nan }

  func reset(slots: [Int32]) {
    best.withUnsafeMutableBufferPointer { b in
      for slot in slots { b[Int(slot)] = .nan }
    }
  }

  func add(slots: UnsafeBufferPointer<Int32>, events: UnsafeBufferPointer<Int32>, batch: EventBatch) {
    let isMax = self.isMax
    batch.values[column].withUnsafeBufferPointer { values in
      best.withUnsafeMutableBufferPointer { best in
        for j in 0..<slots.count {
          let v = values[Int(events[j])]
          let s = Int(slots[j])
          if Self.isBetter(v, than: best[s], isMax: isMax) { best[s] = v }
        }
      }
    }
  }

  func values(_ slots: [Int32]) -> ClosedRows.Values {
    best.withUnsafeBufferPointer { best in
      .doubles(
        slots.map { s in
          let b = best[Int(s)]
          return b.isNaN ? nil : b
        })
    }
  }

  func encode(_ slot: Int, into w: inout StateWriter) { w.write(best[slot]) }

  func decode(_ slot: Int, from r: inout StateReader) throws(StateReader.CorruptState) {
    best[slot] = try r.readDouble()
  }

  /// Merges slot into slot within this accumulator: one tight loop over raw buffers.
  func merge(slots from: UnsafeBufferPointer<Int32>, into to: UnsafeBufferPointer<Int32>) {
    let isMax = self.isMax
    best.withUnsafeMutableBufferPointer { best in
      for j in 0..<from.count {
        let v = best[Int(from[j])]
        let t = Int(to[j])
        if Self.isBetter(v, than: best[t], isMax: isMax) { best[t] = v }
      }
    }
  }

  func merge(from other: FeatureAccumulator, slot from: Int, into to: Int) {
    let v = (other as! ExtremumAccumulator).best[from]
    if Self.isBetter(v, than: best[to], isMax: isMax) { best[to] = v }
  }

  /// Whether `v` replaces the slot's value `b` (NaN is "none": a NaN `v` never does, any value replaces a NaN `b`).
  @inline(__always)
  static func isBetter(_ v: Double, than b: Double, isMax: Bool) -> Bool {
    !v.isNaN && (b.isNaN || (isMax ? v > b : v < b))
  }
}
