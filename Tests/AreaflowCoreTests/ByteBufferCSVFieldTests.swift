import AreaflowGenerate
import Testing

@testable import AreaflowCore

/// `ByteBuffer.write(csvField:)` (every CSV cell of text) must quote exactly as the former array-based writer did.
@Suite struct ByteBufferCSVFieldTests {
  func written(_ s: String) -> [UInt8] {
    let w = ByteBuffer(capacity: 1)
    w.write(csvField: s)
    return w.bytes
  }

  /// The former writer: quoted only when a comma, quote or line break occurs, quotes doubled.
  func reference(_ s: String) -> [UInt8] {
    guard s.utf8.contains(where: { $0 == 44 || $0 == 34 || $0 == 10 || $0 == 13 }) else { return Array(s.utf8) }
    var out: [UInt8] = [34]
    for b in s.utf8 {
      if b == 34 { out.append(34) }
      out.append(b)
    }
    out.append(34)
    return out
  }

  @Test(arguments: [
    "", "u33db2", "M53", "15m", "gh6", "a,b", "say \"hi\"", "\"", ",", "line\nbreak", "cr\rhere", "tab\tstays",
    "Straße", "東京, 駅", "emoji 🚍 \"x\"", String(repeating: "long value without specials ", count: 4),
    String(repeating: "a,\"b\"\r\n", count: 9),
  ])
  func quotesAsBefore(text: String) {
    #expect(written(text) == reference(text))
  }

  @Test func randomTextQuotesAsBefore() {
    var random = SeededRandom(seed: 23)
    let alphabet = Array("ab,\"\n\r xä🚍1".unicodeScalars)
    for _ in 0..<5000 {
      var s = ""
      for _ in 0..<random.below(40) { s.unicodeScalars.append(alphabet[random.below(alphabet.count)]) }
      #expect(written(s) == reference(s), "\(s.debugDescription)")
    }
  }
}
