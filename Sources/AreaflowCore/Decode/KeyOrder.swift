/// The keys of the previous NDJSON line, in order, with the slot each maps to: feeds write every line with the same
/// keys in the same order, so the scanner checks the predicted key's bytes in one short compare instead of scanning
/// the key string and searching the config's field names.
///
/// A line whose key differs from the prediction at some position takes the full path from there on and becomes
/// the prediction, so results never depend on it: only the cost does.
///
/// The prediction covers the closing quote and, when the recorded line had it right there, the colon: one compare
/// then also stands for the scanner's quote, space and colon checks.
struct KeyOrder {
  /// One predicted key: its bytes, the closing quote and maybe the colon. Their first eight bytes (zero-padded) are
  /// kept in a word with the mask of the bytes that count, so a key of up to six bytes (`ts`, `lat`, `route`) is
  /// checked with one load and one compare.
  private struct Key {
    var head: UInt64
    var mask: UInt64
    /// The bytes compared: the key's, its closing quote and, when `colon`, the colon.
    var count: Int
    var keyCount: Int
    var colon: Bool
    /// Where the key's bytes start in `bytes`.
    var start: Int
    var slot: Int
  }

  /// Raw key bytes (between the quotes, escapes as written) of the previous line's keys, each followed by its
  /// closing quote and maybe the colon, concatenated: read only when that is longer than eight bytes.
  private var bytes: [UInt8] = []
  private var keys: [Key] = []

  /// When the key at position `k` of the line, starting at its opening quote `i`, is the predicted one: the index of
  /// its closing quote, its slot, and whether the colon right after the quote was checked too.
  @inline(__always)
  func match(_ k: Int, _ p: UnsafePointer<UInt8>, _ i: Int, _ end: Int) -> (keyEnd: Int, slot: Int, colon: Bool)? {
    keys.withUnsafeBufferPointer { keys -> (Int, Int, Bool)? in
      guard k < keys.count else { return nil }
      let key = keys[k]
      let n = key.count
      let keyEnd = i + 1 + key.keyCount
      guard i + 1 + n <= end else { return nil }
      let q = p + i + 1
      // The compared bytes lie inside the line, which makes the eight-byte loads safe whenever the line has eight
      // bytes from `q` on; the rare key near the line's end (then fewer than eight bytes) is compared byte by byte.
      guard i + 9 <= end else {
        return Self.bytesMatch(q, key.head, n) ? (keyEnd, key.slot, key.colon) : nil
      }
      guard UnsafeRawPointer(q).loadUnaligned(as: UInt64.self) & key.mask == key.head else { return nil }
      if n > 8 {
        let matched = bytes.withUnsafeBufferPointer { b -> Bool in
          guard let base = b.baseAddress else { return false }
          let stored = base + key.start
          // Whole words after the head, then the last eight bytes (overlapping what was compared already);
          // every load stays inside the key on both sides.
          var j = 8
          while j + 8 <= n {
            let want = UnsafeRawPointer(stored + j).loadUnaligned(as: UInt64.self)
            let got = UnsafeRawPointer(q + j).loadUnaligned(as: UInt64.self)
            if want != got { return false }
            j += 8
          }
          let want = UnsafeRawPointer(stored + n - 8).loadUnaligned(as: UInt64.self)
          let got = UnsafeRawPointer(q + n - 8).loadUnaligned(as: UInt64.self)
          return want == got
        }
        guard matched else { return nil }
      }
      return (keyEnd, key.slot, key.colon)
    }
  }

  /// Whether `q[0..<n]`, n at most 8, are the bytes of `head` (little-endian).
  private static func bytesMatch(_ q: UnsafePointer<UInt8>, _ head: UInt64, _ n: Int) -> Bool {
    for j in 0..<min(n, 8) where q[j] != UInt8(truncatingIfNeeded: head >> UInt64(8 * j)) { return false }
    return true
  }

  /// Records that the key at position `k` is `p[start..<end]` (`p[end]` its closing quote, followed by the colon
  /// when `colon`) with `slot`, dropping any prediction after it.
  mutating func record(_ k: Int, _ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int, slot: Int, colon: Bool) {
    if k < keys.count {
      bytes.removeSubrange(keys[k].start...)
      keys.removeSubrange(k...)
    }
    let n = end - start + (colon ? 2 : 1)
    var head: UInt64 = 0
    for j in 0..<min(n, 8) { head |= UInt64(p[start + j]) << UInt64(8 * j) }
    let mask: UInt64 = n >= 8 ? ~0 : (1 << UInt64(8 * n)) &- 1
    keys.append(
      Key(head: head, mask: mask, count: n, keyCount: end - start, colon: colon, start: bytes.count, slot: slot))
    bytes.append(contentsOf: UnsafeBufferPointer(start: p + start, count: n))
  }
}
