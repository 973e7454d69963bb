/// The keys of the previous NDJSON line, in order, with the slot each maps to: feeds write every line with the same
/// keys in the same order, so the scanner checks the predicted key's bytes in one short compare instead of scanning
/// the key string and searching the config's field names.
///
/// A line whose key differs from the prediction at some position takes the full path from there on and becomes
/// the prediction, so results never depend on it: only the cost does.
struct KeyOrder {
  /// Raw key bytes (between the quotes, escapes as written) of the previous line's keys, concatenated.
  private var bytes: [UInt8] = []
  /// Per key position: where its bytes start in `bytes`, and one past the end.
  private var starts: [Int] = []
  private var ends: [Int] = []
  /// Per key position: the field slot, or -1 when the config does not read the key.
  private var slots: [Int] = []

  /// When the key at position `k` of the line, starting at its opening quote `i`, is the predicted one: the index of
  /// its closing quote and its slot.
  @inline(__always)
  func match(_ k: Int, _ p: UnsafePointer<UInt8>, _ i: Int, _ end: Int) -> (keyEnd: Int, slot: Int)? {
    guard k < slots.count else { return nil }
    let s = starts[k]
    let n = ends[k] - s
    let keyEnd = i + 1 + n
    guard keyEnd < end, p[keyEnd] == 34 else { return nil }
    return bytes.withUnsafeBufferPointer { b -> (Int, Int)? in
      guard let base = b.baseAddress else { return nil }
      var j = 0
      // Eight bytes at a time; `keyEnd < end` keeps every load inside the line.
      while j + 8 <= n {
        let want = UnsafeRawPointer(base + s + j).loadUnaligned(as: UInt64.self)
        let got = UnsafeRawPointer(p + i + 1 + j).loadUnaligned(as: UInt64.self)
        if want != got { return nil }
        j += 8
      }
      while j < n {
        if base[s + j] != p[i + 1 + j] { return nil }
        j += 1
      }
      return (keyEnd, slots[k])
    }
  }

  /// Records that the key at position `k` is `p[start..<end]` with `slot`, dropping any prediction after it.
  mutating func record(_ k: Int, _ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int, slot: Int) {
    if k < slots.count {
      bytes.removeSubrange(starts[k]...)
      starts.removeSubrange(k...)
      ends.removeSubrange(k...)
      slots.removeSubrange(k...)
    }
    starts.append(bytes.count)
    bytes.append(contentsOf: UnsafeBufferPointer(start: p + start, count: end - start))
    ends.append(bytes.count)
    slots.append(slot)
  }
}
