/// Sample standard deviation (n − 1) with Welford's update, which stays accurate where a sum of squares would
/// cancel; slots merge with Chan's parallel formula.
final class StddevAccumulator: FeatureAccumulator {
  let column: Int
  var n: [Int64] = []
  var mean: [Double] = []
  var m2: [Double] = []

  init(column: Int) { self.column = column }

  func ensureCapacity(_ slots: Int) {
    while n.count < slots {
      n.append(0)
      mean.append(0)
      m2.append(0)
    }
  }

  func reset(_ slot: Int) {
    n[slot] = 0
    mean[slot] = 0
    m2[slot] = 0
  }

  func add(slots: [Int32], events: [Int32], batch: EventBatch) {
    batch.values[column].withUnsafeBufferPointer { values in
      n.withUnsafeMutableBufferPointer { n in
        mean.withUnsafeMutableBufferPointer { mean in
          m2.withUnsafeMutableBufferPointer { m2 in
            for j in 0..<slots.count {
              let v = values[Int(events[j])]
              if v.isNaN { continue }
              let s = Int(slots[j])
              n[s] += 1
              let delta = v - mean[s]
              mean[s] += delta / Double(n[s])
              m2[s] += delta * (v - mean[s])
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
        guard n[k] >= 2 else { return nil }
        return (max(m2[k], 0) / Double(n[k] - 1)).squareRoot()
      })
  }

  func encode(_ slot: Int, into w: inout StateWriter) {
    w.write(n[slot])
    w.write(mean[slot])
    w.write(m2[slot])
  }

  func decode(_ slot: Int, from r: inout StateReader) throws(StateReader.CorruptState) {
    n[slot] = try r.readInt64()
    mean[slot] = try r.readDouble()
    m2[slot] = try r.readDouble()
  }

  /// Merges slot into slot within this accumulator, without a cast per pair.
  func merge(slots from: [Int32], into to: [Int32]) {
    for (f, t) in zip(from, to) {
      mergeState(n: n[Int(f)], mean: mean[Int(f)], m2: m2[Int(f)], into: Int(t))
    }
  }

  func merge(from other: FeatureAccumulator, slot from: Int, into to: Int) {
    let o = other as! StddevAccumulator
    mergeState(n: o.n[from], mean: o.mean[from], m2: o.m2[from], into: to)
  }

  /// Chan et al.'s pairwise combination of (n, mean, M2) states.
  @inline(__always)
  private func mergeState(n nb: Int64, mean meanB: Double, m2 m2B: Double, into to: Int) {
    guard nb > 0 else { return }
    let na = n[to]
    if na == 0 {
      // Into an empty slot (the first slice of a window): a copy, so one slice's window equals the slice exactly.
      n[to] = nb
      mean[to] = meanB
      m2[to] = m2B
      return
    }
    let total = Double(na + nb)
    let delta = meanB - mean[to]
    mean[to] += delta * Double(nb) / total
    m2[to] += m2B + delta * delta * Double(na) * Double(nb) / total
    n[to] = na + nb
  }
}
