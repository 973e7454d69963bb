/// `distinct`: one `DistinctCounter` per slot over the hashed values of a field.
final class DistinctAccumulator: FeatureAccumulator {
  let column: Int
  var counters: [DistinctCounter] = []

  init(column: Int) { self.column = column }

  func ensureCapacity(_ slots: Int) {
    if counters.count < slots {
      counters.append(contentsOf: repeatElement(DistinctCounter(), count: slots - counters.count))
    }
  }

  func reset(_ slot: Int) {
    counters.withUnsafeMutableBufferPointer { $0[slot].reset() }
  }

  func reset(slots: [Int32]) {
    counters.withUnsafeMutableBufferPointer { c in
      for slot in slots { c[Int(slot)].reset() }
    }
  }

  /// Whether the counter of `slot` holds at least `k` values (exactly: past its exact limit it holds more than
  /// 256), read in place.
  @inline(__always)
  func reaches(_ k: Int, slot: Int32) -> Bool {
    counters.withUnsafeBufferPointer { c in
      let counter = c.baseAddress! + Int(slot)
      return counter.pointee.isEstimating || counter.pointee.exactCount >= k
    }
  }

  func add(slots: UnsafeBufferPointer<Int32>, events: UnsafeBufferPointer<Int32>, batch: EventBatch) {
    batch.distinctHashes[column].withUnsafeBufferPointer { hashes in
      counters.withUnsafeMutableBufferPointer { counters in
        let base = counters.baseAddress!
        for j in 0..<slots.count {
          Prefetch.write(base, slotAfter: j, in: slots)
          let h = hashes[Int(events[j])]
          if h == 0 { continue }
          base[Int(slots[j])].add(h)
        }
      }
    }
  }

  func values(_ slots: [Int32]) -> ClosedRows.Values {
    counters.withUnsafeMutableBufferPointer { counters in
      guard let base = counters.baseAddress else { return .integers([]) }
      return .integers(Prefetch.map(base, slots) { $0.pointee.estimate })
    }
  }

  func encode(_ slot: Int, into w: inout StateWriter) { counters[slot].encode(into: &w) }

  func decode(_ slot: Int, from r: inout StateReader) throws(StateReader.CorruptState) {
    counters[slot] = try DistinctCounter.decode(from: &r)
  }

  /// Merges through one buffer pointer, reading each source counter in place (`DistinctCounter.merge(at:)`).
  func merge(slots from: UnsafeBufferPointer<Int32>, into to: UnsafeBufferPointer<Int32>) {
    counters.withUnsafeMutableBufferPointer { c in
      let base = c.baseAddress!
      for j in 0..<from.count {
        Prefetch.read(base, slotAfter: j, in: from)
        Prefetch.write(base, slotAfter: j, in: to)
        (base + Int(to[j])).pointee.merge(at: base + Int(from[j]))
      }
    }
  }

  func merge(from other: FeatureAccumulator, slot from: Int, into to: Int) {
    counters[to].merge((other as! DistinctAccumulator).counters[from])
  }
}
