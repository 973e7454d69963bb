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
    batch.values[column].withUnsafeBufferPointer { values in
      for j in 0..<slots.count {
        let v = values[Int(events[j])]
        if v.isNaN { continue }
        let s = Int(slots[j])
        n[s] += 1
        if below ? v < threshold : v > threshold { hits[s] += 1 }
      }
    }
  }

  func value(_ slot: Int, count: Int64) -> FeatureValue {
    guard n[slot] > 0 else { return .double(nil) }
    return .double(Double(hits[slot]) / Double(n[slot]))
  }

  func merge(from other: FeatureAccumulator, slot from: Int, into to: Int) {
    let o = other as! ShareAccumulator
    n[to] += o.n[from]
    hits[to] += o.hits[from]
  }
}
