/// Sample standard deviation (n − 1) with Welford's update, which stays accurate where a sum of squares would
/// cancel; slots merge with Chan's parallel formula.
final class StddevAccumulator: FeatureAccumulator, RecordAccumulator {
  static let empty = State()

  /// One slot's state, kept together (one cache line per slot touched).
  struct State {
    var n: Int64 = 0
    var mean: Double = 0
    var m2: Double = 0
  }

  let column: Int
  var states: [State] = []

  init(column: Int) { self.column = column }

  func add(slots: UnsafeBufferPointer<Int32>, events: UnsafeBufferPointer<Int32>, batch: EventBatch) {
    addValues(column: column, slots: slots, events: events, batch: batch) { p, v in
      let n = p.pointee.n + 1
      p.pointee.n = n
      let delta = v - p.pointee.mean
      let mean = p.pointee.mean + delta / Double(n)
      p.pointee.mean = mean
      p.pointee.m2 += delta * (v - mean)
    }
  }

  func values(_ slots: [Int32]) -> ClosedRows.Values {
    states.withUnsafeBufferPointer { states in
      .doubles(
        slots.map { s in
          let state = states[Int(s)]
          guard state.n >= 2 else { return nil }
          return (max(state.m2, 0) / Double(state.n - 1)).squareRoot()
        })
    }
  }

  func encode(_ slot: Int, into w: inout StateWriter) {
    let state = states[slot]
    w.write(state.n)
    w.write(state.mean)
    w.write(state.m2)
  }

  func decode(_ slot: Int, from r: inout StateReader) throws(StateReader.CorruptState) {
    states[slot].n = try r.readInt64()
    states[slot].mean = try r.readDouble()
    states[slot].m2 = try r.readDouble()
  }

  /// Chan et al.'s pairwise combination of (n, mean, M2) states.
  @inline(__always)
  static func merge(_ other: State, into to: UnsafeMutablePointer<State>) {
    let nb = other.n
    guard nb > 0 else { return }
    let na = to.pointee.n
    if na == 0 {
      // Into an empty slot (the first slice of a window): a copy, so one slice's window equals the slice exactly.
      to.pointee = other
      return
    }
    let total = Double(na + nb)
    let delta = other.mean - to.pointee.mean
    to.pointee.mean += delta * Double(nb) / total
    to.pointee.m2 += other.m2 + delta * delta * Double(na) * Double(nb) / total
    to.pointee.n = na + nb
  }
}
