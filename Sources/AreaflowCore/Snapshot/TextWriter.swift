/// Appends text to a byte buffer: the shared output path of the CSV and NDJSON encoders and the side outputs.
struct TextWriter {
  var bytes: [UInt8] = []

  mutating func write(_ s: String) {
    var s = s
    s.withUTF8 { bytes.append(contentsOf: $0) }
  }

  /// Decimal digits of an integer, without building a String.
  mutating func write(integer v: Int64) {
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
  mutating func write(byte: UInt8) { bytes.append(byte) }

  /// Shortest text that reads back as the same Double; integral values keep a `.0` so readers infer a float type.
  mutating func write(double d: Double) {
    if d.isNaN {
      write("NaN")
    } else if d.isInfinite {
      write(d > 0 ? "Infinity" : "-Infinity")
    } else if d == d.rounded(), abs(d) < 1e15 {
      // Integral values: digits and ".0", as `description` would print them, without the float formatter.
      write(integer: Int64(d))
      bytes.append(46)
      bytes.append(48)
    } else {
      write(d.description)
    }
  }

  /// `s` as a JSON string literal, quotes included. Invalid UTF-8 was already replaced when the String was made.
  mutating func write(jsonString s: String) {
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
  mutating func write(csvField s: String) {
    if s.utf8.contains(where: { $0 == 44 || $0 == 34 || $0 == 10 || $0 == 13 }) {
      bytes.append(34)
      for b in s.utf8 {
        if b == 34 { bytes.append(34) }
        bytes.append(b)
      }
      bytes.append(34)
    } else {
      write(s)
    }
  }
}
