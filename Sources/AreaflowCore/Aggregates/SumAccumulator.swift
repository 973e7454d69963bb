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
    addValues(column: column, slots: slots, events: events, batch: batch) { p, v in
      p.pointee.n += 1
      let sum = p.pointee.sum
      let t = sum + v
      p.pointee.compensation += abs(sum) >= abs(v) ? (sum - t) + v : (v - t) + sum
      p.pointee.sum = t
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

  /// Neumaier's compensated addition of another (n, sum, compensation) state.
  @inline(__always)
  static func merge(_ other: State, into to: UnsafeMutablePointer<State>) {
    let v = other.sum
    to.pointee.n += other.n
    let sum = to.pointee.sum
    let t = sum + v
    to.pointee.compensation += (abs(sum) >= abs(v) ? (sum - t) + v : (v - t) + sum) + other.compensation
    to.pointee.sum = t
  }
}
