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

  /// Keys of every length from 0 to 20 bytes, recorded with and without the colon right after them, predicted and
  /// then changed in one byte, near and far from the line's end: a match exactly when the bytes are the recorded
  /// key's, its closing quote and, when recorded, the colon.
  @Test func predictedKeysMatchOnlyTheirOwnBytes() {
    for n in 0...20 {
      let key = (0..<n).map { Character(String(UnicodeScalar(UInt8(97 + $0 % 26)))) }
      for colon in [true, false] {
        let recorded = "\"" + String(key) + (colon ? "\":1}" : "\" :1}")
        var order = KeyOrder()
        bytes(recorded) { p, count in order.record(0, p, 1, 1 + n, slot: 7, colon: colon) }
        for tail in ["\":1}", "\":", "\" :1}", "\""] {
          let matches = !colon || tail.hasPrefix("\":")
          bytes("\"" + String(key) + tail) { p, count in
            let m = order.match(0, p, 0, count)
            if matches {
              #expect(m?.keyEnd == 1 + n && m?.slot == 7 && m?.colon == colon, "\(n) \(tail)")
            } else {
              #expect(m == nil, "\(n) \(tail)")
            }
          }
          for k in 0..<n {
            var changed = key
            changed[k] = "Z"
            bytes("\"" + String(changed) + tail) { p, count in
              #expect(order.match(0, p, 0, count) == nil, "\(n) \(k)")
            }
          }
          bytes("\"" + String(key) + "x" + tail) { p, count in #expect(order.match(0, p, 0, count) == nil) }
        }
        bytes("\"" + String(key) + "\":1}") { p, count in #expect(order.match(1, p, 0, count) == nil) }
      }
    }
  }
}
