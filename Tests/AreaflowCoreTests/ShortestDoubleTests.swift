import AreaflowGenerate
import Testing

@testable import AreaflowCore

/// `NumberText.write(shortestDouble:)`, the formatter behind every mean and standard deviation in the snapshots,
/// must print exactly what `description` prints, on every double it accepts (and accept the common ones).
@Suite struct ShortestDoubleTests {
  func written(_ d: Double) -> String? {
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: NumberText.maxLength) { p in
      NumberText.write(shortestDouble: d, to: p.baseAddress!).map {
        String(decoding: UnsafeBufferPointer(rebasing: p[..<$0]), as: UTF8.self)
      }
    }
  }

  func check(_ d: Double, accepted: inout Int) {
    guard let text = written(d) else { return }
    accepted += 1
    #expect(text == d.description, "\(d.bitPattern)")
  }

  /// Every double within 300 ulps of each power of two and of ten in range, and of 0.1, 0.2, 0.3, 1/3, 2/3.
  @Test func neighboursOfPowersMatchDescription() {
    var centres: [Double] = [0.1, 0.2, 0.3, 0.1 + 0.2, 1.0 / 3, 2.0 / 3, 1e-4, 0x1p48]
    for e in -14...48 { centres.append(Double(sign: .plus, exponent: e, significand: 1)) }
    var p = 1e-4
    for _ in 0..<15 {
      centres.append(p)
      p *= 10
    }
    var accepted = 0
    for centre in centres {
      var d = centre
      for _ in 0..<300 { d = d.nextDown }
      for _ in 0..<601 {
        check(d, accepted: &accepted)
        check(-d, accepted: &accepted)
        d = d.nextUp
      }
    }
    #expect(accepted > 50_000)
  }

  /// A million random doubles: uniform bits over the accepted exponents, short decimals and their neighbours,
  /// quotients like means.
  @Test func randomDoublesMatchDescription() {
    var random = SeededRandom(seed: 31)
    var accepted = 0
    for i in 0..<1_000_000 {
      let d: Double
      switch i % 4 {
      case 0:
        let exponent = UInt64(1023 - 14 + random.below(63))
        d = Double(bitPattern: exponent << 52 | random.next() >> 12)
      case 1:
        var x = Double(random.below(1 << 40)) / Double(UInt64(1) << UInt64(random.below(50)))
        for _ in 0..<random.below(4) { x = x.nextUp }
        d = x
      case 2:
        var scale = 1.0
        for _ in 0..<random.below(14) { scale *= 10 }
        var x = Double(random.below(1_000_000_000)) / scale
        for _ in 0..<random.below(3) { x = x.nextDown }
        d = x
      default:
        d = Double(random.below(100_000)) / Double(1 + random.below(997))
      }
      check(d, accepted: &accepted)
      check(-d, accepted: &accepted)
    }
    #expect(accepted > 1_500_000)
  }

  /// What it leaves to the standard library: integral, tiny, huge and non-finite values.
  @Test func declinesOutsideItsRange() {
    for d: Double in [0, -0.0, 1e-5, 9.9e-5, 0x1p48 + 0.5, 1e20, .nan, .infinity, -.infinity, .leastNonzeroMagnitude] {
      #expect(written(d) == nil, "\(d)")
    }
    #expect(written(0.5) == "0.5")
    #expect(written(-123.456) == "-123.456")
  }
}
