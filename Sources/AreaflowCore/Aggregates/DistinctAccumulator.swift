/// `distinct`: one `DistinctCounter` per slot over the hashed values of a field.
final class DistinctAccumulator: FeatureAccumulator {
  let column: Int
  var counters: [DistinctCounter] = []

  init(column: Int) { self.column = column }

  func ensureCapacity(_ slots: Int) {
    while counters.count < slots { counters.append(DistinctCounter()) }
  }

  func reset(_ slot: Int) {
    counters.withUnsafeMutableBufferPointer { $0[slot].reset() }
  }

  func add(slots: [Int32], events: [Int32], batch: EventBatch) {
    batch.distinctHashes[column].withUnsafeBufferPointer { hashes in
      counters.withUnsafeMutableBufferPointer { counters in
        for j in 0..<slots.count {
          let h = hashes[Int(events[j])]
          if h == 0 { continue }
          counters[Int(slots[j])].add(h)
        }
      }
    }
  }

  func values(_ slots: [Int32]) -> ClosedRows.Values {
    counters.withUnsafeMutableBufferPointer { counters in
      .integers(slots.map { counters[Int($0)].estimate })
    }
  }

  func encode(_ slot: Int, into w: inout StateWriter) { counters[slot].encode(into: &w) }

  func decode(_ slot: Int, from r: inout StateReader) throws(StateReader.CorruptState) {
    counters[slot] = try DistinctCounter.decode(from: &r)
  }

  /// Merges through one buffer pointer, borrowing each source counter instead of copying it.
  func merge(slots from: [Int32], into to: [Int32]) {
    counters.withUnsafeMutableBufferPointer { c in
      for (f, t) in zip(from, to) { c[Int(t)].merge(c[Int(f)]) }
    }
  }

  func merge(from other: FeatureAccumulator, slot from: Int, into to: Int) {
    counters[to].merge((other as! DistinctAccumulator).counters[from])
  }
}
