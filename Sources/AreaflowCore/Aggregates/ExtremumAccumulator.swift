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
    while best.count < slots { best.append(.nan) }
  }

  func reset(_ slot: Int) { best[slot] = .nan }

  func add(slots: [Int32], events: [Int32], batch: EventBatch) {
    let isMax = self.isMax
    batch.values[column].withUnsafeBufferPointer { values in
      best.withUnsafeMutableBufferPointer { best in
        for j in 0..<slots.count {
          let v = values[Int(events[j])]
          if v.isNaN { continue }
          let s = Int(slots[j])
          let b = best[s]
          if b.isNaN || (isMax ? v > b : v < b) { best[s] = v }
        }
      }
    }
  }

  func values(_ slots: [Int32]) -> ClosedRows.Values {
    .doubles(slots.map { s in best[Int(s)].isNaN ? nil : best[Int(s)] })
  }

  func encode(_ slot: Int, into w: inout StateWriter) { w.write(best[slot]) }

  func decode(_ slot: Int, from r: inout StateReader) throws(StateReader.CorruptState) {
    best[slot] = try r.readDouble()
  }

  /// Merges slot into slot within this accumulator, without a cast per pair.
  func merge(slots from: [Int32], into to: [Int32]) {
    for (f, t) in zip(from, to) { mergeValue(best[Int(f)], into: Int(t)) }
  }

  func merge(from other: FeatureAccumulator, slot from: Int, into to: Int) {
    mergeValue((other as! ExtremumAccumulator).best[from], into: to)
  }

  /// Keeps the better of `v` and slot `to`'s value (NaN is "none").
  @inline(__always)
  private func mergeValue(_ v: Double, into to: Int) {
    if v.isNaN { return }
    let b = best[to]
    if b.isNaN || (isMax ? v > b : v < b) { best[to] = v }
  }
}
