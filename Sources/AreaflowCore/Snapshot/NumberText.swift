/// The text of numbers written straight into memory: the one implementation behind `TextWriter` (NDJSON, side
/// records, the HTTP API) and `ByteBuffer` (CSV cells), so every output agrees byte for byte on every value.
///
/// Writers take a pointer with room for `maxLength` bytes and return how many they wrote: no per-byte capacity or
/// uniqueness check, which is what appending byte by byte to an array costs in the cell loops.
enum NumberText {
  /// Room every writer here may need: a sign, 19 digits, a point and a zero.
  static let maxLength = 24

  /// 10^`k` for k in 0...19 (the largest in a UInt64): a switch the compiler turns into a constant table, with no
  /// lazy global to check on each use.
  @inline(__always)
  static func powerOfTen(_ k: Int) -> UInt64 {
    switch k {
    case 0: 1
    case 1: 10
    case 2: 100
    case 3: 1_000
    case 4: 10_000
    case 5: 100_000
    case 6: 1_000_000
    case 7: 10_000_000
    case 8: 100_000_000
    case 9: 1_000_000_000
    case 10: 10_000_000_000
    case 11: 100_000_000_000
    case 12: 1_000_000_000_000
    case 13: 10_000_000_000_000
    case 14: 100_000_000_000_000
    case 15: 1_000_000_000_000_000
    case 16: 10_000_000_000_000_000
    case 17: 100_000_000_000_000_000
    case 18: 1_000_000_000_000_000_000
    default: 10_000_000_000_000_000_000
    }
  }

  /// "00", "01", … "99": the two digits of a number below 100 by one load.
  static var digitPairs: StaticString {
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899"
  }

  /// How many decimal digits `m` has (one for zero): floor(bits · log10 2) from the bit width, plus one when `m`
  /// reaches the next power of ten.
  @inline(__always)
  static func digitCount(_ m: UInt64) -> Int {
    let t = ((64 - m.leadingZeroBitCount) &* 1233) &>> 12
    return m >= powerOfTen(t) ? t &+ 1 : max(t, 1)
  }

  /// The `count` lowest decimal digits of `m`, most significant first, ending just before `end`; two digits per
  /// division. Returns what is left of `m` above them.
  @inline(__always) @discardableResult
  static func writeDigits(_ m: UInt64, count: Int, endingAt end: UnsafeMutablePointer<UInt8>) -> UInt64 {
    var m = m
    var at = end
    var left = count
    let pairs = UnsafeRawPointer(digitPairs.utf8Start)
    while left >= 2 {
      let q = m / 100
      let r = Int(truncatingIfNeeded: m &- q &* 100)
      UnsafeMutableRawPointer(at - 2).storeBytes(
        of: pairs.loadUnaligned(fromByteOffset: r &* 2, as: UInt16.self), as: UInt16.self)
      at -= 2
      left &-= 2
      m = q
    }
    if left == 1 {
      let q = m / 10
      at[-1] = UInt8(truncatingIfNeeded: 48 &+ m &- q &* 10)
      m = q
    }
    return m
  }

  /// Decimal digits of an integer.
  @inline(__always)
  static func write(integer v: Int64, to p: UnsafeMutablePointer<UInt8>) -> Int {
    var at = 0
    if v < 0 {
      p[0] = 45
      at = 1
    }
    let m = v.magnitude
    let n = digitCount(m)
    writeDigits(m, count: n, endingAt: p + at + n)
    return at + n
  }

  /// The text `description` gives a finite double, for the two shapes that need no float formatter: integral
  /// values (digits and `.0`, so readers infer a float type) and values with at most six decimals (speeds,
  /// coordinates, most measurements). Returns nil for every other value, which the caller formats in full.
  ///
  /// When `m / 10^6` (an exact integer over an exact power, correctly rounded) equals `d`, the text of `m` with six
  /// decimals parses back to `d`, and so does the same decimal without its trailing zeros. No other decimal of at
  /// most six places reads back as `d` (two of them differ by at least 10^-6, more than the spacing of doubles
  /// below 1e9), so dropping the trailing zeros gives the fewest decimals: what `description` prints. `m` is
  /// `|d| · 10^6` rounded half up; should that ever differ from rounding to nearest, the test fails and the value
  /// takes the general path, so the shortcut can be skipped but never wrong.
  @inline(__always)
  static func write(shortDouble d: Double, to p: UnsafeMutablePointer<UInt8>) -> Int? {
    let a = abs(d)
    if a < 1e15, Double(Int64(d)) == d {
      // The round trip through `Int64` is the integral test without a call to libm's `round`.
      let n = write(integer: Int64(d), to: p)
      p[n] = 46
      p[n + 1] = 48
      return n + 2
    }
    guard a >= 1e-4, a < 1e9 else { return nil }
    var m = UInt64(a * 1_000_000 + 0.5)
    guard Double(m) / 1_000_000 == a else { return nil }
    var decimals = 6
    // Integral values were handled above, so at least one decimal stays; one decimal (speeds) in one test.
    if m % 100_000 == 0 {
      m /= 100_000
      decimals = 1
    }
    while decimals > 1, m % 10 == 0 {
      m /= 10
      decimals -= 1
    }
    return write(decimal: m, decimals: decimals, negative: d < 0, to: p)
  }

  /// The text `description` gives a finite, non-integral double with 10^-4 ≤ |d| < 2^48: the fewest decimals
  /// that read back as `d`, and of those the digits nearest to it (what Swift's formatter prints, Ryū's and
  /// Grisu's "shortest, closest"). Returns nil for other values and for the case the argument below rules out.
  ///
  /// With d = m · 2^e, every value strictly between (4m − 1 or 2) · 2^(e−2) and (4m + 2) · 2^(e−2) reads back as
  /// `d`. Scaled by 10^p and 2^(2−e), those bounds are exact integers in 128 bits (m < 2^53, p ≤ 21), so the
  /// integers N with N · 10^−p inside are found exactly: `lo...hi`. At p = ⌊−e · log10 2⌋ + 2, 10^−p is below the
  /// interval's width, so some N exists; a decimal is dropped while a multiple of ten stays in `lo...hi`. The N
  /// nearest the exact value is then the rounded quotient of 4m · 10^p by 2^(2−e) (moved into `lo...hi` when only
  /// the other neighbour is inside, next to a power of two). Whether the bounds belong to the interval does not
  /// matter here: a bound has more binary fractional digits than any decimal with p places can have. Nor can two
  /// candidates tie (that would need an interval wider than 10^−p); a tie returns nil all the same.
  @inline(__always)
  static func write(shortestDouble d: Double, to p: UnsafeMutablePointer<UInt8>) -> Int? {
    let a = abs(d)
    guard a >= 1e-4, a < 0x1p48 else { return nil }
    let fraction = a.bitPattern & (1 << 52 - 1)
    let m = fraction | 1 << 52
    let e = Int(a.bitPattern >> 52) &- 1075  // a = m · 2^e, e in -66 ... -5
    let s = 2 &- e  // 7 ... 68
    let mv = m &<< 2
    let mp = mv &+ 2
    let mm = mv &- (fraction == 0 ? 1 : 2)
    var decimals = ((-e) &* 78913) &>> 18 &+ 2  // ⌊−e · log10 2⌋ + 2, at most 21
    // Neither product is a multiple of 2^s (p + 1 < s), so the floors are the strict bounds.
    var lo = shiftRight(scaled(mm, decimals), s) &+ 1
    var hi = shiftRight(scaled(mp, decimals), s)
    while decimals > 1 {
      let h = hi / 10
      let l = (lo &+ 9) / 10
      if h < l { break }
      hi = h
      lo = l
      decimals &-= 1
    }
    let exact = scaled(mv, decimals)
    let twice = shiftRight(exact, s &- 1)
    var n = twice &>> 1
    if twice & 1 == 1 {
      // Above the midpoint between n and n + 1, or exactly on it.
      let below = s &- 1
      let rest =
        below >= 64
        ? exact.low | exact.high & (1 &<< UInt64(below &- 64) &- 1) : exact.low & (1 &<< UInt64(below) &- 1)
      guard rest != 0 else { return nil }
      n &+= 1
    }
    if n < lo { n = lo } else if n > hi { n = hi }
    guard lo <= hi else { return nil }
    return write(decimal: n, decimals: decimals, negative: d < 0, to: p)
  }

  /// `x` · 10^`p` in 128 bits, for x < 2^55 and p ≤ 21.
  @inline(__always)
  static func scaled(_ x: UInt64, _ p: Int) -> (high: UInt64, low: UInt64) {
    p > 19
      ? (x &* powerOfTen(p &- 19)).multipliedFullWidth(by: powerOfTen(19)) : x.multipliedFullWidth(by: powerOfTen(p))
  }

  /// ⌊v / 2^s⌋ for 1 ≤ s < 128, when the quotient fits in 64 bits.
  @inline(__always)
  static func shiftRight(_ v: (high: UInt64, low: UInt64), _ s: Int) -> UInt64 {
    s >= 64 ? v.high &>> UInt64(s &- 64) : v.low &>> UInt64(s) | v.high &<< UInt64(64 &- s)
  }

  /// The text `description` gives a finite double, integral values as digits and `.0` (below 10^15): the
  /// shortcuts above, or nil when neither applies (the caller formats it with the standard library).
  @inline(__always)
  static func write(double d: Double, to p: UnsafeMutablePointer<UInt8>) -> Int? {
    if let n = write(shortDouble: d, to: p) { return n }
    return write(shortestDouble: d, to: p)
  }

  /// `m` · 10^-`decimals` (`decimals` ≥ 1) in plain decimal notation: an optional minus, the integer digits (`0` when
  /// there are none), a point and exactly `decimals` digits.
  @inline(__always)
  static func write(decimal m: UInt64, decimals: Int, negative: Bool, to p: UnsafeMutablePointer<UInt8>) -> Int {
    var at = 0
    if negative {
      p[0] = 45
      at = 1
    }
    let digits = digitCount(m)
    if digits > decimals {
      let end = p + at + digits + 1
      let integral = writeDigits(m, count: decimals, endingAt: end)
      end[-decimals - 1] = 46
      writeDigits(integral, count: digits - decimals, endingAt: end - decimals - 1)
      return at + digits + 1
    }
    p[at] = 48
    p[at + 1] = 46
    var zero = p + at + 2
    let firstDigit = zero + (decimals - digits)
    while zero < firstDigit {
      zero.pointee = 48
      zero += 1
    }
    writeDigits(m, count: digits, endingAt: firstDigit + digits)
    return at + 2 + decimals
  }
}
