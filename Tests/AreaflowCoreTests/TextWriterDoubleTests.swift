import AreaflowGenerate
import Testing

@testable import AreaflowCore

/// `TextWriter.write(double:)` (NDJSON, the API) and `ByteBuffer.write(double:)` (CSV cells) must write exactly what
/// the writer wrote before its fast paths changed: snapshot files are compared byte for byte.
@Suite struct TextWriterDoubleTests {
  func written(_ d: Double) -> String {
    var w = TextWriter()
    w.write(double: d)
    return String(decoding: w.bytes, as: UTF8.self)
  }

  func writtenToBuffer(_ d: Double) -> String {
    let w = ByteBuffer(capacity: 1)
    w.write(double: d)
    return String(decoding: w.bytes, as: UTF8.self)
  }

  /// The writer as it was: integral values as digits and `.0`, up to six decimals by the loop, else `description`.
  func reference(_ d: Double) -> String {
    if d.isNaN { return "NaN" }
    if d.isInfinite { return d > 0 ? "Infinity" : "-Infinity" }
    if d == d.rounded(), abs(d) < 1e15 { return "\(Int64(d)).0" }
    let a = abs(d)
    if a >= 1e-4, a < 1e9 {
      for k in 1...6 {
        var p = 1.0
        for _ in 0..<k { p *= 10 }
        let m = (a * p).rounded()
        guard m / p == a else { continue }
        var digits = String(Int64(m))
        while digits.count <= k { digits = "0" + digits }
        digits.insert(".", at: digits.index(digits.endIndex, offsetBy: -k))
        return (d < 0 ? "-" : "") + digits
      }
    }
    return d.description
  }

  static let edgeCases: [Double] = [
    0.1, 0.2, 0.3, 1.0 / 3, 2.0 / 3, 0.1 + 0.2, 1e-4, 9.999999999999999e-5, 1e-5, 1.5e-5, 0.000123456789,
    123_456.789_012_3, 999_999_999.999_999_9, 1e9 + 0.5, 1e15 + 0.5, 1e15, 1e16, 1e17, 1e21, 1e22, 1e23,
    9_007_199_254_740_994, 4_503_599_627_370_495.5, Double.leastNormalMagnitude.nextDown, 2.225_073_858_507_201_4e-308,
    .greatestFiniteMagnitude, .leastNormalMagnitude, .leastNonzeroMagnitude, .ulpOfOne, 1 + .ulpOfOne,
    1 - .ulpOfOne / 2,
    .pi, -.pi, 100.0 / 7, 52.632_83, 13.479_70, 24.3, -23.000_001, 0.000_000_1, 123.456_789_1, 1.000_000_5,
    -0.0, 0.0, 1.0, -1.0, .nan, .infinity, -.infinity, 0.499_999_999_999_999_94, 0.5, 2.5, 0.000_15, 0.000_100_000_5,
    999_999_999.999_999_5, 999_999_999.5, 0.123_456_5, 0.123_456_500_000_000_01, 1.000_001, 1.000_000_999_999_999_9,
  ]

  @Test func writerMatchesTheFormerWriter() {
    var random = SeededRandom(seed: 5)
    var values = Self.edgeCases + Self.edgeCases.map { -$0 }
    for _ in 0..<200_000 {
      let scale = Double(random.below(24) - 12)
      switch random.below(4) {
      case 0:  // arbitrary values of any magnitude (means, standard deviations, shares)
        values.append((random.unit() - 0.5) * pow10(scale))
      case 1:  // decimals with a few digits (speeds, coordinates, quantiles of them)
        let decimals = random.below(9)
        values.append(Double(Int64(random.below(2_000_000_000)) - 1_000_000_000) / pow10(Double(decimals)))
      case 2:  // means of a few short decimals
        let n = 1 + random.below(20)
        var sum = 0.0
        for _ in 0..<n { sum += Double(random.below(1200)) / 10 }
        values.append(sum / Double(n))
      default:
        values.append(Double(bitPattern: random.next()))
      }
    }
    for v in values {
      let expected = reference(v)
      #expect(written(v) == expected, "\(v.bitPattern)")
      #expect(writtenToBuffer(v) == expected, "\(v.bitPattern)")
    }
  }

  /// Integers as `description` prints them, through both writers, with a buffer that has to grow.
  @Test func integersMatchDescription() {
    var random = SeededRandom(seed: 9)
    var values: [Int64] = [0, 1, -1, 9, 10, -10, 99, 100, Int64.max, Int64.min, Int64.max - 1, Int64.min + 1]
    for _ in 0..<100_000 {
      values.append(Int64(bitPattern: random.next()) >> Int64(random.below(64)))
    }
    let buffer = ByteBuffer(capacity: 1)
    var expected: [UInt8] = []
    for v in values {
      var w = TextWriter()
      w.write(integer: v)
      #expect(String(decoding: w.bytes, as: UTF8.self) == String(v))
      buffer.write(integer: v)
      buffer.append(44)
      expected += Array(String(v).utf8) + [44]
    }
    #expect(buffer.bytes == expected)
  }

  func pow10(_ e: Double) -> Double {
    var p = 1.0
    for _ in 0..<Int(abs(e)) { p *= 10 }
    return e < 0 ? 1 / p : p
  }
}
