/// An accumulator that keeps one plain record per slot in one array (sum and mean, standard deviation, share), so
/// its merge, reset and read loops run over a raw buffer. Growing, emptying and merging slots is the same for all
/// of them but for how two records combine (`merge(_:into:)`).
protocol RecordAccumulator: AnyObject {
  associatedtype State
  /// The record of an empty slot.
  static var empty: State { get }
  var states: [State] { get set }
  /// Adds the record `source` into the record at `target`, as if its values had been added there.
  static func merge(_ source: State, into target: UnsafeMutablePointer<State>)
}

extension RecordAccumulator {
  func ensureCapacity(_ slots: Int) {
    if states.count < slots { states.append(contentsOf: repeatElement(Self.empty, count: slots - states.count)) }
  }

  func reset(_ slot: Int) { states[slot] = Self.empty }

  func reset(slots: [Int32]) {
    states.withUnsafeMutableBufferPointer { s in
      for slot in slots { s[Int(slot)] = Self.empty }
    }
  }

  /// The add loop of the accumulators over one numeric field (sum and mean, standard deviation, share): calls
  /// `update` with each pair's slot record and its event's value in `column`, in order, skipping nulls (NaN), through
  /// raw buffers (no exclusivity or uniqueness checks inside the loop).
  @inline(__always)
  func addValues(
    column: Int, slots: UnsafeBufferPointer<Int32>, events: UnsafeBufferPointer<Int32>, batch: EventBatch,
    _ update: (UnsafeMutablePointer<State>, Double) -> Void
  ) {
    batch.values[column].withUnsafeBufferPointer { values in
      states.withUnsafeMutableBufferPointer { states in
        guard let base = states.baseAddress else { return }
        for j in 0..<slots.count {
          let v = values[Int(events[j])]
          if v.isNaN { continue }
          update(base + Int(slots[j]), v)
        }
      }
    }
  }

  /// Merges slot into slot within this accumulator: one tight loop over the raw buffer.
  func merge(slots from: UnsafeBufferPointer<Int32>, into to: UnsafeBufferPointer<Int32>) {
    states.withUnsafeMutableBufferPointer { states in
      let base = states.baseAddress!
      for j in 0..<from.count {
        Self.merge(base[Int(from[j])], into: base + Int(to[j]))
      }
    }
  }

  func merge(from other: FeatureAccumulator, slot from: Int, into to: Int) {
    let state = (other as! Self).states[from]
    states.withUnsafeMutableBufferPointer { Self.merge(state, into: $0.baseAddress! + to) }
  }
}
