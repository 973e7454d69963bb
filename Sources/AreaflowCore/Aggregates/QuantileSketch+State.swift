extension QuantileSketch {
  /// Writes the sketch exactly (values or bucket counts), for checkpoints.
  public func encode(into w: inout StateWriter) {
    w.write(count)
    w.write(usesBuckets)
    if !usesBuckets {
      let values = exactValues
      w.write(values.count)
      for v in values { w.write(v) }
      return
    }
    w.write(zeroCount)
    for store in [positive, negative] {
      w.write(store.offset)
      w.write(store.counts.count)
      for c in store.counts { w.write(UInt64(c)) }
    }
  }

  /// Reads a sketch written by `encode`.
  public static func decode(from r: inout StateReader) throws(StateReader.CorruptState) -> QuantileSketch {
    var s = QuantileSketch()
    let count = try r.readUInt64()
    s.usesBuckets = try r.readBool()
    if !s.usesBuckets {
      let n = try r.readCount(limit: exactLimit)
      for _ in 0..<n { s.add(try r.readDouble()) }
      guard s.count == count else {
        throw StateReader.CorruptState(description: "a quantile sketch holds \(n) values but counts \(count)")
      }
      return s
    }
    s.count = count
    s.zeroCount = try r.readUInt64()
    for sign in 0..<2 {
      var store = BucketStore()
      store.offset = Int(try r.readInt64())
      let n = try r.readCount(limit: maxBuckets)
      for _ in 0..<n { store.counts.append(UInt32(truncatingIfNeeded: try r.readUInt64())) }
      if sign == 0 { s.positive = store } else { s.negative = store }
    }
    return s
  }
}
