/// `share`: the fraction of non-null values strictly below (or above) a threshold.
final class ShareAccumulator: FeatureAccumulator {
  let column: Int
  let threshold: Double
  let below: Bool
  var n: [Int64] = []
  var hits: [Int64] = []

  init(column: Int, threshold: Double, below: Bool) {
    self.column = column
    self.threshold = threshold
    self.below = below
  }

  func ensureCapacity(_ slots: Int) {
    while n.count < slots {
      n.append(0)
      hits.append(0)
    }
  }

  func reset(_ slot: Int) {
    n[slot] = 0
    hits[slot] = 0
  }

  func add(slots: [Int32], events: [Int32], batch: EventBatch) {
    let below = self.below
    let threshold = self.threshold
    batch.values[column].withUnsafeBufferPointer { values in
      n.withUnsafeMutableBufferPointer { n in
        hits.withUnsafeMutableBufferPointer { hits in
          for j in 0..<slots.count {
            let v = values[Int(events[j])]
            if v.isNaN { continue }
            let s = Int(slots[j])
            n[s] += 1
            if below ? v < threshold : v > threshold { hits[s] += 1 }
          }
        }
      }
    }
  }

  func values(_ slots: [Int32]) -> ClosedRows.Values {
    .doubles(
      slots.map { s in
        let k = Int(s)
        guard n[k] > 0 else { return nil }
        return Double(hits[k]) / Double(n[k])
      })
  }

  func encode(_ slot: Int, into w: inout StateWriter) {
    w.write(n[slot])
    w.write(hits[slot])
  }

  func decode(_ slot: Int, from r: inout StateReader) throws(StateReader.CorruptState) {
    n[slot] = try r.readInt64()
    hits[slot] = try r.readInt64()
  }

  /// Merges slot into slot within this accumulator, without a cast per pair.
  func merge(slots from: [Int32], into to: [Int32]) {
    for (f, t) in zip(from, to) {
      n[Int(t)] += n[Int(f)]
      hits[Int(t)] += hits[Int(f)]
    }
  }

  func merge(from other: FeatureAccumulator, slot from: Int, into to: Int) {
    let o = other as! ShareAccumulator
    n[to] += o.n[from]
    hits[to] += o.hits[from]
  }
}
