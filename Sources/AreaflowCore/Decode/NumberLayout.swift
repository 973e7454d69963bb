/// The layout of a short JSON number seen before (`52.63283`: eight bytes, the dot third), learned so that the next
/// number at the same place in a line's shape is checked and converted from one eight-byte load with masks made once,
/// instead of being scanned for its end and then parsed.
///
/// Why the value is `NumberParser.parseDouble(readableFrom:)`'s: a layout is `[-]digits[.digits]` of one to eight
/// bytes with at least one digit, and `value` takes a number only when every byte is what the layout says (a digit
/// where it had a digit, its sign and dot where it had them) and the byte after it cannot continue a number. Then the
/// number ends exactly there (`JSONLineScanner.numberEnd`), its digits make an integer `m` below 10^8 and its fraction
/// has `f` ≤ 7 digits, and both paths of `parseDouble` return `Double(m) / 10^f` (dividing by 10^0 changes nothing),
/// negated after a `-`. The digits are converted with `NumberParser.shortDecimal`'s arithmetic: the number is moved to
/// the top of the word, the dot taken out by moving the bytes before it up one place, and the bytes below it are zero
/// digits, as `shortDecimal`'s padding makes them.
struct NumberLayout {
  /// The number's bytes; 0 for no layout (nothing is taken).
  private(set) var length = 0
  /// Moves the number to the top bytes of the word loaded at its start.
  private var shift: UInt64 = 0
  /// In the moved word: the digit bytes; the sign and dot bytes and their values; the digits after the dot (all of
  /// them without a dot) and those before it.
  private var digits: UInt64 = 0
  private var fixedMask: UInt64 = 0
  private var fixedValue: UInt64 = 0
  private var after: UInt64 = 0
  private var before: UInt64 = 0
  /// 10^f for the `f` digits after the dot.
  private var power: Double = 1
  private var negative = false

  init() {}

  /// The layout of the number text `p[start..<end]`; no layout when it is not `[-]digits[.digits]` of at most
  /// eight bytes with a digit.
  init(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) {
    let n = end - start
    guard n >= 1, n <= 8 else { return }
    var dot = -1
    var digitCount = 0
    var layout = NumberLayout()
    layout.shift = UInt64(64 - 8 * n)
    for k in 0..<n {
      let c = p[start + k]
      let byte = UInt64(8 * (8 - n + k))
      if c &- 48 < 10 {
        layout.digits |= 0xFF << byte
        digitCount += 1
      } else if c == 45, k == 0 {
        layout.fixedMask |= 0xFF << byte
        layout.fixedValue |= 45 << byte
        layout.negative = true
      } else if c == 46, dot < 0 {
        layout.fixedMask |= 0xFF << byte
        layout.fixedValue |= 46 << byte
        dot = k
      } else {
        return
      }
    }
    guard digitCount > 0 else { return }
    if dot < 0 {
      layout.after = layout.digits
    } else {
      let dotByte = UInt64(8 * (8 - n + dot))
      let below: UInt64 = (1 << dotByte) - 1
      layout.after = layout.digits & ~below
      layout.before = layout.digits & below
      layout.power = NumberParser.exactPower(n - 1 - dot)
    }
    layout.length = n
    self = layout
  }

  /// The value of the number starting at `v` when it follows this layout (see the type's comment), else nil.
  @inline(__always)
  func value(_ p: UnsafePointer<UInt8>, _ v: Int, _ limit: Int) -> Double? {
    guard length > 0, v + 8 < limit else { return nil }
    let s = UnsafeRawPointer(p + v).loadUnaligned(as: UInt64.self) &<< shift
    let ones: UInt64 = 0x0101_0101_0101_0101
    let x = (s ^ (ones &* 0x30)) & digits
    guard s & fixedMask == fixedValue, x & (ones &* 0xF0) == 0, (x &+ ones &* 0x06) & (ones &* 0xF0) == 0,
      !JSONLineScanner.isNumberByte(p[v + length])
    else { return nil }
    var m = (x & after) | (x & before) &<< 8
    m = m &* 10 &+ m &>> 8
    m =
      ((m & 0x0000_00FF_0000_00FF) &* (100 &+ 1_000_000 &<< 32)
        &+ ((m &>> 16) & 0x0000_00FF_0000_00FF) &* (1 &+ 10_000 &<< 32)) &>> 32
    let value = Double(m) / power
    return negative ? -value : value
  }
}
