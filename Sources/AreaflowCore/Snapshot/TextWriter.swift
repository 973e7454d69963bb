/// Appends text to a byte buffer: the shared output path of the CSV and NDJSON encoders and the side outputs.
///
/// Public so the HTTP API renders its JSON with the very number and time formatting of the NDJSON snapshots: the
/// API and the files then agree byte for byte on every value.
///
/// A `TextOutputStream` so that a `Double` writes itself here: the standard library formats it into a stack buffer
/// and hands the bytes to `_writeASCII`, the same digits as `description` without building a `String` per value.
public struct TextWriter: TextOutputStream {
  public var bytes: [UInt8] = []

  public init() {}

  public mutating func write(_ s: String) {
    var s = s
    s.withUTF8 { bytes.append(contentsOf: $0) }
  }

  /// The standard library's path for ASCII text it formatted itself (numbers): appended as it is.
  public mutating func _writeASCII(_ buffer: UnsafeBufferPointer<UInt8>) {
    bytes.append(contentsOf: buffer)
  }

  /// Decimal digits of an integer, without building a String.
  public mutating func write(integer v: Int64) {
    if v == 0 {
      bytes.append(48)
      return
    }
    if v < 0 { bytes.append(45) }
    var m = v.magnitude
    var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
    var n = 0
    withUnsafeMutableBytes(of: &digits) { d in
      while m > 0 {
        d[n] = UInt8(48 + m % 10)
        m /= 10
        n += 1
      }
      for k in stride(from: n - 1, through: 0, by: -1) { bytes.append(d[k]) }
    }
  }
  public mutating func write(byte: UInt8) { bytes.append(byte) }

  /// Shortest text that reads back as the same Double; integral values keep a `.0` so readers infer a float type.
  public mutating func write(double d: Double) {
    if d.isNaN {
      write("NaN")
    } else if d.isInfinite {
      write(d > 0 ? "Infinity" : "-Infinity")
    } else if d == d.rounded(), abs(d) < 1e15 {
      // Integral values: digits and ".0", as `description` would print them, without the float formatter.
      write(integer: Int64(d))
      bytes.append(46)
      bytes.append(48)
    } else if !writeShortDecimal(d) {
      // The shortest round-trip digits, as `description` prints them (NaN and infinities never get here).
      d.write(to: &self)
    }
  }

  private static let powersOfTen: [Double] = [1, 10, 100, 1000, 10000, 100_000, 1_000_000]

  /// Values with at most six decimals (speeds, coordinates, most measurements) printed as digits directly: when
  /// `m / 10^k` (exact integer over exact power, correctly rounded) equals `d`, the text `m` with `k` decimals
  /// parses back to `d` and no shorter form exists, which is what `description` would print.
  ///
  /// A value with fewer decimals also passes the six-decimal test (`a · 10^6` rounds to `m · 10^(6−k)` exactly,
  /// the error being far below one half under 1e15), so one test rejects every other value (means, standard
  /// deviations) before the loop looks for the fewest decimals.
  private mutating func writeShortDecimal(_ d: Double) -> Bool {
    let a = abs(d)
    guard a >= 1e-4, a < 1e9 else { return false }
    let last = Self.powersOfTen[Self.powersOfTen.count - 1]
    guard (a * last).rounded() / last == a else { return false }
    for k in 1..<Self.powersOfTen.count {
      let p = Self.powersOfTen[k]
      let m = (a * p).rounded()
      guard m / p == a else { continue }
      var digits = Int64(m)
      if d < 0 { bytes.append(45) }
      var text: (UInt64, UInt64, UInt64) = (0, 0, 0)
      withUnsafeMutableBytes(of: &text) { t in
        var n = 0
        while digits > 0 || n <= k {
          t[n] = UInt8(48 + digits % 10)
          digits /= 10
          n += 1
        }
        for i in stride(from: n - 1, through: 0, by: -1) {
          bytes.append(t[i])
          if i == k { bytes.append(46) }
        }
      }
      return true
    }
    return false
  }

  /// `s` as a JSON string literal, quotes included. Invalid UTF-8 was already replaced when the String was made.
  public mutating func write(jsonString s: String) {
    bytes.append(34)
    for b in s.utf8 {
      switch b {
      case 34: bytes.append(contentsOf: [92, 34])
      case 92: bytes.append(contentsOf: [92, 92])
      case 10: bytes.append(contentsOf: [92, 110])
      case 13: bytes.append(contentsOf: [92, 114])
      case 9: bytes.append(contentsOf: [92, 116])
      case 0..<32:
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        bytes.append(contentsOf: [92, 117, 48, 48, hex[Int(b >> 4)], hex[Int(b & 15)]])
      default: bytes.append(b)
      }
    }
    bytes.append(34)
  }

  /// `s` as a CSV field, quoted only when it holds a comma, quote or line break.
  ///
  /// Checked and copied through one contiguous view of the text (every area, window and dimension cell passes
  /// here): scanning `s.utf8` as a collection went through its generic iterator byte by byte.
  mutating func write(csvField s: String) {
    var s = s
    s.withUTF8 { text in
      if text.contains(where: { $0 == 44 || $0 == 34 || $0 == 10 || $0 == 13 }) {
        bytes.append(34)
        for b in text {
          if b == 34 { bytes.append(34) }
          bytes.append(b)
        }
        bytes.append(34)
      } else {
        bytes.append(contentsOf: text)
      }
    }
  }
}
