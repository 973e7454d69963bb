import AreaflowGenerate
import Foundation
import Testing

@testable import AreaflowCore

/// The quantile sketch's fast paths against the general code they stand in for: the table-based bucket index
/// against `log`, the run-merging sort against the standard library's, and batched bucket and value updates
/// against adding one value (or one bucket) at a time.
@Suite struct QuantileFastPathTests {
  /// Random magnitudes of every exponent, one-decimal speeds, a wide exponential spread, and every bucket edge in
  /// range with its neighbours (the doubles around `exp(i · logGamma)` and around the smallest double `index`
  /// puts in bucket i): `bucketIndex` is `index` for each.
  @Test func bucketIndexIsTheLogarithmsBucket() {
    var random = SeededRandom(seed: 41)
    var checked = 0
    func check(_ m: Double) {
      guard m >= QuantileSketch.minMagnitude, m.isFinite else { return }
      checked += 1
      #expect(QuantileSketch.bucketIndex(m) == QuantileSketch.index(m), "\(m) (\(m.bitPattern))")
    }
    for _ in 0..<300_000 {
      check(Double(bitPattern: random.next() & 0x7FEF_FFFF_FFFF_FFFF))
      check(exp((Double(random.below(1 << 20)) / Double(1 << 20) - 0.3) * 100))
      check(Double(random.below(100_000)) / 10)
    }
    let lowest = QuantileSketch.index(QuantileSketch.minMagnitude)
    let highest = QuantileSketch.index(Double.greatestFiniteMagnitude)
    for b in (lowest - 1)...(highest + 1) {
      let edge = exp(Double(b) * QuantileSketch.logGamma)
      var x = edge
      for _ in 0..<20 { x = x.nextDown }
      for _ in 0..<40 {
        check(x)
        x = x.nextUp
      }
      // The reference's own edge: the smallest double whose index is b, by bisection on bit patterns.
      var below = edge * 0.999
      var above = edge * 1.001
      guard below > 0, above.isFinite else { continue }
      while true {
        let mid = Double(bitPattern: (below.bitPattern &+ above.bitPattern) / 2)
        if mid == below || mid == above { break }
        if QuantileSketch.index(mid) >= b { above = mid } else { below = mid }
      }
      x = above
      for _ in 0..<10 { x = x.nextDown }
      for _ in 0..<20 {
        check(x)
        x = x.nextUp
      }
    }
    #expect(checked > 1_000_000)
    #expect(LogTables.ln2.bitPattern == log(2.0).bitPattern)
    #expect(LogTables.inverseLogGamma.bitPattern == (1 / QuantileSketch.logGamma).bitPattern)
  }

  /// Random arrays of 2 to 64 values, as sorted runs (a window's slices) or in no order, with many ties and both
  /// signed zeros: `stableSort` leaves exactly the standard library's `sort()`, bit for bit.
  @Test func stableSortIsTheStandardSort() {
    var random = SeededRandom(seed: 42)
    for round in 0..<20_000 {
      let n = 2 + random.below(63)
      let pool: [Double] = [0, -0.0, 1, -1, 2.5, 1e-300, -7, 3, 3, 100]
      var values: [Double] = (0..<n).map { _ in
        random.chance(0.5) ? pool[random.below(pool.count)] : Double(random.below(40)) / 4 - 3
      }
      if round % 2 == 0 {
        // Sorted runs, as the slices of a window hand them over.
        var start = 0
        while start < n {
          let end = min(n, start + 1 + random.below(8))
          values[start..<end].sort()
          start = end
        }
      }
      let expected = values.sorted()
      var got = values
      var scratch = [Double](repeating: 0, count: 64)
      got.withUnsafeMutableBufferPointer { g in
        scratch.withUnsafeMutableBufferPointer { s in
          QuantileSketch.stableSort(g.baseAddress!, n, scratch: s.baseAddress!)
        }
      }
      #expect(got.map(\.bitPattern) == expected.map(\.bitPattern), "\(values)")
    }
  }

  /// Indices added as a batch equal the same indices added one by one, in order — including batches whose range
  /// passes `maxBuckets`, where the one-by-one order decides what collapses.
  @Test func batchedBucketsEqualOneByOne() {
    var random = SeededRandom(seed: 43)
    for round in 0..<5_000 {
      var batched = BucketStore()
      var single = BucketStore()
      let spread = [10, 300, 5000, 20_000][round % 4]
      for _ in 0..<(1 + random.below(6)) {
        let n = 1 + random.below(70)
        let indices = (0..<n).map { _ in random.below(spread) - spread / 3 }
        indices.withUnsafeBufferPointer { batched.add(indices: $0.baseAddress!, count: n) }
        for i in indices { single.add(index: i, count: 1) }
        #expect(batched == single)
      }
      var other = BucketStore()
      for _ in 0..<random.below(40) {
        other.add(index: random.below(spread) - spread / 2, count: 1 + UInt64(random.below(5)))
      }
      var mergedBatch = batched
      var mergedSingle = single
      mergedBatch.merge(other)
      for (j, c) in other.counts.enumerated() where c > 0 {
        mergedSingle.add(index: other.offset + j, count: UInt64(c))
      }
      #expect(mergedBatch == mergedSingle)
    }
  }

  /// Sketches fed by merging runs of values (inline, heap and bucketed targets; signed zeros; spreads wide enough
  /// to collapse buckets) hold exactly what adding the same values one at a time gives: count, kept values in
  /// order, zeros and bucket ranges.
  @Test func mergedValuesEqualOneByOne() {
    var random = SeededRandom(seed: 44)
    // One cache across every round, as a shard's accumulator keeps it: indices of earlier rounds are reused.
    let cache = BucketIndexCache()
    for round in 0..<4_000 {
      var merged = QuantileSketch()
      var single = QuantileSketch()
      for _ in 0..<(1 + random.below(12)) {
        let n = 1 + random.below(round % 3 == 0 ? 80 : 12)
        let values: [Double] = (0..<n).map { _ in
          switch round % 4 {
          case 0: return Double(random.below(1200)) / 10
          case 1: return [0, -0.0, 1e-12, -3, 5][random.below(5)]
          case 2: return exp((Double(random.below(1000)) / 1000 - 0.5) * 160) * (random.chance(0.5) ? 1 : -1)
          default: return random.normal() * 50
          }
        }
        values.withUnsafeBufferPointer {
          merged.merge(values: $0.baseAddress!, count: n, cache: round % 2 == 0 ? cache : nil)
        }
        for v in values { single.add(v) }
        #expect(merged.count == single.count && merged.usesBuckets == single.usesBuckets)
        #expect(merged.exactValues.map(\.bitPattern) == single.exactValues.map(\.bitPattern))
        #expect(merged.zeroCount == single.zeroCount && merged.positive == single.positive)
        #expect(merged.negative == single.negative)
      }
      let q = [0.0, 0.5, 0.9, 1.0][round % 4]
      #expect(merged.quantileSortingInPlace(q)?.bitPattern == single.quantile(q)?.bitPattern)
    }
  }

  /// The cache returns `bucketIndex` for every magnitude: repeated one-decimal speeds (hits), random magnitudes of
  /// every exponent (mostly misses that evict), and pairs of magnitudes that share an entry, looked up in turns.
  @Test func bucketIndexCacheReturnsTheBucketIndex() {
    var random = SeededRandom(seed: 45)
    let cache = BucketIndexCache()
    let tables = LogTables.shared
    var hitsChecked = 0
    var sharing: [Int: Double] = [:]
    func entry(_ m: Double) -> Int { Int((m.bitPattern &* 0x9E37_79B9_7F4A_7C15) &>> 53) }
    for round in 0..<200_000 {
      let m: Double
      switch round % 3 {
      case 0: m = Double(1 + random.below(1200)) / 10
      case 1: m = Double(bitPattern: random.next() & 0x7FEF_FFFF_FFFF_FFFF)
      default: m = exp((Double(random.below(1 << 20)) / Double(1 << 20) - 0.3) * 100)
      }
      guard m >= QuantileSketch.minMagnitude else { continue }
      #expect(cache.index(m, tables) == QuantileSketch.bucketIndex(m), "\(m)")
      #expect(cache.index(m, tables) == QuantileSketch.bucketIndex(m), "\(m) again")
      hitsChecked += 1
      if let other = sharing[entry(m)], other != m {
        #expect(cache.index(other, tables) == QuantileSketch.bucketIndex(other), "\(other) after \(m)")
        #expect(cache.index(m, tables) == QuantileSketch.bucketIndex(m), "\(m) after \(other)")
      }
      sharing[entry(m)] = m
    }
    #expect(hitsChecked > 150_000)
    #expect(BucketIndexCache.capacity == 1 << 11, "the hash keeps the top 11 bits")
  }

  /// Quantiles read in place between additions, merges and resets (a slice read by its 1m window, then merged on,
  /// p50 and p90 of one sketch in turn) are always those of the values held: the sorted mark never outlives a
  /// change.
  @Test func quantilesInPlaceFollowEveryChange() {
    var random = SeededRandom(seed: 46)
    var sketch = QuantileSketch()
    var reference: [Double] = []
    for step in 0..<20_000 {
      switch random.below(10) {
      case 0...4:
        let v = Double(random.below(600)) / 10
        sketch.add(v)
        reference.append(v)
      case 5, 6:
        let values = (0..<(1 + random.below(20))).map { _ in Double(random.below(600)) / 10 }
        values.withUnsafeBufferPointer { sketch.merge(values: $0.baseAddress!, count: values.count) }
        reference += values
      case 7:
        if random.below(8) == 0 {
          sketch.reset()
          reference = []
        }
      default:
        for q in [0.5, 0.9, 0.5] {
          var copy = QuantileSketch()
          for v in reference { copy.add(v) }
          #expect(sketch.quantileSortingInPlace(q)?.bitPattern == copy.quantile(q)?.bitPattern, "step \(step)")
        }
      }
    }
    #expect(MemoryLayout<QuantileSketch>.stride == 192, "the sorted mark lives in padding")
  }
}
