/// The text of numbers written straight into memory: the one implementation behind `TextWriter` (NDJSON, side
/// records, the HTTP API) and `ByteBuffer` (CSV cells), so every output agrees byte for byte on every value.
///
/// Writers take a pointer with room for `maxLength` bytes and return how many they wrote: no per-byte capacity or
/// uniqueness check, which is what appending byte by byte to an array costs in the cell loops.
enum NumberText {
  /// Room every writer here may need: a sign, 19 digits, a point and a zero.
  static let maxLength = 24

  /// How many decimal digits `m` has (one for zero).
  @inline(__always)
  static func digitCount(_ m: UInt64) -> Int {
    var n = 0
    var t = m
    repeat {
      n += 1
      t /= 10
    } while t > 0
    return n
  }

  /// Decimal digits of an integer.
  @inline(__always)
  static func write(integer v: Int64, to p: UnsafeMutablePointer<UInt8>) -> Int {
    var at = 0
    if v < 0 {
      p[0] = 45
      at = 1
    }
    var m = v.magnitude
    let n = digitCount(m)
    var i = at + n - 1
    repeat {
      p[i] = UInt8(truncatingIfNeeded: 48 &+ m % 10)
      m /= 10
      i -= 1
    } while m > 0
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
    var m = Int64(a * 1_000_000 + 0.5)
    guard Double(m) / 1_000_000 == a else { return nil }
    var decimals = 6
    // Integral values were handled above, so at least one decimal stays.
    while decimals > 1, m % 10 == 0 {
      m /= 10
      decimals -= 1
    }
    var at = 0
    if d < 0 {
      p[0] = 45
      at = 1
    }
    // Digits of m with a point `decimals` places from the right, and a leading zero when m has no more digits.
    let total = max(digitCount(UInt64(m)), decimals + 1) + 1
    var i = at + total - 1
    var written = 0
    while written < decimals {
      p[i] = UInt8(truncatingIfNeeded: 48 &+ m % 10)
      m /= 10
      i -= 1
      written += 1
    }
    p[i] = 46
    i -= 1
    repeat {
      p[i] = UInt8(truncatingIfNeeded: 48 &+ m % 10)
      m /= 10
      i -= 1
    } while i >= at
    return at + total
  }
}
