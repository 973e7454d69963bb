import AreaflowGenerate
import Foundation
import Testing

@testable import AreaflowCore

@Suite struct NumberParserTests {
  func parse(_ text: String) -> Double? {
    let bytes = Array(text.utf8)
    return bytes.withUnsafeBufferPointer { b in
      NumberParser.parseDouble(b.baseAddress ?? UnsafePointer(bitPattern: 1)!, 0, b.count)
    }
  }

  @Test func agreesWithTheStandardLibraryOnRandomNumbers() {
    var random = SeededRandom(seed: 11)
    for _ in 0..<20_000 {
      let v = (random.unit() - 0.5) * pow(10, Double(random.below(32) - 20))
      for text in [v.description, String(format3: v), "\(Int64(v * 1000))"] {
        #expect(parse(text) == Double(text), "\(text)")
      }
    }
  }

  /// The word-at-a-time path for short decimals gives bit for bit what `parseDouble` gives (nil included), for
  /// numbers and near-numbers of every length at every offset, with arbitrary bytes before them.
  @Test func wordPathEqualsParseDouble() {
    var random = SeededRandom(seed: 12)
    let alphabet: [UInt8] = Array("0123456789.-+eE x/:".utf8) + [0x00, 0x80, 0xAE, 0xB0, 0xFF]
    var cases: [[UInt8]] = [
      "52.63283", "13.47970", "24.3", "8", "-0.0", "-52.6328", "+1.5", ".5", "5.", ".", "..",
      "1.2.3", "-.", "12345678", "123456789", "0.000001", "-9999999.", "1e5", "00000000", "9.9999999",
    ].map {
      Array($0.utf8)
    }
    for _ in 0..<100_000 {
      let length = Int(random.below(12))
      cases.append(
        (0..<length).map { _ in
          random.chance(0.85) ? UInt8(48 + random.below(10)) : alphabet[Int(random.below(alphabet.count))]
        })
    }
    for text in cases {
      let prefix = (0..<Int(random.below(12))).map { _ in UInt8(random.below(256)) }
      let bytes = prefix + text
      bytes.withUnsafeBufferPointer { b in
        let p = b.baseAddress!
        let want = NumberParser.parseDouble(p, prefix.count, b.count)
        let got = NumberParser.parseDouble(p, prefix.count, b.count, readableFrom: 0)
        #expect(got?.bitPattern == want?.bitPattern, "\(text) after \(prefix)")
      }
    }
  }

  @Test func acceptsCommonForms() {
    #expect(parse("12.5") == 12.5)
    #expect(parse("-0.001") == -0.001)
    #expect(parse("1e3") == 1000)
    #expect(parse("1E-2") == 0.01)
    #expect(parse("+4") == 4)
    #expect(parse(".5") == 0.5)
    #expect(parse("12345678901234567890123") == 12345678901234567890123.0)
  }

  @Test(arguments: ["", "-", "abc", "1.2.3", "1e", "NaN", "inf", "0x10", "1,5", " 1", "1 "])
  func rejectsNonNumbers(text: String) {
    #expect(parse(text) == nil)
  }
}

extension String {
  /// Three decimals, without Foundation's formatter.
  init(format3 v: Double) {
    let scaled = Int64((v * 1000).rounded())
    let sign = scaled < 0 ? "-" : ""
    let a = scaled.magnitude
    let frac = String(a % 1000)
    self = "\(sign)\(a / 1000).\(String(repeating: "0", count: 3 - frac.count))\(frac)"
  }
}

@Suite struct DoubleTextTests {
  /// Every double the encoders print reads back as the same double, and short decimals print as `description`
  /// prints them (so outputs stay the same whichever path formats them).
  @Test func printedDoublesRoundTripAndMatchDescription() throws {
    var random = SeededRandom(seed: 5)
    var values: [Double] = [0.5, -0.25, 34.3, 1e-4, 123456.789, -99.99, 0.1, 0.3, 1 / 3, 2.5e-5, 1e9 + 0.5, 7]
    for _ in 0..<20_000 {
      let decimals = Double(random.below(7))
      let scale = pow(10, decimals)
      values.append(((random.unit() - 0.5) * 2e6 * scale).rounded() / scale)
      values.append((random.unit() - 0.5) * pow(10, Double(random.below(20) - 8)))
    }
    let table = SnapshotTable(columns: [.double(name: "x", values: values)], rowCount: values.count)
    let text = String(decoding: try CSVSnapshotEncoder().encode(table), as: UTF8.self)
    let cells = text.split(separator: "\n").dropFirst()
    #expect(cells.count == values.count)
    for (cell, value) in zip(cells, values) {
      #expect(Double(String(cell)) == value, "\(cell) does not read back as \(value)")
      if value != value.rounded() { #expect(String(cell) == value.description, "\(cell) vs \(value.description)") }
    }
  }
}
