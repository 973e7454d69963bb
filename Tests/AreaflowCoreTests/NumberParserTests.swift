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
