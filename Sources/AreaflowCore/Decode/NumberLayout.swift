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
  /// The number's bytes; 0 for no layout, which takes nothing: its fixed byte must be 0x100, which no byte is.
  private(set) var length = 0
  /// Moves the number to the top bytes of the word loaded at its start.
  private var shift: UInt64 = 0
  /// In the moved word: the digit bytes; the sign and dot bytes and their values; the digits after the dot (all of
  /// them without a dot) and those before it.
  private var digits: UInt64 = 0
  private var fixedMask: UInt64 = 0xFF
  private var fixedValue: UInt64 = 0x100
  private var after: UInt64 = 0
  private var before: UInt64 = 0
  /// 10^f for the `f` digits after the dot.
  private var power: Double = 1
  private var negative = false

  init() {}

  /// The layout of the number text `p[start..<end]`, whose bytes may be read up to `limit`; no layout when it is not
  /// `[-]digits[.digits]` of at most eight bytes with a digit, or when a word from `start` cannot be read.
  ///
  /// The bytes are classified a word at a time (digits, dots and minus signs, as `JSONLineScanner.nonNumberBytes`
  /// tests them, each byte on its own seven low bits): the text is a layout when every byte is one of them, with at
  /// most one dot, a minus only first, and a digit somewhere.
  init(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int, readableTo limit: Int) {
    let n = end - start
    guard n >= 1, n <= 8, start + 8 <= limit else { return }
    let ones: UInt64 = 0x0101_0101_0101_0101
    let high = ones &* 0x80
    let low = ones &* 0x7F
    let shift = UInt64(64 - 8 * n)
    let s = UnsafeRawPointer(p + start).loadUnaligned(as: UInt64.self) &<< shift
    let inside = high & ~s & (~0 &<< shift)
    let y = s & low
    @inline(__always) func equal(_ t: UInt64) -> UInt64 { ~((t &+ low) | t) }
    let digitBits = (y &+ ones &* 0x50) & ~(y &+ ones &* 0x46) & inside
    let dotBits = equal(y ^ (ones &* 0x2E)) & inside
    let minusBits = equal(y ^ (ones &* 0x2D)) & inside & (0x80 &<< shift)
    guard digitBits != 0, dotBits.nonzeroBitCount <= 1,
      digitBits | dotBits | minusBits == high & (~0 &<< shift)
    else { return }
    length = n
    self.shift = shift
    digits = (digitBits &>> 7) &* 0xFF
    fixedMask = ((dotBits | minusBits) &>> 7) &* 0xFF
    fixedValue = s & fixedMask
    negative = minusBits != 0
    if dotBits == 0 {
      after = digits
    } else {
      let dotByte = UInt64(dotBits.trailingZeroBitCount >> 3)
      let below: UInt64 = (1 &<< (8 &* dotByte)) &- 1
      after = digits & ~below
      before = digits & below
      power = NumberParser.exactPower(7 - Int(dotByte))
    }
  }

  /// The value of the number starting at `v` when it follows this layout (see the type's comment), else nil.
  /// `terminator` is a byte that cannot continue a number (or 0x100, none) expected after it, compared first.
  @inline(__always)
  func value(_ p: UnsafePointer<UInt8>, _ v: Int, _ limit: Int, terminator: UInt16 = 0x100) -> Double? {
    guard v + 8 < limit else { return nil }
    let s = UnsafeRawPointer(p + v).loadUnaligned(as: UInt64.self) &<< shift
    let ones: UInt64 = 0x0101_0101_0101_0101
    let x = (s ^ (ones &* 0x30)) & digits
    guard s & fixedMask == fixedValue, x & (ones &* 0xF0) == 0, (x &+ ones &* 0x06) & (ones &* 0xF0) == 0,
      UInt16(p[v + length]) == terminator || !JSONLineScanner.isNumberByte(p[v + length])
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
