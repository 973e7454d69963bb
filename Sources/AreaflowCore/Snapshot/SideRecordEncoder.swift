/// Formats `_rejects/` and `_late/` records: one JSON object per line naming the input, the line number, the reason
/// or the window, and the raw line cut at 4 KiB (under `privacy`, the line with its pseudonymised fields replaced,
/// or no line at all: see `LineRedactor`).
public enum SideRecordEncoder {
  public static let rawLimit = 4096

  /// A reject record.
  public static func reject(
    input: String, line: Int64, reason: RejectReason, raw: ArraySlice<UInt8>?, into w: inout [UInt8]
  ) {
    var t = TextWriter()
    t.write("{\"input\":")
    t.write(jsonString: input)
    t.write(",\"line\":\(line),\"reason\":\"\(reason.name)\"")
    writeRaw(raw, &t)
    t.write("}\n")
    w.append(contentsOf: t.bytes)
  }

  /// A late record.
  public static func late(
    input: String, line: Int64, window: String, windowStart: Int64, lateWindows: Int, eventTime: Int64,
    raw: ArraySlice<UInt8>?, into w: inout [UInt8]
  ) {
    var t = TextWriter()
    t.write("{\"input\":")
    t.write(jsonString: input)
    t.write(",\"line\":\(line),\"window\":")
    t.write(jsonString: window)
    t.write(",\"window_start\":\"\(CivilDate.rfc3339(millis: WindowMath.floorDiv(windowStart, 1_000_000)))\"")
    t.write(
      ",\"late_windows\":\(lateWindows),\"event_time\":\"\(CivilDate.rfc3339(millis: WindowMath.floorDiv(eventTime, 1_000_000)))\""
    )
    writeRaw(raw, &t)
    t.write("}\n")
    w.append(contentsOf: t.bytes)
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
    t.write(jsonString: String(decoding: cut, as: UTF8.self))
  }
}
