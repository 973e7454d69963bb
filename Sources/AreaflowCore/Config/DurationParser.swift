/// Parses the duration words of the config (`500ms`, `30s`, `5m`, `1h`, `1d`) into nanoseconds.
public enum DurationParser {
  private static let units: [(suffix: String, nanos: Int64)] = [
    ("ms", 1_000_000), ("us", 1_000), ("ns", 1), ("s", 1_000_000_000), ("m", 60_000_000_000),
    ("h", 3_600_000_000_000), ("d", 86_400_000_000_000),
  ]

  /// Returns the duration in nanoseconds, or nil when the text is not a non-negative integer followed by a unit.
  public static func parse(_ text: String) -> Int64? {
    let trimmed = text.trimmingWhitespace()
    for unit in units where trimmed.hasSuffix(unit.suffix) {
      let digits = trimmed.dropLast(unit.suffix.count)
      guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int64(digits) else {
        continue
      }
      let (product, overflow) = value.multipliedReportingOverflow(by: unit.nanos)
      return overflow ? nil : product
    }
    return nil
  }

  /// Formats nanoseconds back into the shortest exact duration word, for messages and `check`.
  public static func format(_ nanos: Int64) -> String {
    if nanos == 0 { return "0s" }
    for unit in [
      ("d", Int64(86_400_000_000_000)), ("h", 3_600_000_000_000), ("m", 60_000_000_000),
      ("s", 1_000_000_000), ("ms", 1_000_000), ("us", 1_000),
    ]
    where nanos != 0 && nanos % unit.1 == 0 {
      return "\(nanos / unit.1)\(unit.0)"
    }
    return "\(nanos)ns"
  }
}

extension String {
  /// The string without leading and trailing spaces, tabs and newlines.
  func trimmingWhitespace() -> String {
    var s = Substring(self)
    while let c = s.first, c == " " || c == "\t" || c == "\n" || c == "\r" { s.removeFirst() }
    while let c = s.last, c == " " || c == "\t" || c == "\n" || c == "\r" { s.removeLast() }
    return String(s)
  }
}
