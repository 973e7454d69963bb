#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A mergeable quantile sketch with bounded relative error (the logarithmic-bucket idea of DDSketch).
///
/// Small groups are the common case (one area, one minute, one route), so the first `exactLimit` values are kept as
/// they are and quantiles over them are exact. Past that, values go into buckets whose bounds grow by a factor
/// `gamma = (1 + α) / (1 − α)`; returning a bucket's midpoint in that geometry is within α of any value in it.
/// Negative values use a mirrored store; values with magnitude below `minMagnitude` count as zero.
public struct QuantileSketch: Sendable, Equatable {
  /// The relative error of a quantile the contract promises (SPEC section 3), in percent.
  public static let promisedErrorPercent = 1
  /// Relative accuracy; below `promisedErrorPercent` so rounding at bucket edges cannot cross it.
  public static let alpha = 0.008
  static let gamma = (1 + alpha) / (1 - alpha)
  /// `log(gamma)`, written out: a literal is a constant, where `log(gamma)` would be a lazily initialised global
  /// checked on every bucket index (`QuantileSketchTests` holds it equal to `log(gamma)` bit for bit).
  static let logGamma = Double(bitPattern: 0x3F90_6264_BB3B_303E)
  /// Values closer to zero than this are counted as zero (the error there is absolute, not relative).
  public static let minMagnitude = 1e-9
  /// How many values are kept exactly before switching to buckets.
  public static let exactLimit = 64
  /// Bucket range cap per sign; beyond it the smallest-magnitude buckets collapse (their values lose accuracy).
  public static let maxBuckets = 4096

  /// How many exact values live inline, with no heap buffer: most slice groups (one area, one minute, one route)
  /// are this small, and merging them into their windows then reads no scattered buffers.
  static let inlineCapacity = 16

  /// The exact values while there are at most `inlineCapacity` of them (slots past `count` hold leftovers).
  var small = SIMD16<Double>()
  /// Every exact value once there are more than `inlineCapacity` (up to `exactLimit`); empty otherwise.
  var exact: [Double] = []
  var positive = BucketStore()
  var negative = BucketStore()
  var zeroCount: UInt64 = 0
  public internal(set) var count: UInt64 = 0
  var usesBuckets = false

  public init() {}

  /// The exact values (while not bucketed), in no particular order.
  var exactValues: [Double] {
    count <= UInt64(Self.inlineCapacity) ? (0..<Int(count)).map { small[$0] } : exact
  }

  /// Equal when they hold the same values the same way (leftovers in unused inline slots do not count).
  public static func == (a: QuantileSketch, b: QuantileSketch) -> Bool {
    a.count == b.count && a.usesBuckets == b.usesBuckets && a.zeroCount == b.zeroCount && a.positive == b.positive
      && a.negative == b.negative && (a.usesBuckets || a.exactValues == b.exactValues)
  }

  /// Empties the sketch, keeping a small buffer of exact values so a reused slot of a small group allocates
  /// nothing. Bucket arrays and large value buffers are released: slots that held a merged window (often past
  /// `exactLimit`) are reused by small slice groups, and keeping their kilobytes would multiply memory.
  public mutating func reset() {
    if exact.capacity > 16 { exact = [] } else { exact.removeAll(keepingCapacity: true) }
    positive = BucketStore()
    negative = BucketStore()
    zeroCount = 0
    count = 0
    usesBuckets = false
  }

  /// Adds one value (NaN is ignored by callers, never passed).
  /// - Complexity: amortised O(1); allocation only past `inlineCapacity` values and when the bucket range grows.
  public mutating func add(_ value: Double) {
    if usesBuckets {
      count += 1
      insertBucketed(value, 1)
      return
    }
    let n = Int(count)
    if n < Self.inlineCapacity {
      small[n] = value
      count += 1
      return
    }
    if n == Self.inlineCapacity { moveInlineToHeap(reserving: n + 1) }
    exact.append(value)
    count += 1
    if count > UInt64(Self.exactLimit) { spill() }
  }

  private mutating func spill() {
    let values = exactValues
    usesBuckets = true
    for v in values { insertBucketed(v, 1) }
    exact = []
  }

  private mutating func insertBucketed(_ value: Double, _ n: UInt64) {
    let magnitude = abs(value)
    if magnitude < Self.minMagnitude {
      zeroCount += n
    } else if value > 0 {
      positive.add(index: Self.index(magnitude), count: n)
    } else {
      negative.add(index: Self.index(magnitude), count: n)
    }
  }

  @inline(__always)
  static func index(_ magnitude: Double) -> Int {
    // The ceiling without a call into libm: truncate, then step up when something was cut off.
    let x = log(magnitude) / logGamma
    let i = Int(x)
    return Double(i) < x ? i + 1 : i
  }

  @inline(__always)
  static func value(ofIndex i: Int) -> Double {
    2 * exp(Double(i) * logGamma) / (gamma + 1)
  }

  /// The value of rank `floor(q · (n − 1))` (0-based) — exact while the sketch is small, else within α relative.
  public func quantile(_ q: Double) -> Double? {
    guard count > 0 else { return nil }
    let rank = UInt64((q * Double(count - 1)).rounded(.down))
    if !usesBuckets {
      let sorted = exactValues.sorted()
      return sorted[Int(rank)]
    }
    var seen: UInt64 = 0
    // Ascending values: negatives from largest magnitude down, then zero, then positives up.
    if let v = negative.find(rank: rank, seen: &seen, descending: true) { return -Self.value(ofIndex: v) }
    seen += zeroCount
    if rank < seen { return 0 }
    if let v = positive.find(rank: rank, seen: &seen, descending: false) { return Self.value(ofIndex: v) }
    return nil
  }

  /// The same value as `quantile(q)`, sorting the exact values in place instead of a copy: the sketch holds the
  /// same values afterwards, and a second quantile of the same sketch finds them sorted.
  public mutating func quantileSortingInPlace(_ q: Double) -> Double? {
    guard count > 0, !usesBuckets else { return quantile(q) }
    let rank = Int((q * Double(count - 1)).rounded(.down))
    let n = Int(count)
    if n > Self.inlineCapacity {
      exact.sort()
      return exact[rank]
    }
    // Insertion sort of the inline values, through a pointer (a vector's lanes are slow to index one by one).
    return withUnsafeMutableBytes(of: &small) { raw in
      let b = raw.bindMemory(to: Double.self)
      for i in 1..<max(n, 1) {
        let v = b[i]
        var j = i - 1
        while j >= 0 && b[j] > v {
          b[j + 1] = b[j]
          j -= 1
        }
        b[j + 1] = v
      }
      return b[rank]
    }
  }

  /// Starts the heap buffer with the inline values, room for `capacity` values in all.
  private mutating func moveInlineToHeap(reserving capacity: Int) {
    exact.removeAll(keepingCapacity: true)
    exact.reserveCapacity(capacity)
    withUnsafeBytes(of: small) { raw in
      exact.append(contentsOf: raw.bindMemory(to: Double.self).prefix(Int(count)))
    }
  }

  /// Adds the first `n` inline values of another sketch.
  @inline(__always)
  mutating func merge(inline values: SIMD16<Double>, count n: Int) {
    let total = Int(count) + n
    guard !usesBuckets, total > Self.inlineCapacity, total <= Self.exactLimit else {
      for i in 0..<n { add(values[i]) }
      return
    }
    // The result keeps more than `inlineCapacity` values, all in the heap buffer: copy them in one go.
    if count <= UInt64(Self.inlineCapacity) { moveInlineToHeap(reserving: total) }
    withUnsafeBytes(of: values) { raw in
      exact.append(contentsOf: raw.bindMemory(to: Double.self).prefix(n))
    }
    count = UInt64(total)
  }

  /// Combines the values of a sketch that still keeps them exactly, past its inline capacity.
  mutating func merge(exactValues values: [Double]) {
    if !usesBuckets && count > UInt64(Self.inlineCapacity)
      && count + UInt64(values.count) <= UInt64(Self.exactLimit)
    {
      exact.append(contentsOf: values)
      count += UInt64(values.count)
      return
    }
    for v in values { add(v) }
  }

  /// Combines another sketch into this one, as if its values had been added here.
  public mutating func merge(_ other: borrowing QuantileSketch) {
    if !other.usesBuckets {
      if other.count <= UInt64(Self.inlineCapacity) {
        merge(inline: other.small, count: Int(other.count))
      } else {
        merge(exactValues: other.exact)
      }
      return
    }
    if !usesBuckets { spill() }
    count += other.count
    zeroCount += other.zeroCount
    positive.merge(other.positive)
    negative.merge(other.negative)
  }
}

/// Dense bucket counts over a contiguous index range that grows as needed.
struct BucketStore: Sendable, Equatable {
  var offset = 0
  var counts: [UInt32] = []

  mutating func add(index: Int, count n: UInt64) {
    if counts.isEmpty {
      offset = index
      counts = [0]
    }
    var i = index
    if i < offset {
      let grow = offset - i
      if counts.count + grow > QuantileSketch.maxBuckets {
        // Collapse: values below the kept range go into the lowest kept bucket.
        i = max(offset, offset + counts.count - QuantileSketch.maxBuckets)
      } else {
        counts.insert(contentsOf: repeatElement(0, count: grow), at: 0)
        offset = i
      }
    } else if i >= offset + counts.count {
      let grow = i - offset - counts.count + 1
      counts.append(contentsOf: repeatElement(0, count: grow))
      if counts.count > QuantileSketch.maxBuckets {
        let drop = counts.count - QuantileSketch.maxBuckets
        let folded = counts[0..<drop].reduce(UInt32(0), +)
        counts.removeFirst(drop)
        counts[0] &+= folded
        offset += drop
      }
    }
    counts[i - offset] &+= UInt32(truncatingIfNeeded: n)
  }

  func find(rank: UInt64, seen: inout UInt64, descending: Bool) -> Int? {
    if descending {
      for j in stride(from: counts.count - 1, through: 0, by: -1) {
        seen += UInt64(counts[j])
        if rank < seen { return offset + j }
      }
    } else {
      for j in 0..<counts.count {
        seen += UInt64(counts[j])
        if rank < seen { return offset + j }
      }
    }
    return nil
  }

  mutating func merge(_ other: BucketStore) {
    for (j, c) in other.counts.enumerated() where c > 0 { add(index: other.offset + j, count: UInt64(c)) }
  }
}
