import AreaflowGenerate
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

  /// The records as they were formatted through Strings before they were written in place: the same bytes for
  /// ASCII lines, escapes, invalid UTF-8 (replaced), long lines and absent lines, appended after earlier records.
  @Test func recordsAreByteForByteTheStringFormatting() {
    func stringRaw(_ raw: ArraySlice<UInt8>?) -> String {
      guard let raw else { return "" }
      var cut = raw.prefix(SideRecordEncoder.rawLimit)
      if raw.count > SideRecordEncoder.rawLimit {
        while let last = cut.last, last & 0xC0 == 0x80 { cut = cut.dropLast() }
        if let last = cut.last, last >= 0xC0 { cut = cut.dropLast() }
      }
      var t = TextWriter()
      t.write(jsonString: String(decoding: cut, as: UTF8.self))
      return ",\"raw\":" + String(decoding: t.bytes, as: UTF8.self)
    }
    func json(_ s: String) -> String {
      var t = TextWriter()
      t.write(jsonString: s)
      return String(decoding: t.bytes, as: UTF8.self)
    }
    var random = SeededRandom(seed: 47)
    let alphabet: [UInt8] =
      Array("{}\":,ab19 -.".utf8) + [0, 9, 10, 13, 31, 127, 0x80, 0xC3, 0xA9, 0xE2, 0x82, 0xAC, 0xFF]
    var out: [UInt8] = Array("earlier\n".utf8)
    var expected = "earlier\n"
    for n in 0..<3_000 {
      let length = n % 50 == 0 ? 4_090 + random.below(20) : random.below(200)
      let raw: ArraySlice<UInt8>? =
        n % 17 == 0 ? nil : (0..<length).map { _ in alphabet[random.below(alphabet.count)] }[...]
      let line = Int64(random.below(1_000_000)) - 10
      let input = n % 3 == 0 ? "-" : "in \"\(n)\".ndjson"
      if n % 2 == 0 {
        let reason = RejectReason.allCases[random.below(RejectReason.allCases.count)]
        SideRecordEncoder.reject(input: input, line: line, reason: reason, raw: raw, into: &out)
        expected += "{\"input\":\(json(input)),\"line\":\(line),\"reason\":\"\(reason.name)\"\(stringRaw(raw))}\n"
      } else {
        let start = (Int64(random.below(4_000_000)) - 2_000_000) * 60_000_000_000
        let time = start + Int64(random.below(1_000_000_000_000))
        let late = random.below(5) + 1
        SideRecordEncoder.late(
          input: input, line: line, window: "15m", windowStart: start, lateWindows: late, eventTime: time, raw: raw,
          into: &out)
        expected +=
          "{\"input\":\(json(input)),\"line\":\(line),\"window\":\(json("15m")),\"window_start\":\"\(CivilDate.rfc3339(millis: WindowMath.floorDiv(start, 1_000_000)))\",\"late_windows\":\(late),\"event_time\":\"\(CivilDate.rfc3339(millis: WindowMath.floorDiv(time, 1_000_000)))\"\(stringRaw(raw))}\n"
      }
    }
    #expect(out == Array(expected.utf8))
  }
}
