import AreaflowGenerate
import Foundation
import Testing

@testable import AreaflowCore

/// `CivilDate.rfc3339(millis:)` is the text of every window start and event time in snapshots and side records;
/// Foundation's ISO 8601 formatter is the independent check.
@Suite struct CivilDateTests {
  @Test func rfc3339AgreesWithFoundation() {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    formatter.timeZone = TimeZone(identifier: "UTC")
    var random = SeededRandom(seed: 53)
    // 1900 to 2200, and the day edges.
    let low: Int64 = -2_208_988_800_000
    let span: Int64 = 9_467_280_000_000
    var cases: [Int64] = [0, -1, 1, 86_399_999, 86_400_000, -86_400_000, 951_782_400_000, 4_107_542_399_999]
    for _ in 0..<20_000 { cases.append(low + Int64(random.below(Int(span)))) }
    for millis in cases {
      let date = Date(timeIntervalSince1970: Double(millis) / 1000)
      #expect(CivilDate.rfc3339(millis: millis) == formatter.string(from: date), "\(millis)")
      var t = TextWriter()
      t.write(rfc3339Millis: millis)
      #expect(t.bytes == Array(CivilDate.rfc3339(millis: millis).utf8))
    }
  }
}
