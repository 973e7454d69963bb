#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Parses decimal numbers straight from bytes, without building a `String`.
///
/// The common case (up to 19 significant digits, a short fraction, a small exponent) is converted exactly with one
/// multiplication or division by an exact power of ten, which is correctly rounded; anything else falls back to
/// `strtod` on a stack copy, so every input gets the correctly rounded result.
public enum NumberParser {
  /// 10^n for n in 0...22, all exact doubles, without touching a global array (no lazy-initialisation check).
  @inlinable @inline(__always)
  static func exactPower(_ n: Int) -> Double {
    switch n {
    case 0: 1e0
    case 1: 1e1
    case 2: 1e2
    case 3: 1e3
    case 4: 1e4
    case 5: 1e5
    case 6: 1e6
    case 7: 1e7
    case 8: 1e8
    case 9: 1e9
    case 10: 1e10
    case 11: 1e11
    case 12: 1e12
    case 13: 1e13
    case 14: 1e14
    case 15: 1e15
    case 16: 1e16
    case 17: 1e17
    case 18: 1e18
    case 19: 1e19
    case 20: 1e20
    case 21: 1e21
    default: 1e22
    }
  }

  /// The JSON-style number in `p[start..<end]`, or nil when those bytes are not exactly one decimal number.
  ///
  /// Accepts an optional sign, digits, an optional fraction and exponent; leading `+`, `.5` and `5.` are accepted
  /// too because CSV producers write them. `nan`, `inf` and hex are refused.
  /// - Complexity: O(end - start), no allocation.
  @inlinable
  public static func parseDouble(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Double? {
    var i = start
    guard i < end else { return nil }
    var negative = false
    if p[i] == 45 {  // -
      negative = true
      i += 1
    } else if p[i] == 43 {  // +
      i += 1
    }
    // The stream's usual shape, `[-]digits[.digits]` with at most 19 digits in all (`52.63283`, `-23`): those
    // digits cannot overflow the mantissa and none is dropped, so one loop without the general path's
    // significant-digit bookkeeping gives the mantissa and scale the general path would give, and the same
    // exactness rule decides. Anything else (an exponent, more digits, no digit) takes the general path.
    do {
      var j = i
      var m: UInt64 = 0
      while j < end, p[j] &- 48 < 10 {
        m = m &* 10 &+ UInt64(p[j] &- 48)
        j += 1
      }
      var count = j - i
      var fraction = 0
      if j < end, p[j] == 46 {  // .
        j += 1
        let fractionStart = j
        while j < end, p[j] &- 48 < 10 {
          m = m &* 10 &+ UInt64(p[j] &- 48)
          j += 1
        }
        fraction = j - fractionStart
        count += fraction
      }
      if j == end, count > 0, count <= 19, m < (1 << 53), fraction <= 22 {
        let value = fraction == 0 ? Double(m) : Double(m) / exactPower(fraction)
        return negative ? -value : value
      }
    }
    var mantissa: UInt64 = 0
    var digits = 0
    var significant = 0
    var scale = 0
    var sawDigit = false
    while i < end, p[i] &- 48 < 10 {
      sawDigit = true
      if significant < 19 {
        mantissa = mantissa &* 10 &+ UInt64(p[i] &- 48)
        if mantissa != 0 { significant += 1 }
      } else {
        scale += 1
      }
      digits += 1
      i += 1
    }
    if i < end, p[i] == 46 {  // .
      i += 1
      while i < end, p[i] &- 48 < 10 {
        sawDigit = true
        if significant < 19 {
          mantissa = mantissa &* 10 &+ UInt64(p[i] &- 48)
          if mantissa != 0 { significant += 1 }
          scale -= 1
        }
        i += 1
      }
    }
    guard sawDigit else { return nil }
    if i < end, p[i] | 0x20 == 101 {  // e or E
      i += 1
      var expNegative = false
      if i < end, p[i] == 45 || p[i] == 43 {
        expNegative = p[i] == 45
        i += 1
      }
      guard i < end, p[i] &- 48 < 10 else { return nil }
      var exp = 0
      while i < end, p[i] &- 48 < 10 {
        if exp < 100_000 { exp = exp * 10 + Int(p[i] &- 48) }
        i += 1
      }
      scale += expNegative ? -exp : exp
    }
    guard i == end else { return nil }
    if significant < 19 || mantissa < (1 << 53) {
      if mantissa < (1 << 53), scale >= -22, scale <= 22 {
        var value = Double(mantissa)
        value = scale < 0 ? value / exactPower(-scale) : value * exactPower(scale)
        return negative ? -value : value
      }
    }
    return slowParse(p, start, end)
  }

  /// `parseDouble`, allowed to read the bytes `p[lower..<start]` before the number too: a number of two to eight
  /// characters after its sign (`52.63283`, `24.3`) is then converted from one eight-byte load ending at `end`
  /// instead of digit by digit. Anything that word does not take goes to `parseDouble`, and what it takes gets
  /// `parseDouble`'s own short-decimal arithmetic, so the result is the same double.
  @inline(__always)
  static func parseDouble(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int, readableFrom lower: Int) -> Double? {
    var i = start
    if i < end, p[i] == 45 || p[i] == 43 { i += 1 }  // - or +
    let length = end - i
    if length >= 2, length <= 8, end - 8 >= lower,
      let (m, fraction) = shortDecimal(UnsafeRawPointer(p + end - 8).loadUnaligned(as: UInt64.self), length: length)
    {
      let value = fraction == 0 ? Double(m) : Double(m) / exactPower(fraction)
      return p[start] == 45 ? -value : value
    }
    return parseDouble(p, start, end)
  }

  /// The digits and the number of fraction digits of `[digits][.digits]` in the top `length` bytes (2...8) of the
  /// little-endian `word`, or nil when those bytes are anything else (no dot or one dot, digits otherwise; with at
  /// least two bytes there is always a digit).
  ///
  /// The bytes below the number become `0`, the dot is taken out by moving the bytes before it up one place, and
  /// the eight digits are checked and converted together (SWAR: two multiplications for the pairs and quads).
  @inline(__always)
  static func shortDecimal(_ word: UInt64, length: Int) -> (UInt64, Int)? {
    let ones: UInt64 = 0x0101_0101_0101_0101
    let high = ones &* 0x80
    let low = ones &* 0x7F
    let zeros = ones &* 0x30
    let pad: UInt64 = (1 &<< UInt64(64 - 8 * length)) &- 1
    var x = (word & ~pad) | (zeros & pad)
    let t = x ^ (ones &* 0x2E)
    let dots = ~(((t & low) &+ low) | t) & high  // exact: no carry leaves a byte
    var fraction = 0
    if dots != 0 {
      let d = UInt64(dots.trailingZeroBitCount >> 3)
      fraction = 7 - Int(d)
      let below: UInt64 = (1 &<< (8 * d)) &- 1
      x = (x & ~(below | 0xFF &<< (8 * d))) | (x & below) &<< 8 | 0x30
    }
    let nibbles = ones &* 0xF0
    guard x & nibbles == zeros, (x &+ ones &* 0x06) & nibbles == zeros else { return nil }
    var v = x &- zeros
    v = v &* 10 &+ v &>> 8
    v =
      ((v & 0x0000_00FF_0000_00FF) &* (100 &+ 1_000_000 &<< 32)
        &+ ((v &>> 16) & 0x0000_00FF_0000_00FF) &* (1 &+ 10_000 &<< 32)) &>> 32
    return (v, fraction)
  }

  @usableFromInline
  static func slowParse(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Double? {
    let count = end - start
    guard count < 512 else { return nil }
    return withUnsafeTemporaryAllocation(of: CChar.self, capacity: count + 1) { buffer -> Double? in
      for k in 0..<count { buffer[k] = CChar(bitPattern: p[start + k]) }
      buffer[count] = 0
      var endPointer: UnsafeMutablePointer<CChar>? = nil
      let value = strtod(buffer.baseAddress!, &endPointer)
      guard let endPointer, endPointer - buffer.baseAddress! == count else { return nil }
      return value.isFinite ? value : nil
    }
  }

  /// Parses a decimal number into an exact integer count of `unit`s per one, e.g. epoch seconds with a fraction into
  /// nanoseconds (`unitsPerOne` = 1e9), without the rounding a `Double` would add.
  /// - Returns: nil for anything but `[-]digits[.digits]`, or on overflow.
  public static func parseScaled(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int, unitsPerOne: Int64) -> Int64? {
    var i = start
    guard i < end else { return nil }
    for k in start..<end where p[k] | 0x20 == 101 {
      // Exponent notation (1.7e9): go through Double; the rounding is far below a microsecond for epoch times.
      guard let d = parseDouble(p, start, end) else { return nil }
      let scaled = (d * Double(unitsPerOne)).rounded(.down)
      guard scaled.isFinite, abs(scaled) < 9.2e18 else { return nil }
      _ = k
      return Int64(scaled)
    }
    var negative = false
    if p[i] == 45 {
      negative = true
      i += 1
    }
    var whole: Int64 = 0
    var sawDigit = false
    while i < end, p[i] &- 48 < 10 {
      let (m, o1) = whole.multipliedReportingOverflow(by: 10)
      let (a, o2) = m.addingReportingOverflow(Int64(p[i] &- 48))
      if o1 || o2 { return nil }
      whole = a
      sawDigit = true
      i += 1
    }
    var fraction: Int64 = 0
    if i < end, p[i] == 46 {
      i += 1
      var place = unitsPerOne / 10
      while i < end, p[i] &- 48 < 10 {
        fraction += Int64(p[i] &- 48) * place
        place /= 10
        sawDigit = true
        i += 1
      }
    }
    guard sawDigit, i == end else { return nil }
    let (scaledWhole, o) = whole.multipliedReportingOverflow(by: unitsPerOne)
    if o { return nil }
    let total = scaledWhole + fraction
    return negative ? -total : total
  }
}
