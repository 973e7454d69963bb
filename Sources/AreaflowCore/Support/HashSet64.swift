/// A set of non-zero 64-bit hashes with open addressing: the per-chunk "seen this dimension combination?" check,
/// without `Hasher` on every event.
struct HashSet64 {
  private var table = [UInt64](repeating: 0, count: 64)
  /// `table.count - 1`, kept so that an insert does not ask the array for its count.
  private var mask = 63
  private var count = 0

  /// Inserts `h` (must not be 0); returns true when it was not there before.
  /// - Complexity: O(1) expected.
  @inline(__always)
  mutating func insert(_ h: UInt64) -> Bool {
    var i = Int(truncatingIfNeeded: h) & mask
    while true {
      let v = table[i]
      if v == h { return false }
      if v == 0 { break }
      i = (i + 1) & mask
    }
    table[i] = h
    count += 1
    if count * 2 > table.count { grow() }
    return true
  }

  private mutating func grow() {
    let old = table
    table = [UInt64](repeating: 0, count: old.count * 2)
    mask = table.count - 1
    for v in old where v != 0 {
      var i = Int(truncatingIfNeeded: v) & mask
      while table[i] != 0 { i = (i + 1) & mask }
      table[i] = v
    }
  }
}
