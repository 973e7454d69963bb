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
    // Raw buffers: no exclusivity or uniqueness checks inside the loop.
    batch.values[column].withUnsafeBufferPointer { values in
      n.withUnsafeMutableBufferPointer { n in
        sum.withUnsafeMutableBufferPointer { sum in
          for j in 0..<slots.count {
            let v = values[Int(events[j])]
            if v.isNaN { continue }
            let s = Int(slots[j])
            n[s] += 1
            sum[s] += v
          }
        }
      }
    }
  }

  func values(_ slots: [Int32]) -> ClosedRows.Values {
    .doubles(slots.map { s in
      let k = Int(s)
      guard n[k] > 0 else { return nil }
      return mean ? sum[k] / Double(n[k]) : sum[k]
    })
  }

  func merge(from other: FeatureAccumulator, slot from: Int, into to: Int) {
    let o = other as! SumAccumulator
    n[to] += o.n[from]
    sum[to] += o.sum[from]
  }
}
