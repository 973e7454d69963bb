extension RunSummary {
  /// The counters as checkpoint bytes, so a resumed run's `_summary.json` goes on adding up.
  func encode(into w: inout StateWriter) {
    w.write(linesRead)
    w.write(emptyLines)
    w.write(eventsAccepted)
    w.write(rejected.count)
    for n in rejected { w.write(n) }
    for list in [late, outside] {
      w.write(list.count)
      for (name, n) in list {
        w.write(name)
        w.write(n)
      }
    }
    w.write(rowsWritten)
    w.write(files.count)
    for f in files { w.write(f) }
    w.write(inputErrors.count)
    for e in inputErrors { w.write(e) }
    w.write(watermark != nil)
    w.write(watermark ?? 0)
  }

  static func decode(from r: inout StateReader) throws(StateReader.CorruptState) -> RunSummary {
    var s = RunSummary(windows: [], regionSchemes: [])
    s.linesRead = try r.readInt64()
    s.emptyLines = try r.readInt64()
    s.eventsAccepted = try r.readInt64()
    let reasons = try r.readCount(limit: 64)
    // Checkpoints written before a reason was added count fewer; the new ones start at zero.
    guard reasons <= s.rejected.count else {
      throw StateReader.CorruptState(description: "the checkpoint counts \(reasons) reject reasons")
    }
    for i in 0..<reasons { s.rejected[i] = try r.readInt64() }
    var lists: [[(String, Int64)]] = []
    for _ in 0..<2 {
      var list: [(String, Int64)] = []
      for _ in 0..<(try r.readCount(limit: 1 << 16)) { list.append((try r.readString(), try r.readInt64())) }
      lists.append(list)
    }
    s.late = lists[0]
    s.outside = lists[1]
    s.rowsWritten = try r.readInt64()
    for _ in 0..<(try r.readCount()) { s.files.append(try r.readString()) }
    for _ in 0..<(try r.readCount()) { s.inputErrors.append(try r.readString()) }
    let hasWatermark = try r.readBool()
    let watermark = try r.readInt64()
    s.watermark = hasWatermark ? watermark : nil
    return s
  }
}
