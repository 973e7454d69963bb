import AreaflowGenerate
import Testing

@testable import AreaflowCore

@Suite struct DistinctCounterTests {
  @Test func exactUpTo256() {
    var c = DistinctCounter()
    for round in 0..<3 {
      for v in 1...256 { c.add(ByteHasher.mix(UInt64(v))) }
      #expect(c.estimate == 256, "round \(round)")
    }
    #expect(!c.isEstimating)
  }

  @Test(arguments: [257, 300, 1000, 5000, 20_000, 60_000, 200_000])
  func estimateWithinTwoPercentOverSeeds(cardinality: Int) {
    var worst = 0.0
    for seed in 0..<12 {
      var c = DistinctCounter()
      var random = SeededRandom(seed: UInt64(seed * 7919 + cardinality))
      let salt = random.next()
      for v in 0..<cardinality {
        let h = ByteHasher.mix(UInt64(v) ^ salt)
        c.add(h == 0 ? 1 : h)
        if v % 3 == 0 { c.add(h == 0 ? 1 : h) }  // repeats do not count
      }
      let error = abs(Double(c.estimate) - Double(cardinality)) / Double(cardinality)
      worst = max(worst, error)
    }
    #expect(worst <= 0.02, "worst relative error \(worst) at \(cardinality)")
  }

  @Test func mergeEqualsUnion() {
    var a = DistinctCounter()
    var b = DistinctCounter()
    var all = DistinctCounter()
    for v in 1...3000 {
      let h = ByteHasher.mix(UInt64(v))
      if v <= 2000 { a.add(h) }
      if v > 1000 { b.add(h) }
      all.add(h)
    }
    a.merge(b)
    #expect(a.estimate == all.estimate)
    var small = DistinctCounter()
    for v in 1...10 { small.add(ByteHasher.mix(UInt64(v))) }
    var other = DistinctCounter()
    for v in 5...20 { other.add(ByteHasher.mix(UInt64(v))) }
    small.merge(other)
    #expect(small.estimate == 20)
  }
}
