import AreaflowGenerate
import Foundation
import Testing

@testable import AreaflowCore

/// `TextWriter.write(jsonString:)` (raw lines of side records, labels in NDJSON and the API) must escape exactly as
/// the former byte-by-byte writer did, and give JSON that reads back as the same text.
@Suite struct TextWriterJSONStringTests {
  func written(_ s: String) -> [UInt8] {
    var w = TextWriter()
    w.write(jsonString: s)
    return w.bytes
  }

  /// The former writer: every byte looked at and appended on its own.
  func reference(_ s: String) -> [UInt8] {
    var out: [UInt8] = [34]
    let hex = Array("0123456789abcdef".utf8)
    for b in s.utf8 {
      switch b {
      case 34: out += [92, 34]
      case 92: out += [92, 92]
      case 10: out += [92, 110]
      case 13: out += [92, 114]
      case 9: out += [92, 116]
      case 0..<32: out += [92, 117, 48, 48, hex[Int(b >> 4)], hex[Int(b & 15)]]
      default: out.append(b)
      }
    }
    out.append(34)
    return out
  }

  @Test(arguments: [
    "", "plain", "\"", "\\", "\"\"", "a\"b\\c", "\n", "line\nbreak\r\n", "\u{0}\u{1}\u{1f}", "tab\there",
    "{\"ts\":\"2026-03-02T07:59:59.760Z\",\"vehicle_id\":\"bus-0001\"}", "Straße 東京 🚍", "end\\",
  ])
  func escapesAsBefore(text: String) throws {
    #expect(written(text) == reference(text))
    let decoded = try JSONSerialization.jsonObject(with: Data(written(text)), options: .fragmentsAllowed) as? String
    #expect(decoded == text)
  }

  @Test func randomTextEscapesAsBefore() {
    var random = SeededRandom(seed: 31)
    let alphabet = Array("ab\"\\\n\r\t\u{0}\u{7}\u{1f} xä🚍1{}:,".unicodeScalars)
    for _ in 0..<5000 {
      var s = ""
      for _ in 0..<random.below(60) { s.unicodeScalars.append(alphabet[random.below(alphabet.count)]) }
      #expect(written(s) == reference(s), "\(s.debugDescription)")
    }
  }
}
