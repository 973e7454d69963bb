extension DistinctCounter {
  /// Writes the counter exactly (the hashes while exact, the registers after), for checkpoints.
  public func encode(into w: inout StateWriter) {
    w.write(isEstimating)
    if isEstimating {
      var word: UInt64 = 0
      for (i, r) in registers.enumerated() {
        word |= UInt64(r) << UInt64(8 * (i & 7))
        if i & 7 == 7 {
          w.write(word)
          word = 0
        }
      }
      return
    }
    let values = exactValues
    w.write(values.count)
    for v in values { w.write(v) }
  }

  /// Reads a counter written by `encode`.
  public static func decode(from r: inout StateReader) throws(StateReader.CorruptState) -> DistinctCounter {
    var c = DistinctCounter()
    if try r.readBool() {
      c.registers = []
      c.registers.reserveCapacity(registerCount)
      for _ in 0..<(registerCount / 8) {
        let word = try r.readUInt64()
        for k in 0..<8 { c.registers.append(UInt8(truncatingIfNeeded: word >> UInt64(8 * k))) }
      }
      return c
    }
    let n = try r.readCount(limit: exactLimit)
    for _ in 0..<n { c.add(try r.readUInt64()) }
    return c
  }
}
