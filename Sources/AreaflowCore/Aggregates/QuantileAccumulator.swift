/// `quantile`: one `QuantileSketch` per slot.
final class QuantileAccumulator: FeatureAccumulator {
  let column: Int
  let q: Double
  var sketches: [QuantileSketch] = []

  init(column: Int, q: Double) {
    self.column = column
    self.q = q
  }

  func ensureCapacity(_ slots: Int) {
    while sketches.count < slots { sketches.append(QuantileSketch()) }
  }

  func reset(_ slot: Int) {
    sketches.withUnsafeMutableBufferPointer { $0[slot].reset() }
  }

  func add(slots: [Int32], events: [Int32], batch: EventBatch) {
    batch.values[column].withUnsafeBufferPointer { values in
      sketches.withUnsafeMutableBufferPointer { sketches in
        for j in 0..<slots.count {
          let v = values[Int(events[j])]
          if v.isNaN { continue }
          sketches[Int(slots[j])].add(v)
        }
      }
    }
  }

  func values(_ slots: [Int32]) -> ClosedRows.Values {
    let q = self.q
    return sketches.withUnsafeMutableBufferPointer { sketches in
      .doubles(slots.map { sketches[Int($0)].quantile(q) })
    }
  }

  func encode(_ slot: Int, into w: inout StateWriter) { sketches[slot].encode(into: &w) }

  func decode(_ slot: Int, from r: inout StateReader) throws(StateReader.CorruptState) {
    sketches[slot] = try QuantileSketch.decode(from: &r)
  }

  func merge(from other: FeatureAccumulator, slot from: Int, into to: Int) {
    sketches[to].merge((other as! QuantileAccumulator).sketches[from])
  }
}
