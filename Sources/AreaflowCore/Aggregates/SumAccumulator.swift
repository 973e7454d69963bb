/// `sum` and `mean` over non-null values: a count and a sum per slot.
final class SumAccumulator: FeatureAccumulator {
  let column: Int
  let mean: Bool
  var n: [Int64] = []
  var sum: [Double] = []
  /// Neumaier compensation: keeps sums exact enough that 1e300 − 1e300 + 7 is 7.
  var compensation: [Double] = []

  init(column: Int, mean: Bool) {
    self.column = column
    self.mean = mean
  }

  func ensureCapacity(_ slots: Int) {
    while n.count < slots {
      n.append(0)
      sum.append(0)
      compensation.append(0)
    }
  }

  func reset(_ slot: Int) {
    n[slot] = 0
    sum[slot] = 0
    compensation[slot] = 0
  }

  func add(slots: [Int32], events: [Int32], batch: EventBatch) {
    // Raw buffers: no exclusivity or uniqueness checks inside the loop.
    batch.values[column].withUnsafeBufferPointer { values in
      n.withUnsafeMutableBufferPointer { n in
        sum.withUnsafeMutableBufferPointer { sum in
          compensation.withUnsafeMutableBufferPointer { c in
            for j in 0..<slots.count {
              let v = values[Int(events[j])]
              if v.isNaN { continue }
              let s = Int(slots[j])
              n[s] += 1
              let t = sum[s] + v
              c[s] += abs(sum[s]) >= abs(v) ? (sum[s] - t) + v : (v - t) + sum[s]
              sum[s] = t
            }
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
        let total = sum[k] + compensation[k]
        return mean ? total / Double(n[k]) : total
      })
  }

  func encode(_ slot: Int, into w: inout StateWriter) {
    w.write(n[slot])
    w.write(sum[slot])
    w.write(compensation[slot])
  }

  func decode(_ slot: Int, from r: inout StateReader) throws(StateReader.CorruptState) {
    n[slot] = try r.readInt64()
    sum[slot] = try r.readDouble()
    compensation[slot] = try r.readDouble()
  }

  /// Merges slot into slot within this accumulator, without a cast per pair.
  func merge(slots from: [Int32], into to: [Int32]) {
    for (f, t) in zip(from, to) {
      mergeState(n: n[Int(f)], sum: sum[Int(f)], compensation: compensation[Int(f)], into: Int(t))
    }
  }

  func merge(from other: FeatureAccumulator, slot from: Int, into to: Int) {
    let o = other as! SumAccumulator
    mergeState(n: o.n[from], sum: o.sum[from], compensation: o.compensation[from], into: to)
  }

  /// Neumaier's compensated addition of another (n, sum, compensation) state.
  @inline(__always)
  private func mergeState(n addN: Int64, sum v: Double, compensation c: Double, into to: Int) {
    n[to] += addN
    let t = sum[to] + v
    compensation[to] += (abs(sum[to]) >= abs(v) ? (sum[to] - t) + v : (v - t) + sum[to]) + c
    sum[to] = t
  }
}
