/// The shape of the previous NDJSON line: for each of its keys in order, the exact bytes between the end of the
/// previous value (or the line's start) and the start of the key's value, with the target the key maps to; then the
/// bytes from the end of the last value through the closing brace. Feeds write every line with the same keys in the
/// same order and spacing, so the scanner checks a line's structure with one or two word compares per key
/// (`,"vehicle_id":"` is 15 bytes: the comma, the key, its quotes, the colon and a string value's opening quote) and
/// only scans the values.
///
/// Why that gives the general scan's result: a separator is recorded from a line the general scan read, and the
/// general scan's reading of those bytes (spaces, comma, key, colon, spaces) does not depend on anything after them
/// except that a value starts right there, which the replay checks by scanning the value. A line that differs
/// anywhere (another key, more spaces, a value of another kind where a string was) is handed to the general scan at
/// the start of the entry that differed, with every token before it written exactly as the general scan writes it,
/// and the general scan records the new shape from there. Results never depend on the prediction: only the cost
/// does.
struct KeyOrder {
  /// One key of the shape. The separator's first eight bytes (zero-padded) are kept in a word with the mask of the
  /// bytes that count, and when it is longer its last eight bytes too: up to sixteen bytes take two compares.
  struct Entry {
    var head: UInt64
    var mask: UInt64
    /// The separator's last eight bytes when it is longer than eight.
    var last: UInt64
    var count: Int
    /// Bytes the compare reads from the separator's start: `max(count, 8)`.
    var reach: Int
    /// Where the separator's bytes start in `bytes` (read only for separators longer than sixteen bytes).
    var start: Int
    /// The separator ends with a string value's opening quote.
    var string: Bool
    /// What the key maps to, as `FieldPlan.slot(forKey:)` gives it.
    var target: Int
  }

  /// The raw separator bytes of every entry, concatenated.
  private var bytes: [UInt8] = []
  private(set) var entries: [Entry] = []
  /// From the end of the last entry's value (or the line's start when there is none) through the closing brace;
  /// valid only while it belongs to the current entries.
  private(set) var tail = Entry(head: 0, mask: 0, last: 0, count: 0, reach: 0, start: 0, string: false, target: -1)
  private var tailBytes: [UInt8] = []
  private(set) var tailValid = false
  /// Changes whenever the shape does, so that what is derived from it (`LineShape`) knows when to derive again.
  private(set) var version = 0

  /// Whether the line's bytes at `q` are the separator `e`'s (at least `e.reach` bytes readable from `q`).
  @inline(__always)
  func matches(_ e: Entry, _ q: UnsafePointer<UInt8>, stored: [UInt8]) -> Bool {
    guard UnsafeRawPointer(q).loadUnaligned(as: UInt64.self) & e.mask == e.head else { return false }
    if e.count > 8 {
      guard UnsafeRawPointer(q + e.count - 8).loadUnaligned(as: UInt64.self) == e.last else { return false }
      if e.count > 16 {
        // Whole words between the head and the last word; every load stays inside the separator.
        return stored.withUnsafeBufferPointer { b -> Bool in
          guard let base = b.baseAddress else { return false }
          let s = base + e.start
          var j = 8
          while j + 8 < e.count {
            let want = UnsafeRawPointer(s + j).loadUnaligned(as: UInt64.self)
            let got = UnsafeRawPointer(q + j).loadUnaligned(as: UInt64.self)
            if want != got { return false }
            j += 8
          }
          return true
        }
      }
    }
    return true
  }

  /// Replays the shape over the line starting at `start`, writing each value's token; stops at the first entry the
  /// line does not follow.
  ///
  /// - Returns: how many entries matched and the index after the last matched value (`start` when none did); and
  ///   when every entry and the tail matched, the index after the closing brace.
  @inline(__always)
  func replay(
    _ p: UnsafePointer<UInt8>, _ start: Int, _ limit: Int, plan: FieldPlan,
    tokens: UnsafeMutableBufferPointer<FieldToken>
  ) -> (matched: Int, at: Int, closed: Int?) {
    entries.withUnsafeBufferPointer { entries in
      var i = start
      var k = 0
      while k < entries.count {
        let e = entries[k]
        guard i + e.reach <= limit, matches(e, p + i, stored: bytes) else { return (k, i, nil) }
        let v = i + e.count
        let token: FieldToken
        let after: Int
        if e.string {
          guard let (close, escaped) = JSONLineScanner.scanString(p, v, limit) else { return (k, i, nil) }
          token = FieldToken(kind: .string, start: v, end: close, escaped: escaped)
          after = close + 1
        } else {
          guard v < limit, let (t, a) = JSONLineScanner.scanValue(p, v, limit) else { return (k, i, nil) }
          token = t
          after = a
        }
        JSONLineScanner.store(token, target: e.target, p, plan: plan, tokens: tokens)
        i = after
        k += 1
      }
      guard tailValid else { return (k, i, nil) }
      let closed: Bool
      if i + tail.reach <= limit {
        closed = matches(tail, p + i, stored: tailBytes)
      } else {
        // Near the end of the bytes (the last line of a chunk): byte by byte.
        closed =
          i + tail.count <= limit
          && tailBytes.withUnsafeBufferPointer { b in (0..<tail.count).allSatisfy { p[i + $0] == b[$0] } }
      }
      return (k, i, closed ? i + tail.count : nil)
    }
  }

  /// Records that the entry at position `k` has the separator `p[start..<end]` and `target`, dropping the tail and
  /// every entry after it.
  mutating func record(_ k: Int, _ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int, string: Bool, target: Int) {
    version &+= 1
    if k < entries.count {
      bytes.removeSubrange(entries[k].start...)
      entries.removeSubrange(k...)
    }
    tailValid = false
    entries.append(Self.entry(p, start, end, at: bytes.count, string: string, target: target))
    bytes.append(contentsOf: UnsafeBufferPointer(start: p + start, count: end - start))
  }

  /// Records the bytes from the end of the value at position `k - 1` (or the line's start) through the closing
  /// brace, dropping every entry from `k` on.
  mutating func recordTail(_ k: Int, _ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) {
    version &+= 1
    if k < entries.count {
      bytes.removeSubrange(entries[k].start...)
      entries.removeSubrange(k...)
    }
    tail = Self.entry(p, start, end, at: 0, string: false, target: -1)
    tailBytes = Array(UnsafeBufferPointer(start: p + start, count: end - start))
    tailValid = true
  }

  private static func entry(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int, at: Int, string: Bool, target: Int)
    -> Entry
  {
    let n = end - start
    var head: UInt64 = 0
    for j in 0..<min(n, 8) { head |= UInt64(p[start + j]) << UInt64(8 * j) }
    var last: UInt64 = 0
    if n > 8 { for j in 0..<8 { last |= UInt64(p[end - 8 + j]) << UInt64(8 * j) } }
    let mask: UInt64 = n >= 8 ? ~0 : (1 << UInt64(8 * n)) &- 1
    return Entry(
      head: head, mask: mask, last: last, count: n, reach: max(n, 8), start: at, string: string, target: target)
  }
}
