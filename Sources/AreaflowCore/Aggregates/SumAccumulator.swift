/// `sum` and `mean` over non-null values: a count and a sum per slot.
final class SumAccumulator: FeatureAccumulator {
  let column: Int
  let mean: Bool
  var n: [Int64] = []
  var sum: [Double] = []

  init(column: Int, mean: Bool) {
    self.column = column
    self.mean = mean
  }

  func ensureCapacity(_ slots: Int) {
    while n.count < slots {
      n.append(0)
      sum.append(0)
    }
  }

  func reset(_ slot: Int) {
    n[slot] = 0
    sum[slot] = 0
  }

  func add(slots: [Int32], events: [Int32], batch: EventBatch) {
    batch.values[column].withUnsafeBufferPointer { values in
      for j in 0..<slots.count {
        let v = values[Int(events[j])]
        if v.isNaN { continue }
        let s = Int(slots[j])
        n[s] += 1
        sum[s] += v
      }
    }
  }

  func value(_ slot: Int, count: Int64) -> FeatureValue {
    guard n[slot] > 0 else { return .double(nil) }
    return .double(mean ? sum[slot] / Double(n[slot]) : sum[slot])
  }

  func merge(from other: FeatureAccumulator, slot from: Int, into to: Int) {
    let o = other as! SumAccumulator
    n[to] += o.n[from]
    sum[to] += o.sum[from]
  }
}
