import Foundation
import Testing

@testable import AreaflowCore

@Suite struct SideRecordEncoderTests {
  @Test func longRawLinesAreCutAt4KiBWithoutSplittingACharacter() throws {
    // 3-byte characters, so 4096 is not a character boundary.
    let raw = Array(String(repeating: "€", count: 5000).utf8)
    var out: [UInt8] = []
    SideRecordEncoder.reject(input: "in.ndjson", line: 7, reason: .malformed, raw: raw[...], into: &out)
    let object = try #require(JSONSerialization.jsonObject(with: Data(out)) as? [String: Any])
    let kept = try #require(object["raw"] as? String)
    #expect(kept.utf8.count <= SideRecordEncoder.rawLimit)
    #expect(kept.utf8.count > SideRecordEncoder.rawLimit - 3)
    #expect(kept.allSatisfy { $0 == "€" })
    #expect(object["line"] as? Int == 7)
    #expect(object["reason"] as? String == "malformed")
    #expect(object["input"] as? String == "in.ndjson")
  }

  @Test func lateRecordsNameTheWindowAndItsStart() throws {
    var out: [UInt8] = []
    SideRecordEncoder.late(
      input: "-", line: 3, window: "1m", windowStart: 60_000_000_000, lateWindows: 1, eventTime: 61_500_000_000,
      raw: Array("{\"a\":\"\\n\"}".utf8)[...], into: &out)
    let object = try #require(JSONSerialization.jsonObject(with: Data(out)) as? [String: Any])
    #expect(object["window"] as? String == "1m")
    #expect(object["window_start"] as? String == "1970-01-01T00:01:00.000Z")
    #expect(object["event_time"] as? String == "1970-01-01T00:01:01.500Z")
    #expect(object["raw"] as? String == "{\"a\":\"\\n\"}")
    #expect(out.last == 10)
  }
}
