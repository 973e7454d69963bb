import Testing

@testable import AreaflowCore

@Suite struct TimeParserTests {
  func parse(_ text: String, _ format: TimeFormat) -> Int64? {
    let bytes = Array(text.utf8)
    return bytes.withUnsafeBufferPointer { b in
      TimeParser(format: format).parse(b.baseAddress ?? UnsafePointer(bitPattern: 1)!, 0, b.count)
    }
  }

  @Test func rfc3339Forms() {
    #expect(parse("1970-01-01T00:00:00Z", .rfc3339) == 0)
    #expect(parse("2026-03-02T08:00:00.123Z", .rfc3339) == 1_772_438_400_123_000_000)
    #expect(parse("2026-03-02T09:00:00.123+01:00", .rfc3339) == 1_772_438_400_123_000_000)
    #expect(parse("2026-03-02T07:30:00-00:30", .rfc3339) == 1_772_438_400_000_000_000)
    #expect(parse("2026-03-02t08:00:00.000000001z", .rfc3339) == 1_772_438_400_000_000_001)
    #expect(parse("2024-02-29T00:00:00Z", .rfc3339) != nil)
    #expect(parse("1969-12-31T23:59:59Z", .rfc3339) == -1_000_000_000)
  }

  @Test(arguments: [
    "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z", "2026-03-02T24:00:00Z", "2026-03-02T08:00:00",
    "2026-03-02 08:00:00+0100", "2026-03-02T08:00:00.Z", "yesterday", "", "2026-03-02T08:00:00Zjunk",
  ])
  func invalidRFC3339IsRejected(text: String) {
    #expect(parse(text, .rfc3339) == nil)
    #expect(parse(text, .auto) == nil)
  }

  @Test func autoPicksTheUnitByMagnitude() {
    #expect(parse("1772438400", .auto) == 1_772_438_400_000_000_000)
    #expect(parse("1772438400.5", .auto) == 1_772_438_400_500_000_000)
    #expect(parse("1772438400123", .auto) == 1_772_438_400_123_000_000)
    #expect(parse("1772438400123456", .auto) == 1_772_438_400_123_456_000)
    #expect(parse("1772438400123456789", .auto) == 1_772_438_400_123_456_789)
    #expect(parse("2026-03-02T08:00:00Z", .auto) == 1_772_438_400_000_000_000)
  }

  @Test func explicitEpochUnits() {
    #expect(parse("1772438400", .epoch_s) == 1_772_438_400_000_000_000)
    #expect(parse("1772438400123", .epoch_ms) == 1_772_438_400_123_000_000)
    #expect(parse("1772438400123.5", .epoch_ms) == 1_772_438_400_123_500_000)
    #expect(parse("5", .epoch_us) == 5_000)
    #expect(parse("5", .epoch_ns) == 5)
    #expect(parse("-1.5", .epoch_s) == -1_500_000_000)
    #expect(parse("12ab", .epoch_s) == nil)
    #expect(parse("99999999999999999999", .epoch_s) == nil)
  }

  @Test func durations() {
    #expect(DurationParser.parse("500ms") == 500_000_000)
    #expect(DurationParser.parse("30s") == 30_000_000_000)
    #expect(DurationParser.parse("5m") == 300_000_000_000)
    #expect(DurationParser.parse("1h") == 3_600_000_000_000)
    #expect(DurationParser.parse("1d") == 86_400_000_000_000)
    #expect(DurationParser.parse("0s") == 0)
    for bad in ["", "5", "m", "1.5m", "-1s", "5 min", "1w"] { #expect(DurationParser.parse(bad) == nil, "\(bad)") }
    #expect(DurationParser.format(300_000_000_000) == "5m")
    #expect(DurationParser.format(1_500_000_000) == "1500ms")
  }
}
