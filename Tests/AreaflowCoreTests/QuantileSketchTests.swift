import AreaflowGenerate
import Foundation
import Testing

@testable import AreaflowCore

@Suite struct QuantileSketchTests {
  /// The exact value at 0-based rank floor(q·(n−1)).
  func exact(_ values: [Double], _ q: Double) -> Double {
    let sorted = values.sorted()
    return sorted[Int((q * Double(sorted.count - 1)).rounded(.down))]
  }

  func withinOnePercent(_ got: Double?, _ want: Double) -> Bool {
    guard let got else { return false }
    if want == 0 { return got == 0 }
    return abs(got - want) <= 0.01 * abs(want)
  }

  @Test func smallSketchesAreExact() {
    var s = QuantileSketch()
    for v in [5.0, -2, 0, 7.5, 3] { s.add(v) }
    #expect(s.quantile(0) == -2)
    #expect(s.quantile(0.5) == 3)
    #expect(s.quantile(1) == 7.5)
  }

  @Test func logGammaIsTheLogarithmOfGamma() {
    #expect(QuantileSketch.logGamma.bitPattern == log(QuantileSketch.gamma).bitPattern)
  }

  @Test func emptySketchHasNoQuantile() {
    #expect(QuantileSketch().quantile(0.5) == nil)
  }

  @Test(arguments: 0..<40)
  func relativeErrorStaysWithinOnePercent(seed: Int) {
    var random = SeededRandom(seed: UInt64(seed))
    var s = QuantileSketch()
    var values: [Double] = []
    let n = 100 + random.below(20_000)
    for _ in 0..<n {
      // Mixed signs, zeros and a wide dynamic range.
      let kind = random.below(10)
      let v: Double =
        kind == 0 ? 0 : kind < 3 ? -exp(random.normal() * 3) : exp(random.normal() * 4) * (random.chance(0.5) ? 1 : 100)
      values.append(v)
      s.add(v)
    }
    for q in [0.0, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 1.0] {
      let want = exact(values, q)
      #expect(
        withinOnePercent(s.quantile(q), want),
        "seed \(seed) q \(q): got \(String(describing: s.quantile(q))), want \(want)")
    }
  }

  @Test(arguments: 0..<10)
  func mergedSketchesMatchOneSketch(seed: Int) {
    var random = SeededRandom(seed: UInt64(1000 + seed))
    var a = QuantileSketch()
    var b = QuantileSketch()
    var values: [Double] = []
    for k in 0..<5000 {
      let v = random.normal() * 50 + 10
      values.append(v)
      if k % 3 == 0 { a.add(v) } else { b.add(v) }
    }
    a.merge(b)
    #expect(a.count == 5000)
    for q in [0.1, 0.5, 0.9] {
      #expect(withinOnePercent(a.quantile(q), exact(values, q)))
    }
  }
}

@Suite struct SketchResetTests {
  @Test func resetSketchesBehaveLikeNewOnes() {
    var random = SeededRandom(seed: 8)
    var q = QuantileSketch()
    var d = DistinctCounter()
    for _ in 0..<5000 {
      q.add(random.normal() * 100)
      d.add(random.next() | 1)
    }
    q.reset()
    d.reset()
    #expect(q.count == 0 && q.quantile(0.5) == nil)
    #expect(d.estimate == 0 && !d.isEstimating)
    var fresh = QuantileSketch()
    var freshD = DistinctCounter()
    for v in [3.0, -1, 7, 7, 2] {
      q.add(v)
      fresh.add(v)
      d.add(ByteHasher.mix(UInt64(v + 10)))
      freshD.add(ByteHasher.mix(UInt64(v + 10)))
    }
    #expect(q.quantile(0.5) == fresh.quantile(0.5))
    #expect(q.quantile(1) == 7)
    #expect(d.estimate == freshD.estimate)
  }
}
