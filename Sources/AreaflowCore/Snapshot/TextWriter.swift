/// Appends text to a byte array: the output path of the NDJSON encoder, the side records and the HTTP API (CSV cells go
/// through `ByteBuffer`, with the same number text from `NumberText`).
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
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: NumberText.maxLength) { scratch in
      let n = NumberText.write(integer: v, to: scratch.baseAddress!)
      bytes.append(contentsOf: UnsafeBufferPointer(rebasing: scratch[..<n]))
    }
  }

  public mutating func write(byte: UInt8) { bytes.append(byte) }

  /// Shortest text that reads back as the same Double; integral values keep a `.0` so readers infer a float type
  /// (`NumberText`, the same text as the CSV cells of `ByteBuffer`).
  public mutating func write(double d: Double) {
    let short = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: NumberText.maxLength) { scratch in
      guard let n = NumberText.write(double: d, to: scratch.baseAddress!) else { return false }
      bytes.append(contentsOf: UnsafeBufferPointer(rebasing: scratch[..<n]))
      return true
    }
    if short {
      return
    } else if d.isNaN {
      write("NaN")
    } else if d.isInfinite {
      write(d > 0 ? "Infinity" : "-Infinity")
    } else {
      // The shortest round-trip digits, formatted by the standard library into `_writeASCII`: the text of
      // `description` without a String per value.
      d.write(to: &self)
    }
  }

  /// `s` as a JSON string literal, quotes included. Invalid UTF-8 was already replaced when the String was made.
  public mutating func write(jsonString s: String) {
    var s = s
    s.withUTF8 { write(jsonString: $0) }
  }

  static var hexDigits: StaticString { "0123456789abcdef" }

  /// Valid UTF-8 `text` as a JSON string literal, quotes included.
  ///
  /// Written into scratch memory through a pointer and appended at once: raw lines (side records) escape every
  /// quote of their JSON, and appending byte by byte or by runs cost tens of instructions per byte.
  public mutating func write(jsonString text: UnsafeBufferPointer<UInt8>) {
    // At most six bytes (`\u00XX`) per byte, and the two quotes.
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: text.count * 6 + 2) { scratch in
      let out = scratch.baseAddress!
      let hex = UnsafeRawPointer(Self.hexDigits.utf8Start)
      out[0] = 34
      var n = 1
      for b in text {
        if b >= 32 && b != 34 && b != 92 {
          out[n] = b
          n += 1
          continue
        }
        out[n] = 92
        switch b {
        case 34, 92: out[n + 1] = b
        case 10: out[n + 1] = 110
        case 13: out[n + 1] = 114
        case 9: out[n + 1] = 116
        default:
          out[n + 1] = 117
          out[n + 2] = 48
          out[n + 3] = 48
          out[n + 4] = hex.load(fromByteOffset: Int(b >> 4), as: UInt8.self)
          out[n + 5] = hex.load(fromByteOffset: Int(b & 15), as: UInt8.self)
          n += 4
        }
        n += 2
      }
      out[n] = 34
      bytes.append(contentsOf: UnsafeBufferPointer(start: out, count: n + 1))
    }
  }

  /// `CivilDate.rfc3339(millis:)` without the String.
  public mutating func write(rfc3339Millis millis: Int64) {
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: CivilDate.rfc3339Length) { scratch in
      CivilDate.writeRFC3339(millis: millis, to: scratch.baseAddress!)
      bytes.append(contentsOf: UnsafeBufferPointer(scratch))
    }
  }
}
