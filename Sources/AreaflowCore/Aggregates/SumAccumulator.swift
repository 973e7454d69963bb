/// `sum` and `mean` over non-null values: a count and a sum per slot.
final class SumAccumulator: FeatureAccumulator, RecordAccumulator {
  static let empty = State()

  /// One slot's state, kept together: an update or a merge touches one cache line per slot instead of three.
  struct State {
    var n: Int64 = 0
    var sum: Double = 0
    /// Neumaier compensation: keeps sums exact enough that 1e300 − 1e300 + 7 is 7.
    var compensation: Double = 0
  }

  let column: Int
  let mean: Bool
  var states: [State] = []

  init(column: Int, mean: Bool) {
    self.column = column
    self.mean = mean
  }

  func add(slots: UnsafeBufferPointer<Int32>, events: UnsafeBufferPointer<Int32>, batch: EventBatch) {
    // Raw buffers: no exclusivity or uniqueness checks inside the loop.
    batch.values[column].withUnsafeBufferPointer { values in
      states.withUnsafeMutableBufferPointer { states in
        for j in 0..<slots.count {
          let v = values[Int(events[j])]
          if v.isNaN { continue }
          let p = states.baseAddress! + Int(slots[j])
          p.pointee.n += 1
          let sum = p.pointee.sum
          let t = sum + v
          p.pointee.compensation += abs(sum) >= abs(v) ? (sum - t) + v : (v - t) + sum
          p.pointee.sum = t
        }
      }
    }
  }

  func values(_ slots: [Int32]) -> ClosedRows.Values {
    let mean = self.mean
    return states.withUnsafeBufferPointer { states in
      .doubles(
        slots.map { s in
          let state = states[Int(s)]
          guard state.n > 0 else { return nil }
          let total = state.sum + state.compensation
          return mean ? total / Double(state.n) : total
        })
    }
  }

  func encode(_ slot: Int, into w: inout StateWriter) {
    let state = states[slot]
    w.write(state.n)
    w.write(state.sum)
    w.write(state.compensation)
  }

  func decode(_ slot: Int, from r: inout StateReader) throws(StateReader.CorruptState) {
    states[slot].n = try r.readInt64()
    states[slot].sum = try r.readDouble()
    states[slot].compensation = try r.readDouble()
  }

  /// Merges slot into slot within this accumulator: one tight loop over raw buffers.
  func merge(slots from: UnsafeBufferPointer<Int32>, into to: UnsafeBufferPointer<Int32>) {
    states.withUnsafeMutableBufferPointer { states in
      let base = states.baseAddress!
      for j in 0..<from.count {
        Self.mergeState(base[Int(from[j])], into: base + Int(to[j]))
      }
    }
  }

  func merge(from other: FeatureAccumulator, slot from: Int, into to: Int) {
    let state = (other as! SumAccumulator).states[from]
    states.withUnsafeMutableBufferPointer { Self.mergeState(state, into: $0.baseAddress! + to) }
  }

  /// Neumaier's compensated addition of another (n, sum, compensation) state.
  @inline(__always)
  private static func mergeState(_ other: State, into to: UnsafeMutablePointer<State>) {
    let v = other.sum
    to.pointee.n += other.n
    let sum = to.pointee.sum
    let t = sum + v
    to.pointee.compensation += (abs(sum) >= abs(v) ? (sum - t) + v : (v - t) + sum) + other.compensation
    to.pointee.sum = t
  }
}
