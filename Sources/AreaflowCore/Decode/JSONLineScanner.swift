/// Scans one NDJSON line in place: checks that it is a single JSON object and records where the values of the
/// fields the config reads are.
///
/// Values the config does not read are skipped structurally (strings, nesting and literals are checked, numbers
/// only by their characters), which is what makes decoding cost proportional to the bytes and not to a parse tree.
enum JSONLineScanner {
  /// - Returns: false when the line is not exactly one JSON object.
  /// - Complexity: O(end - start), no allocation.
  @inline(__always)
  static func scan(
    _ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int, plan: FieldPlan,
    tokens: UnsafeMutableBufferPointer<FieldToken>,
    order: inout KeyOrder
  ) -> Bool {
    scanLine(p, start, end, plan: plan, tokens: tokens, order: &order, toLineBreak: false) != nil
  }

  /// `scan` of the line starting at `start`, which ends at its first line break or at `limit`: the scan finds that
  /// end itself, so the caller need not search for it first.
  ///
  /// Every step of the scan stops at a line break (strings and escapes refuse it, numbers, literals and the
  /// recorded separators cannot hold it, `skipSpace` does not skip it, `skipComposite` refuses it), so a line the
  /// scan accepts is scanned exactly as `scan` scans it up to its break. A line it refuses may still be a line
  /// `scan` refuses for another reason; the caller finds its end and scans it again with `scan` (or counts it
  /// empty).
  ///
  /// - Returns: the index of the line break ending the line (or `limit`), or nil when the line is not exactly one
  ///   JSON object.
  @inline(__always)
  static func scanLine(
    _ p: UnsafePointer<UInt8>, _ start: Int, _ limit: Int, plan: FieldPlan,
    tokens: UnsafeMutableBufferPointer<FieldToken>, order: inout KeyOrder
  ) -> Int? {
    scanLine(p, start, limit, plan: plan, tokens: tokens, order: &order, toLineBreak: true)
  }

  @inline(__always)
  private static func scanLine(
    _ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int, plan: FieldPlan,
    tokens: UnsafeMutableBufferPointer<FieldToken>, order: inout KeyOrder, toLineBreak: Bool
  ) -> Int? {
    /// After the closing brace: only spaces up to the end (or the line break).
    @inline(__always) func finish(_ after: Int) -> Int? {
      let j = skipSpace(p, after, end)
      if j == end || (toLineBreak && p[j] == 10) { return j }
      return nil
    }
    let (matched, at, closed) = order.replay(p, start, end, plan: plan, tokens: tokens)
    if let closed { return finish(closed) }
    return scanGeneral(
      p, start, end, plan: plan, tokens: tokens, order: &order, from: matched, at: at, finish: finish)
  }

  /// The scan without prediction, from the start of the line (`position` 0) or, after `position` values were
  /// read by the replay of the line's shape, from the end `at` of the last of them; records the line's shape as it
  /// goes.
  private static func scanGeneral(
    _ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int, plan: FieldPlan,
    tokens: UnsafeMutableBufferPointer<FieldToken>, order: inout KeyOrder, from position: Int, at: Int,
    finish: (Int) -> Int?
  ) -> Int? {
    var position = position
    var i: Int
    // Where the bytes before the current key's value began: the end of the previous value, or the line's start.
    var separatorStart: Int
    if position == 0 {
      separatorStart = start
      i = skipSpace(p, start, end)
      guard i < end, p[i] == 123 else { return nil }  // {
      i = skipSpace(p, i + 1, end)
      guard i < end else { return nil }
      if p[i] == 125 {  // }
        order.recordTail(0, p, start, i + 1)
        return finish(i + 1)
      }
    } else {
      separatorStart = at
      i = skipSpace(p, at, end)
      guard i < end else { return nil }
      if p[i] == 125 {
        order.recordTail(position, p, at, i + 1)
        return finish(i + 1)
      }
      guard p[i] == 44 else { return nil }  // ,
      i = skipSpace(p, i + 1, end)
    }
    while true {
      guard i < end, p[i] == 34 else { return nil }
      let keyStart = i + 1
      guard let (keyEnd, _) = scanString(p, keyStart, end) else { return nil }
      let target = plan.slot(forKey: p, keyStart, keyEnd)
      i = skipSpace(p, keyEnd + 1, end)
      guard i < end, p[i] == 58 else { return nil }  // :
      i = skipSpace(p, i + 1, end)
      guard i < end else { return nil }
      guard let (token, after) = scanValue(p, i, end) else { return nil }
      let string = p[i] == 34
      order.record(position, p, separatorStart, string ? i + 1 : i, string: string, target: target)
      store(token, target: target, p, plan: plan, tokens: tokens)
      position += 1
      separatorStart = after
      i = skipSpace(p, after, end)
      guard i < end else { return nil }
      if p[i] == 44 {  // ,
        i = skipSpace(p, i + 1, end)
        continue
      }
      guard p[i] == 125 else { return nil }
      order.recordTail(position, p, after, i + 1)
      return finish(i + 1)
    }
  }

  /// Puts a value where its key's target says: in a slot, or through `record` when paths go into it.
  @inline(__always)
  static func store(
    _ token: FieldToken, target: Int, _ p: UnsafePointer<UInt8>, plan: FieldPlan,
    tokens: UnsafeMutableBufferPointer<FieldToken>
  ) {
    if target >= 0, target < 1 << FieldPaths.slotBits {
      tokens[target] = token
    } else if target != -1 {
      record(token, target: target, p, plan: plan, tokens: tokens)
    }
  }

  /// Scans the value starting at `i` (checked as the top-level scan checks it); returns its token and the index
  /// after it, or nil when it is not a JSON value.
  @inline(__always)
  static func scanValue(_ p: UnsafePointer<UInt8>, _ i: Int, _ end: Int) -> (FieldToken, Int)? {
    let c = p[i]
    if c == 34 {
      guard let (stringEnd, escaped) = scanString(p, i + 1, end) else { return nil }
      return (FieldToken(kind: .string, start: i + 1, end: stringEnd, escaped: escaped), stringEnd + 1)
    } else if c == 123 || c == 91 {
      guard let after = skipComposite(p, i, end) else { return nil }
      return (FieldToken(kind: .composite, start: i, end: after), after)
    } else if c == 116 || c == 102 || c == 110 {  // t f n
      guard let (after, kind) = scanLiteral(p, i, end) else { return nil }
      return (FieldToken(kind: kind, start: i, end: after), after)
    } else if c == 45 || c &- 48 < 10 {
      let j = numberEnd(p, i, end)
      return (FieldToken(kind: .number, start: i, end: j), j)
    }
    return nil
  }

  /// The end of the number whose first byte (a digit or `-`) is at `i`: the first byte after it that
  /// `isNumberByte` refuses, or `end`.
  @inline(__always)
  static func numberEnd(_ p: UnsafePointer<UInt8>, _ i: Int, _ end: Int) -> Int {
    // Eight bytes at a time while a whole word is left (`52.63283` ends in the first word), then byte by byte.
    var j = i + 1
    while j + 8 <= end {
      let stops = nonNumberBytes(UnsafeRawPointer(p + j).loadUnaligned(as: UInt64.self))
      if stops != 0 { return j + stops.trailingZeroBitCount >> 3 }
      j += 8
    }
    while j < end, isNumberByte(p[j]) { j += 1 }
    return j
  }

  /// Records a value under its target: in its slot, and inside it when paths go on into it.
  static func record(
    _ token: FieldToken, target: Int, _ p: UnsafePointer<UInt8>, plan: FieldPlan,
    tokens: UnsafeMutableBufferPointer<FieldToken>
  ) {
    if let slot = FieldPaths.slot(target) { tokens[slot] = token }
    if let level = FieldPaths.level(target), token.kind == .composite, p[token.start] == 123 {
      recordNested(p, token.start, token.end, level: level, plan: plan, tokens: tokens)
    }
  }

  /// Records the fields that paths reach inside the object `p[start..<end]`, whose structure `skipComposite` has
  /// already checked (SPEC section 7: `VP.lat`). A path that meets an array or a non-object stays absent.
  static func recordNested(
    _ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int, level: Int, plan: FieldPlan,
    tokens: UnsafeMutableBufferPointer<FieldToken>
  ) {
    var i = skipSpace(p, start + 1, end)
    while i < end, p[i] == 34 {
      guard let (keyEnd, _) = scanString(p, i + 1, end) else { return }
      let target = plan.paths.target(level: level, p, i + 1, keyEnd)
      i = skipSpace(p, keyEnd + 1, end)
      guard i < end, p[i] == 58 else { return }  // :
      i = skipSpace(p, i + 1, end)
      guard i < end, let (token, after) = scanValue(p, i, end) else { return }
      if target != -1 { record(token, target: target, p, plan: plan, tokens: tokens) }
      i = skipSpace(p, after, end)
      guard i < end, p[i] == 44 else { return }  // ,
      i = skipSpace(p, i + 1, end)
    }
  }

  @inline(__always)
  static func isNumberByte(_ c: UInt8) -> Bool {
    c &- 48 < 10 || c == 46 || c == 101 || c == 69 || c == 43 || c == 45
  }

  /// The high bit of exactly those bytes of `x` for which `isNumberByte` is false: a number's bytes checked a word
  /// at a time instead of one compare chain per byte.
  ///
  /// Every test works on the low seven bits of each byte, where adding at most 0x7F cannot carry into the next
  /// byte, so unlike `stopBytes` no byte's flag depends on its neighbours; bytes with the high bit set are never
  /// number bytes.
  @inline(__always)
  static func nonNumberBytes(_ x: UInt64) -> UInt64 {
    let ones: UInt64 = 0x0101_0101_0101_0101
    let high = ones &* 0x80
    let low = ones &* 0x7F
    let y = x & low
    // High bit set where the byte's low seven bits equal `b`: `t + 0x7F` sets it for every nonzero `t`.
    @inline(__always) func equal(_ t: UInt64) -> UInt64 { ~((t &+ low) | t) }
    let digit = (y &+ ones &* 0x50) & ~(y &+ ones &* 0x46)  // 0x30 <= y < 0x3A
    let dot = equal(y ^ (ones &* 0x2E))
    let plus = equal(y ^ (ones &* 0x2B))
    let minus = equal(y ^ (ones &* 0x2D))
    let exponent = equal((y | ones &* 0x20) ^ (ones &* 0x65))  // e or E
    return ~((digit | dot | plus | minus | exponent) & ~x) & high
  }

  @inline(__always)
  static func skipSpace(_ p: UnsafePointer<UInt8>, _ from: Int, _ end: Int) -> Int {
    var i = from
    while i < end, p[i] == 32 || p[i] == 9 || p[i] == 13 { i += 1 }
    return i
  }

  /// The high bit of every byte of `x` (little-endian) that is `"`, `\` or below 0x20, at least for the lowest such
  /// byte: borrows can flag bytes above a real match, never below it, so the lowest flag is always a real one.
  @inline(__always)
  static func stopBytes(_ x: UInt64) -> UInt64 {
    let ones: UInt64 = 0x0101_0101_0101_0101
    let quote = x ^ (ones &* 0x22)
    let backslash = x ^ (ones &* 0x5C)
    let zeroQuote = (quote &- ones) & ~quote
    let zeroBackslash = (backslash &- ones) & ~backslash
    let control = (x &- (ones &* 0x20)) & ~x
    return (zeroQuote | zeroBackslash | control) & (ones &* 0x80)
  }

  /// From just after an opening quote, returns the index of the closing quote and whether escapes occur.
  @inline(__always)
  static func scanString(_ p: UnsafePointer<UInt8>, _ from: Int, _ end: Int) -> (Int, Bool)? {
    var i = from
    var escaped = false
    while i < end {
      // Skip plain content (everything but `"`, `\` and control characters) eight bytes at a time, then byte by
      // byte for the rest of the line.
      while i + 8 <= end {
        let stops = stopBytes(UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self))
        if stops != 0 {
          i += stops.trailingZeroBitCount >> 3
          break
        }
        i += 8
      }
      while i < end {
        let c = p[i]
        if c == 34 || c == 92 || c < 32 { break }
        i += 1
      }
      guard i < end else { return nil }
      let c = p[i]
      if c == 34 { return (i, escaped) }
      if c == 92 {
        // A backslash never escapes a line break: a line ends there (within a line this never happens).
        if i + 1 < end, p[i + 1] == 10 { return nil }
        escaped = true
        i += 2
        continue
      }
      return nil
    }
    return nil
  }

  static func scanLiteral(_ p: UnsafePointer<UInt8>, _ i: Int, _ end: Int) -> (Int, FieldToken.Kind)? {
    func matches(_ word: StaticString) -> Bool {
      let n = word.utf8CodeUnitCount
      guard end - i >= n else { return false }
      let w = word.utf8Start
      for k in 0..<n where p[i + k] != w[k] { return false }
      return true
    }
    if matches("true") { return (i + 4, .boolean) }
    if matches("false") { return (i + 5, .boolean) }
    if matches("null") { return (i + 4, .null) }
    return nil
  }

  /// Skips a nested object or array, returning the index after its closing bracket.
  static func skipComposite(_ p: UnsafePointer<UInt8>, _ from: Int, _ end: Int) -> Int? {
    var stack: UInt64 = 0  // bit per level: 1 = object; depth beyond 64 is refused
    var depth = 0
    var i = from
    while i < end {
      let c = p[i]
      switch c {
      case 34:
        guard let (close, _) = scanString(p, i + 1, end) else { return nil }
        i = close + 1
        continue
      case 123, 91:
        guard depth < 64 else { return nil }
        stack = stack << 1 | (c == 123 ? 1 : 0)
        depth += 1
      case 10:
        return nil  // a line break: the line ended inside the value (within a line this never happens)
      case 125, 93:
        guard depth > 0, (stack & 1 == 1) == (c == 125) else { return nil }
        stack >>= 1
        depth -= 1
        if depth == 0 { return i + 1 }
      default:
        break
      }
      i += 1
    }
    return nil
  }

  /// The decoded bytes of a JSON string's content, or nil for an invalid escape.
  static func unescape(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> [UInt8]? {
    var out: [UInt8] = []
    out.reserveCapacity(end - start)
    var i = start
    while i < end {
      let c = p[i]
      guard c == 92 else {
        out.append(c)
        i += 1
        continue
      }
      guard i + 1 < end else { return nil }
      let e = p[i + 1]
      i += 2
      switch e {
      case 34, 92, 47: out.append(e)
      case 98: out.append(8)
      case 102: out.append(12)
      case 110: out.append(10)
      case 114: out.append(13)
      case 116: out.append(9)
      case 117:
        guard var scalar = hex4(p, i, end) else { return nil }
        i += 4
        if scalar >= 0xD800, scalar < 0xDC00, i + 6 <= end, p[i] == 92, p[i + 1] == 117,
          let low = hex4(p, i + 2, end), low >= 0xDC00, low < 0xE000
        {
          scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
          i += 6
        }
        let u = Unicode.Scalar(scalar) ?? "\u{FFFD}"
        out.append(contentsOf: Array(String(Character(u)).utf8))
      default: return nil
      }
    }
    return out
  }

  private static func hex4(_ p: UnsafePointer<UInt8>, _ i: Int, _ end: Int) -> UInt32? {
    guard i + 4 <= end else { return nil }
    var v: UInt32 = 0
    for k in 0..<4 {
      let c = p[i + k]
      let d: UInt32
      switch c {
      case 48...57: d = UInt32(c - 48)
      case 97...102: d = UInt32(c - 87)
      case 65...70: d = UInt32(c - 55)
      default: return nil
      }
      v = v << 4 | d
    }
    return v
  }
}
