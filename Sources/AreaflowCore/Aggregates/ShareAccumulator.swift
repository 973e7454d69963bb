/// `share`: the fraction of non-null values strictly below (or above) a threshold.
final class ShareAccumulator: FeatureAccumulator, RecordAccumulator {
  static let empty = State()

  /// One slot's state, kept together.
  struct State {
    var n: Int64 = 0
    var hits: Int64 = 0
  }

  let column: Int
  let threshold: Double
  let below: Bool
  var states: [State] = []

  init(column: Int, threshold: Double, below: Bool) {
    self.column = column
    self.threshold = threshold
    self.below = below
  }

  func add(slots: UnsafeBufferPointer<Int32>, events: UnsafeBufferPointer<Int32>, batch: EventBatch) {
    let below = self.below
    let threshold = self.threshold
    addValues(column: column, slots: slots, events: events, batch: batch) { p, v in
      p.pointee.n += 1
      if below ? v < threshold : v > threshold { p.pointee.hits += 1 }
    }
  }

  func values(_ slots: [Int32]) -> ClosedRows.Values {
    states.withUnsafeBufferPointer { states in
      .doubles(
        slots.map { s in
          let state = states[Int(s)]
          guard state.n > 0 else { return nil }
          return Double(state.hits) / Double(state.n)
        })
    }
  }

  func encode(_ slot: Int, into w: inout StateWriter) {
    w.write(states[slot].n)
    w.write(states[slot].hits)
  }

  func decode(_ slot: Int, from r: inout StateReader) throws(StateReader.CorruptState) {
    states[slot].n = try r.readInt64()
    states[slot].hits = try r.readInt64()
  }

  @inline(__always)
  static func merge(_ source: State, into target: UnsafeMutablePointer<State>) {
    target.pointee.n += source.n
    target.pointee.hits += source.hits
  }
}
