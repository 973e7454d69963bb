import AreaflowGenerate
import Testing

@testable import AreaflowCore

/// The decoder's fast paths against the general code they stand in for: short decimals in `NumberParser`, the
/// remembered day in `TimeParser`, the word compares of `KeyOrder`.
@Suite struct DecodeFastPathTests {
  func bytes(_ text: String, _ body: (UnsafePointer<UInt8>, Int) -> Void) {
    let b = Array(text.utf8) + [0]
    b.withUnsafeBufferPointer { body($0.baseAddress!, b.count - 1) }
  }

  /// Random decimals of every length up to 22 digits, with and without sign, point and leading zeros: the result
  /// is the standard library's correctly rounded one, on both sides of the 19-digit and 2^53 limits.
  @Test func shortDecimalsAreCorrectlyRounded() {
    var random = SeededRandom(seed: 23)
    var texts = [
      "0", "-0", "0.0", "5.", ".5", "-.5", "+7", "00012.500", "9007199254740991", "9007199254740992",
      "9007199254740993", "0.9007199254740993", "1234567890123456789", "12345678901234567890", "0.0000000000000000001",
      "52.63283", "13.47970", "24.3", "-23", "8", "99999999999999999.99", "4.35", "0.1", "0.3",
    ]
    for _ in 0..<50_000 {
      let whole = random.below(12)
      let fraction = random.below(12)
      var text = random.below(3) == 0 ? "-" : ""
      for _ in 0..<whole { text.append(Character(String(random.below(10)))) }
      if fraction > 0 || whole == 0 {
        text.append(".")
        for _ in 0..<max(fraction, 1) { text.append(Character(String(random.below(10)))) }
      }
      texts.append(text)
    }
    for text in texts {
      bytes(text) { p, n in
        let parsed = NumberParser.parseDouble(p, 0, n)
        // The general path's strtod, and the standard library where it reads the same forms.
        let expected = NumberParser.slowParse(p, 0, n)
        #expect(parsed != nil && parsed == expected, "\(text)")
        if !text.hasPrefix("+"), !text.hasSuffix("."), !text.hasPrefix("."), !text.hasPrefix("-.") {
          #expect(parsed == Double(text), "\(text)")
        }
        #expect(parsed?.sign == expected?.sign, "\(text)")
      }
    }
  }

  /// One cache across many times, days changing now and then and invalid dates in between: every result is the
  /// one a fresh parse gives.
  @Test func rememberedDayGivesTheSameTimes() {
    let parser = TimeParser(format: .auto)
    var cache = TimeParser.DayCache()
    var random = SeededRandom(seed: 4)
    var texts = [
      "2026-02-30T00:00:00Z", "2026-03-02T07:59:59.760Z", "2026-03-02T24:00:00Z", "2026-03-02T07:59:59.760Z",
      "2024-02-29T23:59:60.5+01:00", "2023-02-29T00:00:00Z", "2026-03-02T08:00:00.1234567891Z", "2026-03-02",
      "2026-03-02T08:00:00", "1772438400",
    ]
    for _ in 0..<5_000 {
      let day = 1 + random.below(31)
      let month = 1 + random.below(13)
      let fraction = random.below(2) == 0 ? "" : "." + String(random.below(1000))
      texts.append(
        "2026-\(month < 10 ? "0" : "")\(month)-\(day < 10 ? "0" : "")\(day)T0\(random.below(10)):1\(random.below(10)):2\(random.below(10))\(fraction)Z"
      )
    }
    for text in texts {
      bytes(text) { p, n in
        #expect(parser.parse(p, 0, n, days: &cache) == parser.parse(p, 0, n), "\(text)")
      }
    }
  }

  /// One cache across many times sharing minutes and days, the usual `:SS.mmmZ` rest and every other rest (other
  /// fractions, zones, leap seconds, bad digits, bad separators, trailing bytes) in between: every result is the one
  /// a fresh parse gives, and the one the former parser (no minute cache, no word read) gives.
  @Test func rememberedMinuteGivesTheSameTimes() {
    let parser = TimeParser(format: .auto)
    var cache = TimeParser.DayCache()
    var random = SeededRandom(seed: 9)
    let rests = [
      ":59.760Z", ":00.000z", ":60.999Z", ":61.000Z", ":5a.760Z", ":59,760Z", ":59.76xZ", ":59.760", ":59.760Zx",
      ":59Z", ":59.7Z", ":59.123456789123Z", ":59.760+01:00", ":59.760-23:59", ":59.760+24:00", ":59.Z", ";59.760Z",
      ":59.760Y", ":99.760Z", ":59.760 ", ":59.7600Z", ":/9.760Z", ":59.:60Z", ":5 .760Z",
    ]
    let minutes = [
      "2026-03-02T07:59", "2026-03-02T08:00", "2026-03-02t08:00", "2026-03-02 08:00", "2026-03-02T24:00",
      "2026-03-02T08:60", "2026-02-30T08:00", "9999-12-31T23:59", "0000-01-01T00:00", "2026-03-02T0a:00",
    ]
    var texts: [String] = []
    for _ in 0..<40_000 {
      var minute = minutes[random.below(minutes.count)]
      if random.chance(0.3) {
        minute = "2026-03-0\(1 + random.below(3))T0\(random.below(10)):\(random.below(6))\(random.below(10))"
      }
      var rest = rests[random.below(rests.count)]
      if random.chance(0.5) {
        rest = ":\(random.below(7))\(random.below(10)).\(random.below(10))\(random.below(10))\(random.below(10))Z"
      }
      texts.append(minute + rest)
    }
    for text in texts {
      bytes(text) { p, n in
        let cached = parser.parse(p, 0, n, days: &cache)
        #expect(cached == parser.parse(p, 0, n), "\(text)")
        #expect(cached == Self.formerRFC3339(Array(text.utf8)), "\(text)")
      }
    }
  }

  /// The RFC 3339 parser before the date, minute and word shortcuts, digit by digit: the definition.
  static func formerRFC3339(_ b: [UInt8]) -> Int64? {
    guard b.count >= 20 else { return nil }
    func digits(_ at: Int, _ n: Int) -> Int? {
      var v = 0
      for k in at..<(at + n) {
        let d = b[k] &- 48
        guard d < 10 else { return nil }
        v = v * 10 + Int(d)
      }
      return v
    }
    guard let year = digits(0, 4), b[4] == 45, let month = digits(5, 2), b[7] == 45, let day = digits(8, 2),
      (1...12).contains(month), day >= 1, day <= TimeParser.daysInMonth(year, month),
      b[10] | 0x20 == 116 || b[10] == 32, let hour = digits(11, 2), b[13] == 58, let minute = digits(14, 2),
      b[16] == 58, let second = digits(17, 2), hour < 24, minute < 60, second < 61
    else { return nil }
    var i = 19
    var nanos: Int64 = 0
    if i < b.count, b[i] == 46 {
      i += 1
      let fractionStart = i
      var taken = 0
      while i < b.count, b[i] &- 48 < 10 {
        if taken < 9 {
          nanos = nanos * 10 + Int64(b[i] &- 48)
          taken += 1
        }
        i += 1
      }
      guard i > fractionStart else { return nil }
      for _ in taken..<9 { nanos *= 10 }
    }
    guard i < b.count else { return nil }
    var offset = 0
    if b[i] | 0x20 == 122 {
      i += 1
    } else if b[i] == 43 || b[i] == 45 {
      guard b.count - i >= 6, let oh = digits(i + 1, 2), b[i + 3] == 58, let om = digits(i + 4, 2), oh < 24, om < 60
      else { return nil }
      offset = (oh * 3600 + om * 60) * (b[i] == 45 ? -1 : 1)
      i += 6
    } else {
      return nil
    }
    guard i == b.count else { return nil }
    let days = CivilDate.daysFromCivil(year: year, month: month, day: day)
    let seconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + min(second, 59)) - Int64(offset)
    let (ns, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
    return overflow ? nil : ns + nanos
  }

  /// Strings of every length from 0 to 40 bytes at every place in a buffer, so the last partial word is loaded
  /// from the string's start, from its end, or byte by byte: always the hash of the byte loop.
  @Test func boundedHashEqualsTheByteLoop() {
    var random = SeededRandom(seed: 12)
    for _ in 0..<200 {
      let count = random.below(48)
      let buffer = (0..<count).map { _ in UInt8(random.below(256)) }
      buffer.withUnsafeBufferPointer { b in
        guard let p = b.baseAddress else { return }
        for start in 0...count {
          for end in start...count {
            let want = ByteHasher.hash(p, start, end)
            #expect(ByteHasher.hash(p, start, end, readableFrom: 0, to: count) == want, "\(start) \(end) of \(count)")
            #expect(ByteHasher.hash(p, start, end, readableFrom: start, to: end) == want)
          }
        }
      }
    }
  }

  /// Lines that follow the recorded shape, and lines that leave it anywhere (other keys, spacing, order, kinds,
  /// escapes, nesting, truncation, line breaks and carriage returns, more or fewer keys): decoding them one after
  /// another, so each line meets the previous line's shape, gives exactly the tokens and verdict of scanning each
  /// line alone, within its bounds, with no shape recorded.
  @Test func shapeReplayGivesTheGeneralScansTokens() throws {
    let config = try ConfigLoader(file: "c.yaml").load(
      """
      input:
        time: ts
        lat: pos.lat
        lon: lon
        dimensions: [route]
      areas: [{name: g, geohash: 5}]
      windows: [{name: w, tumbling: 1m}]
      features:
        n: count
        s: {sum: speed_kmh}
        d: {distinct: vehicle_id}
        m: {max: a_rather_long_key_name_for_a_value}
      """)
    let plan = FieldPlan(config: config)
    var random = SeededRandom(seed: 21)
    let base =
      #"{"ts":"2026-03-02T07:59:59.760Z","vehicle_id":"bus-0001","route":"B16","pos":{"lat":52.63283},"lon":13.47970,"speed_kmh":24.3,"a_rather_long_key_name_for_a_value":7}"#
    let pieces: [UInt8] = Array(#" ,:{}[]"x1-.e"#.utf8) + [9, 13, 10, 92]
    var lines: [[UInt8]] = []
    for _ in 0..<30_000 {
      var line = Array(base.utf8)
      if random.chance(0.5) {
        for _ in 0..<(1 + random.below(3)) {
          let at = random.below(line.count + 1)
          switch random.below(4) {
          case 0: line.insert(pieces[random.below(pieces.count)], at: at)
          case 1: if at < line.count { line.remove(at: at) }
          case 2: if at < line.count { line[at] = pieces[random.below(pieces.count)] }
          default: line = Array(line[..<at])
          }
        }
      }
      lines.append(line)
    }
    lines += [
      Array(#"{}"#.utf8), Array(#" { } "#.utf8), Array(#"{"ts":"x"}"#.utf8), Array(base.utf8),
      Array(#"{"ts":"a\"b","route":"c"}"#.utf8), Array(#"{"ts":"a\"b","route":"c"}"#.utf8),
    ]
    var order = KeyOrder()
    let slots = plan.names.count
    for line in lines {
      // The line in a chunk with a line after it, the way the decoder meets it.
      let chunk = line + [10] + Array(base.utf8) + [10]
      chunk.withUnsafeBufferPointer { b in
        let p = b.baseAddress!
        let replayed = UnsafeMutableBufferPointer<FieldToken>.allocate(capacity: slots)
        let alone = UnsafeMutableBufferPointer<FieldToken>.allocate(capacity: slots)
        defer {
          replayed.deallocate()
          alone.deallocate()
        }
        replayed.initialize(repeating: FieldToken())
        alone.initialize(repeating: FieldToken())
        let lineEnd = JSONLineScanner.scanLine(p, 0, b.count, plan: plan, tokens: replayed, order: &order)
        let end = chunk.firstIndex(of: 10)!
        let contentEnd = end > 0 && chunk[end - 1] == 13 ? end - 1 : end
        var fresh = KeyOrder()
        let wellFormed = JSONLineScanner.scan(p, 0, contentEnd, plan: plan, tokens: alone, order: &fresh)
        if let lineEnd {
          #expect(wellFormed && lineEnd == end, "\(String(decoding: line, as: UTF8.self))")
          for k in 0..<slots {
            let (x, y) = (replayed[k], alone[k])
            #expect(
              x.kind == y.kind && x.start == y.start && x.end == y.end && x.escaped == y.escaped,
              "slot \(k) of \(String(decoding: line, as: UTF8.self))")
          }
        } else {
          // Refused lines are scanned again within their bounds by the decoder: only a refusal by both is right.
          #expect(!wellFormed, "\(String(decoding: line, as: UTF8.self))")
        }
      }
    }
  }

  /// Separators of every length from 1 to 40 bytes, recorded and then met again, changed in one byte, and near
  /// the end of the readable bytes: a match exactly when the bytes are the recorded ones.
  @Test func recordedSeparatorsMatchOnlyTheirOwnBytes() throws {
    let config = try ConfigLoader(file: "c.yaml").load(
      """
      input: {time: ts, lat: lat, lon: lon}
      areas: [{name: g, geohash: 5}]
      windows: [{name: w, tumbling: 1m}]
      features: {n: count}
      """)
    let plan = FieldPlan(config: config)
    for n in 1...40 {
      let separator = (0..<n).map { UInt8(97 + $0 % 26) }
      var order = KeyOrder()
      let recorded = separator + Array("1}".utf8) + [UInt8](repeating: 32, count: 16)
      recorded.withUnsafeBufferPointer { b in
        order.record(0, b.baseAddress!, 0, n, string: false, target: -1)
        order.recordTail(1, b.baseAddress!, n + 1, n + 2)
      }
      let tokens = UnsafeMutableBufferPointer<FieldToken>.allocate(capacity: plan.names.count)
      defer { tokens.deallocate() }
      func replay(_ line: [UInt8]) -> (Int, Int, Int?) {
        line.withUnsafeBufferPointer { b in order.replay(b.baseAddress!, 0, b.count, plan: plan, tokens: tokens) }
      }
      let same = replay(separator + Array("1}".utf8) + [UInt8](repeating: 32, count: 16))
      #expect(same.0 == 1 && same.1 == n + 1 && same.2 == n + 2, "\(n)")
      // Near the end of the readable bytes: a separator needs eight of them (the word it is compared in), the
      // tail is then compared byte by byte.
      let short = replay(separator + Array("1}".utf8))
      #expect(short.0 == (n >= 6 ? 1 : 0) && short.2 == (n >= 6 ? n + 2 : nil), "\(n)")
      for k in 0..<n {
        var changed = separator
        changed[k] = 90
        let r = replay(changed + Array("1}".utf8) + [UInt8](repeating: 32, count: 16))
        #expect(r.0 == 0 && r.1 == 0 && r.2 == nil, "\(n) \(k)")
      }
      let otherTail = replay(separator + Array("1]".utf8) + [UInt8](repeating: 32, count: 16))
      #expect(otherTail.0 == 1 && otherTail.1 == n + 1 && otherTail.2 == nil, "\(n)")
    }
  }
}
