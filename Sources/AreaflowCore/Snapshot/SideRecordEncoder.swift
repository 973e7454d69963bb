/// Formats `_rejects/` and `_late/` records: one JSON object per line naming the input, the line number, the reason
/// or the window, and the raw line cut at 4 KiB (under `privacy`, the line with its pseudonymised fields replaced,
/// or no line at all: see `LineRedactor`).
public enum SideRecordEncoder {
  public static let rawLimit = 4096

  /// A reject record.
  public static func reject(
    input: String, line: Int64, reason: RejectReason, raw: ArraySlice<UInt8>?, into w: inout [UInt8]
  ) {
    // Written straight onto `w` (moved into the writer and back): no String or buffer per record.
    var t = TextWriter()
    swap(&t.bytes, &w)
    defer { swap(&t.bytes, &w) }
    t.write("{\"input\":")
    t.write(jsonString: input)
    t.write(",\"line\":")
    t.write(integer: line)
    t.write(",\"reason\":\"")
    t.write(reason.name)
    t.write("\"")
    writeRaw(raw, &t)
    t.write("}\n")
  }

  /// A late record.
  public static func late(
    input: String, line: Int64, window: String, windowStart: Int64, lateWindows: Int, eventTime: Int64,
    raw: ArraySlice<UInt8>?, into w: inout [UInt8]
  ) {
    var t = TextWriter()
    swap(&t.bytes, &w)
    defer { swap(&t.bytes, &w) }
    t.write("{\"input\":")
    t.write(jsonString: input)
    t.write(",\"line\":")
    t.write(integer: line)
    t.write(",\"window\":")
    t.write(jsonString: window)
    t.write(",\"window_start\":\"")
    t.write(rfc3339Millis: WindowMath.floorDiv(windowStart, 1_000_000))
    t.write("\",\"late_windows\":")
    t.write(integer: Int64(lateWindows))
    t.write(",\"event_time\":\"")
    t.write(rfc3339Millis: WindowMath.floorDiv(eventTime, 1_000_000))
    t.write("\"")
    writeRaw(raw, &t)
    t.write("}\n")
  }

  /// Writes `,"raw":"…"`, or nothing when the line must not be kept.
  private static func writeRaw(_ raw: ArraySlice<UInt8>?, _ t: inout TextWriter) {
    guard let raw else { return }
    t.write(",\"raw\":")
    var cut = raw.prefix(rawLimit)
    // Do not split a UTF-8 sequence at the cut.
    if raw.count > rawLimit {
      while let last = cut.last, last & 0xC0 == 0x80 { cut = cut.dropLast() }
      if let last = cut.last, last >= 0xC0 { cut = cut.dropLast() }
    }
    // ASCII (nearly every line) is valid UTF-8 as it is; anything else goes through String, which replaces invalid
    // sequences.
    let written = cut.withUnsafeBufferPointer { bytes -> Bool in
      guard bytes.allSatisfy({ $0 < 0x80 }) else { return false }
      t.write(jsonString: bytes)
      return true
    }
    if !written { t.write(jsonString: String(decoding: cut, as: UTF8.self)) }
  }
}
