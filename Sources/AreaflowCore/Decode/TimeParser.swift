/// Turns an event's time field into nanoseconds since the Unix epoch, following the config's `time.format`.
///
/// Works on the field's raw bytes (the JSON string's content or the CSV cell) so the hot path never builds a
/// `String` or a `Date`.
public struct TimeParser: Sendable {
  public let format: TimeFormat

  public init(format: TimeFormat) { self.format = format }

  /// Nanoseconds since the epoch, or nil when the text is not a valid time in this format.
  /// - Complexity: O(end - start), no allocation.
  public func parse(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Int64? {
    var days = DayCache()
    return parse(p, start, end, days: &days)
  }

  /// `parse`, remembering the day number of the last RFC 3339 date seen in `days`: a feed's consecutive events
  /// nearly always fall on the same day, so its date is parsed and checked once instead of per event.
  @inline(__always)
  public func parse(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int, days: inout DayCache) -> Int64? {
    guard start < end else { return nil }
    switch format {
    case .epoch_s: return NumberParser.parseScaled(p, start, end, unitsPerOne: 1_000_000_000)
    case .epoch_ms: return NumberParser.parseScaled(p, start, end, unitsPerOne: 1_000_000)
    case .epoch_us: return NumberParser.parseScaled(p, start, end, unitsPerOne: 1_000)
    case .epoch_ns: return NumberParser.parseScaled(p, start, end, unitsPerOne: 1)
    case .rfc3339: return Self.parseRFC3339(p, start, end, days: &days)
    case .auto:
      let first = p[start]
      if first == 45 || first &- 48 < 10 {
        // Digits first: a number unless it has the shape of a date (YYYY-).
        if end - start >= 10, p[start + 4] == 45, first != 45 { return Self.parseRFC3339(p, start, end, days: &days) }
        return Self.parseAutoEpoch(p, start, end)
      }
      return nil
    }
  }

  /// What the last RFC 3339 parses read: the raw ten bytes of the last valid `YYYY-MM-DD` and its day number, and
  /// the raw sixteen bytes of the last valid `YYYY-MM-DDTHH:MM` and its first second since the epoch.
  public struct DayCache {
    var head: UInt64 = 0
    var tail: UInt16 = 0
    var days = 0
    /// False until a date has been stored: zero bytes are never a valid date, but the flag says it plainly.
    var filled = false
    var minuteHead: UInt64 = 0
    var minuteTail: UInt64 = 0
    var minuteSeconds: Int64 = 0
    var minuteFilled = false

    public init() {}
  }

  /// SPEC: epoch seconds below 1e11, milliseconds below 1e14, microseconds below 1e17, else nanoseconds.
  static func parseAutoEpoch(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Int64? {
    guard let magnitude = NumberParser.parseDouble(p, start, end) else { return nil }
    let a = abs(magnitude)
    let units: Int64 = a < 1e11 ? 1_000_000_000 : a < 1e14 ? 1_000_000 : a < 1e17 ? 1_000 : 1
    return NumberParser.parseScaled(p, start, end, unitsPerOne: units)
  }

  /// RFC 3339: `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`; `t` and a space are accepted for `T`, `z` for `Z`.
  public static func parseRFC3339(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Int64? {
    var days = DayCache()
    return parseRFC3339(p, start, end, days: &days)
  }

  /// `parseRFC3339`, taking the date, hour and minute from `cache` when the first sixteen bytes
  /// (`YYYY-MM-DDTHH:MM`) are the ones it holds, else the day number when the date's ten bytes are, and storing
  /// what it parsed otherwise: the same result either way, the digits and calendar checks of what matched skipped.
  /// Feeds write time-ordered events, so most times share their minute with the previous event's.
  @inline(__always)
  static func parseRFC3339(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int, days cache: inout DayCache)
    -> Int64?
  {
    guard end - start >= 20 else { return nil }
    let s = start
    let head = UnsafeRawPointer(p + s).loadUnaligned(as: UInt64.self)
    let middle = UnsafeRawPointer(p + s + 8).loadUnaligned(as: UInt64.self)
    let minuteSeconds: Int64
    if cache.minuteFilled, head == cache.minuteHead, middle == cache.minuteTail {
      minuteSeconds = cache.minuteSeconds
    } else {
      guard let parsed = parseMinute(p, s, head: head, days: &cache) else { return nil }
      minuteSeconds = parsed
      cache.minuteHead = head
      cache.minuteTail = middle
      cache.minuteSeconds = parsed
      cache.minuteFilled = true
    }
    // The usual rest, `:SS.mmmZ` (eight bytes, the line's end): checked and read from one word.
    if end - s == 24 {
      let w = UnsafeRawPointer(p + s + 16).loadUnaligned(as: UInt64.self)
      // Bytes 1, 2, 4, 5 and 6 are digits; byte 0 is `:`, byte 3 `.`, byte 7 `Z` or `z`.
      let digitBytes: UInt64 = 0x00FF_FFFF_00FF_FF00
      let d = w & digitBytes
      if w & 0xFF00_0000_FF00_00FF | 0x2000_0000_0000_0000 == 0x7A00_0000_2E00_003A,
        d & 0x00F0_F0F0_00F0_F000 == 0x0030_3030_0030_3000,
        (d &+ 0x0006_0606_0006_0600) & 0x00F0_F0F0_00F0_F000 == 0x0030_3030_0030_3000
      {
        let second = Int64((w >> 8) & 0xF) &* 10 &+ Int64((w >> 16) & 0xF)
        guard second < 61 else { return nil }
        let millis = Int64((w >> 32) & 0xF) &* 100 &+ Int64((w >> 40) & 0xF) &* 10 &+ Int64((w >> 48) & 0xF)
        let (ns, overflow) = (minuteSeconds + min(second, 59)).multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return nil }
        return ns + millis &* 1_000_000
      }
    }
    guard p[s + 16] == 58, let second = twoDigits(p, s + 17) else { return nil }
    guard second < 61 else { return nil }
    var i = s + 19
    var nanos: Int64 = 0
    if i < end, p[i] == 46 {
      i += 1
      // Nine digits make the nanoseconds; any further ones are read and dropped.
      let fractionStart = i
      var taken = 0
      while i < end, p[i] &- 48 < 10 {
        if taken < 9 {
          nanos = nanos &* 10 &+ Int64(p[i] &- 48)
          taken += 1
        }
        i += 1
      }
      guard i > fractionStart else { return nil }
      nanos &*= Self.nanoScale(taken)
    }
    guard i < end else { return nil }
    var offsetSeconds = 0
    if p[i] | 0x20 == 122 {  // Z
      i += 1
    } else if p[i] == 43 || p[i] == 45 {
      guard end - i >= 6, let oh = twoDigits(p, i + 1), p[i + 3] == 58, let om = twoDigits(p, i + 4), oh < 24, om < 60
      else { return nil }
      offsetSeconds = (oh * 3600 + om * 60) * (p[i] == 45 ? -1 : 1)
      i += 6
    } else {
      return nil
    }
    guard i == end else { return nil }
    let seconds = minuteSeconds + Int64(min(second, 59)) - Int64(offsetSeconds)
    let (ns, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
    if overflow { return nil }
    return ns + nanos
  }

  /// The first second of `YYYY-MM-DDTHH:MM` at `s` (`T` may be `t` or a space) since the epoch, or nil when those
  /// sixteen bytes are not a valid date, hour and minute; the day number comes from `cache` when the date's ten
  /// bytes are the ones it holds, and is stored there otherwise.
  @inline(never)
  static func parseMinute(_ p: UnsafePointer<UInt8>, _ s: Int, head: UInt64, days cache: inout DayCache) -> Int64? {
    let tail = UnsafeRawPointer(p + s + 8).loadUnaligned(as: UInt16.self)
    let days: Int
    if cache.filled, head == cache.head, tail == cache.tail {
      days = cache.days
    } else {
      guard let year = fourDigits(p, s), p[s + 4] == 45, let month = twoDigits(p, s + 5), p[s + 7] == 45,
        let day = twoDigits(p, s + 8), (1...12).contains(month), day >= 1, day <= Self.daysInMonth(year, month)
      else { return nil }
      days = CivilDate.daysFromCivil(year: year, month: month, day: day)
      cache.head = head
      cache.tail = tail
      cache.days = days
      cache.filled = true
    }
    guard p[s + 10] | 0x20 == 116 || p[s + 10] == 32,
      let hour = twoDigits(p, s + 11), p[s + 13] == 58, let minute = twoDigits(p, s + 14),
      hour < 24, minute < 60
    else { return nil }
    return Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60)
  }

  @inline(__always)
  static func twoDigits(_ p: UnsafePointer<UInt8>, _ at: Int) -> Int? {
    let a = p[at] &- 48
    let b = p[at + 1] &- 48
    guard a < 10, b < 10 else { return nil }
    return Int(a) &* 10 &+ Int(b)
  }

  @inline(__always)
  static func fourDigits(_ p: UnsafePointer<UInt8>, _ at: Int) -> Int? {
    guard let high = twoDigits(p, at), let low = twoDigits(p, at + 2) else { return nil }
    return high &* 100 &+ low
  }

  /// 10^(9 - taken): what a fraction of `taken` digits is multiplied by to make nanoseconds.
  @inline(__always)
  static func nanoScale(_ taken: Int) -> Int64 {
    switch taken {
    case 1: 100_000_000
    case 2: 10_000_000
    case 3: 1_000_000
    case 4: 100_000
    case 5: 10_000
    case 6: 1_000
    case 7: 100
    case 8: 10
    default: 1
    }
  }

  static func daysInMonth(_ year: Int, _ month: Int) -> Int {
    switch month {
    case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
    case 4, 6, 9, 11: return 30
    default: return 31
    }
  }
}
