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
  /// Past `inlineCapacity` values (while not bucketed): a buffer of `exactLimit` doubles whose first `count` are the
  /// values, in the order they came (the rest are leftovers), so adding or merging values writes in place; empty
  /// otherwise.
  var exact: [Double] = []
  var positive = BucketStore()
  var negative = BucketStore()
  var zeroCount: UInt64 = 0
  public internal(set) var count: UInt64 = 0
  var usesBuckets = false
  /// The exact values are in ascending order: `quantileSortingInPlace` sorted them and nothing was added since.
  /// The second quantile feature of a field (p90 after p50) then reads its rank without sorting again. Every
  /// mutation clears it (`add`, both `merge`s, `resetKeepingBuffer`); it lives in what was padding.
  var sorted = false

  public init() {}

  /// The exact values (while not bucketed), in the order they are kept.
  var exactValues: [Double] {
    if usesBuckets { return [] }
    return count <= UInt64(Self.inlineCapacity) ? (0..<Int(count)).map { small[$0] } : Array(exact[0..<Int(count)])
  }

  /// Equal when they hold the same values the same way (leftovers in unused slots do not count).
  public static func == (a: QuantileSketch, b: QuantileSketch) -> Bool {
    a.count == b.count && a.usesBuckets == b.usesBuckets && a.zeroCount == b.zeroCount && a.positive == b.positive
      && a.negative == b.negative && (a.usesBuckets || a.exactValues == b.exactValues)
  }

  /// Empties the sketch. Bucket arrays and the value buffer are released: slots that held a merged window (often
  /// past `exactLimit`) are reused by small slice groups, and keeping their kilobytes would multiply memory.
  public mutating func reset() {
    if !exact.isEmpty { exact = [] }
    resetKeepingBuffer()
  }

  /// `reset`, leaving `exact` as it is (the caller has taken the buffer out).
  @inline(__always)
  mutating func resetKeepingBuffer() {
    if usesBuckets {
      positive = BucketStore()
      negative = BucketStore()
      zeroCount = 0
      usesBuckets = false
    }
    count = 0
    sorted = false
  }

  /// Adds one value (NaN is ignored by callers, never passed).
  /// - Complexity: amortised O(1); allocation only past `inlineCapacity` values and when the bucket range grows.
  public mutating func add(_ value: Double) {
    sorted = false
    if usesBuckets {
      count += 1
      insertBucketed(value)
      return
    }
    let n = Int(count)
    if n < Self.inlineCapacity {
      small[n] = value
      count += 1
      return
    }
    if n == Self.inlineCapacity { moveInlineToHeap() }
    if n < Self.exactLimit {
      exact[n] = value
      count += 1
      return
    }
    // The value past `exactLimit`: every value goes into buckets, in the order they came.
    var v = value
    spill(appending: &v, count: 1)
    count += 1
  }

  /// Switches to buckets: the kept values, then `extra[0..<n]`, go into them in that order (the caller counts the
  /// extra values).
  private mutating func spill(
    appending extra: UnsafePointer<Double>, count n: Int, cache: BucketIndexCache? = nil
  ) {
    let kept = Int(count)
    usesBuckets = true
    if kept <= Self.inlineCapacity {
      var lanes = small
      withUnsafeBytes(of: &lanes) {
        insertBucketed($0.baseAddress!.assumingMemoryBound(to: Double.self), count: kept, cache: cache)
      }
    } else {
      let values = exact
      values.withUnsafeBufferPointer { insertBucketed($0.baseAddress!, count: kept, cache: cache) }
    }
    exact = []
    if n > 0 { insertBucketed(extra, count: n, cache: cache) }
  }

  private mutating func spill(cache: BucketIndexCache? = nil) {
    var none = 0.0
    spill(appending: &none, count: 0, cache: cache)
  }

  @inline(__always)
  private mutating func insertBucketed(_ value: Double) {
    let magnitude = abs(value)
    if magnitude < Self.minMagnitude {
      zeroCount += 1
    } else if value > 0 {
      positive.add(index: Self.bucketIndex(magnitude), count: 1)
    } else {
      negative.add(index: Self.bucketIndex(magnitude), count: 1)
    }
  }

  /// Puts `n` values into buckets: the same state as adding them one by one in order, with one range check and
  /// growth per store for a whole run of values. `cache`, when given, remembers indices across calls.
  private mutating func insertBucketed(_ values: UnsafePointer<Double>, count n: Int, cache: BucketIndexCache?) {
    let tables = LogTables.shared
    let chunk = 64
    var start = 0
    while start < n {
      let m = min(chunk, n - start)
      withUnsafeTemporaryAllocation(of: Int.self, capacity: 2 * chunk) { indices in
        let up = indices.baseAddress!
        let down = up + chunk
        var ups = 0
        var downs = 0
        var zeros: UInt64 = 0
        for k in start..<(start + m) {
          let v = values[k]
          let magnitude = abs(v)
          if magnitude < Self.minMagnitude {
            zeros += 1
            continue
          }
          let index = cache?.index(magnitude, tables) ?? Self.bucketIndex(magnitude, tables)
          if v > 0 {
            up[ups] = index
            ups += 1
          } else {
            down[downs] = index
            downs += 1
          }
        }
        zeroCount += zeros
        if ups > 0 { positive.add(indices: up, count: ups) }
        if downs > 0 { negative.add(indices: down, count: downs) }
      }
      start += m
    }
  }

  /// The bucket of a magnitude, as `ceil(log(magnitude) / logGamma)` computed with the platform's `log`.
  @inline(__always)
  static func index(_ magnitude: Double) -> Int {
    // The ceiling without a call into libm: truncate, then step up when something was cut off.
    let x = log(magnitude) / logGamma
    let i = Int(x)
    return Double(i) < x ? i + 1 : i
  }

  /// `index(magnitude)` (magnitude ≥ `minMagnitude`), mostly without calling `log`: the logarithm comes from the
  /// exponent, a 256-entry table over the top mantissa bits and four terms of `log(1 + r)` for the rest
  /// (r < 2⁻⁸), within about 1e-10 bucket widths of what `index` computes (truncation r⁵/5 < 2e-13, the rest a
  /// few rounding errors on a logarithm below 710). When that estimate lies within `edgeMargin` (1e-6) of a
  /// bucket edge — where the two could round to different buckets — or the magnitude is not a finite normal
  /// number, `index` itself decides. So the result is `index(magnitude)` for every double
  /// (`QuantileSketchTests` compares them on millions of values, bucket edges included).
  @inline(__always)
  static func bucketIndex(_ magnitude: Double, _ tables: LogTables = .shared) -> Int {
    let bits = magnitude.bitPattern
    let biased = Int(truncatingIfNeeded: bits >> 52)
    guard UInt(bitPattern: biased &- 1) < 0x7FE else { return index(magnitude) }
    let k = Int(truncatingIfNeeded: (bits >> 44) & 0xFF)
    // (1 + f) / (1 + k/256) − 1, where f − k/256 is the low 44 mantissa bits times 2⁻⁵² exactly.
    let r = Double(Int64(bitPattern: bits & 0xFFF_FFFF_FFFF)) * 0x1p-52 * tables.reciprocals[k]
    let log1p = r * (1 - r * (0.5 - r * (1.0 / 3 - r * 0.25)))
    let x = (Double(biased &- 1023) * LogTables.ln2 + (tables.logs[k] + log1p)) * LogTables.inverseLogGamma
    // The nearest integer n and x − n, both exact (|x| < 2⁵¹): adding 1.5·2⁵² rounds to an integer.
    let shifted = x + 0x1.8p52
    let n = Int(truncatingIfNeeded: Int64(bitPattern: shifted.bitPattern) &- 0x4338_0000_0000_0000)
    let d = x - (shifted - 0x1.8p52)
    // Away from the edges, ceil(x) is n + 1 above n and n below it.
    if abs(d) > LogTables.edgeMargin { return d > 0 ? n &+ 1 : n }
    return index(magnitude)
  }

  @inline(__always)
  static func value(ofIndex i: Int) -> Double {
    2 * exp(Double(i) * logGamma) / (gamma + 1)
  }

  /// The value of rank `floor(q · (n − 1))` (0-based) — exact while the sketch is small, else within α relative.
  public func quantile(_ q: Double) -> Double? {
    guard count > 0 else { return nil }
    // q is in [0, 1] (the config checks it), so the product is not negative and converting it truncates as
    // `rounded(.down)` would, without a call into libm.
    let rank = UInt64(q * Double(count - 1))
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
  /// same values afterwards, in the order a stable sort gives (as `quantile`'s), and a second quantile of the
  /// same sketch finds them sorted.
  public mutating func quantileSortingInPlace(_ q: Double) -> Double? {
    guard count > 0, !usesBuckets else { return quantile(q) }
    let rank = Int(q * Double(count - 1))
    let n = Int(count)
    if sorted { return n > Self.inlineCapacity ? exact[rank] : small[rank] }
    defer { sorted = true }
    if n > Self.inlineCapacity {
      return exact.withUnsafeMutableBufferPointer { b in
        let base = b.baseAddress!
        withUnsafeTemporaryAllocation(of: Double.self, capacity: Self.exactLimit) { scratch in
          Self.stableSort(base, n, scratch: scratch.baseAddress!)
        }
        return base[rank]
      }
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

  /// Sorts `a[0..<n]` (n ≤ `exactLimit`, no NaN) ascending and stably — equal values keep their order, so the
  /// result is the standard library's `sort()` (a stable insertion sort below 64 elements) element for element,
  /// signed zeros included. The ascending runs already there (a window's values are its slices' values, each slice
  /// sorted when its own window was read) are merged pairwise, pass after pass, between `a` and `scratch` (room
  /// for n values).
  static func stableSort(_ a: UnsafeMutablePointer<Double>, _ n: Int, scratch: UnsafeMutablePointer<Double>) {
    guard n > 1 else { return }
    withUnsafeTemporaryAllocation(of: Int.self, capacity: exactLimit + 1) { boundsBuffer in
      // bounds[r]..<bounds[r + 1] is run r.
      let bounds = boundsBuffer.baseAddress!
      bounds[0] = 0
      var runs = 0
      var previous = a[0]
      for i in 1..<n {
        let v = a[i]
        if v < previous {
          runs += 1
          bounds[runs] = i
        }
        previous = v
      }
      runs += 1
      bounds[runs] = n
      var source = a
      var target = scratch
      while runs > 1 {
        var merged = 0
        var r = 0
        while r + 1 < runs {
          let lo = bounds[r]
          let hi = bounds[r + 2]
          var p = source + lo
          let pEnd = source + bounds[r + 1]
          var q = pEnd
          let qEnd = source + hi
          var d = target + lo
          var x = p.pointee
          var y = q.pointee
          while true {
            // Stable: on a tie the left run's value goes first.
            if y < x {
              d.pointee = y
              d += 1
              q += 1
              if q == qEnd { break }
              y = q.pointee
            } else {
              d.pointee = x
              d += 1
              p += 1
              if p == pEnd { break }
              x = p.pointee
            }
          }
          while p < pEnd {
            d.pointee = p.pointee
            d += 1
            p += 1
          }
          while q < qEnd {
            d.pointee = q.pointee
            d += 1
            q += 1
          }
          merged += 1
          bounds[merged] = hi
          r += 2
        }
        if r + 1 == runs {
          // An odd run out: copied as it is.
          for k in bounds[r]..<bounds[r + 1] { target[k] = source[k] }
          merged += 1
          bounds[merged] = bounds[r + 1]
        }
        runs = merged
        swap(&source, &target)
      }
      if source != a {
        for k in 0..<n { a[k] = source[k] }
      }
    }
  }

  /// Starts the heap buffer (`exactLimit` values) with the inline values, in `exact` when it already holds a
  /// spare buffer of that size (`QuantileAccumulator` hands out emptied ones), else in a new one.
  private mutating func moveInlineToHeap() {
    var lanes = small
    if exact.count != Self.exactLimit {
      exact = [Double](repeating: 0, count: Self.exactLimit)
    }
    withUnsafeBytes(of: &lanes) { raw in
      let from = raw.baseAddress!.assumingMemoryBound(to: Double.self)
      exact.withUnsafeMutableBufferPointer { b in
        for i in 0..<Self.inlineCapacity { b[i] = from[i] }
      }
    }
  }

  /// Whether merging `n` more values moves this sketch's values into its heap buffer (the accumulator can hand it
  /// a spare one first).
  @inline(__always)
  func needsHeapBuffer(adding n: Int) -> Bool {
    !usesBuckets && count <= UInt64(Self.inlineCapacity) && Int(count) + n > Self.inlineCapacity
      && Int(count) + n <= Self.exactLimit && exact.isEmpty
  }

  /// Adds `n` values in order, as `add` one by one would, but writing runs of them at once; `cache` (the
  /// caller's, one per thread) spares recomputing bucket indices of values seen before.
  mutating func merge(values: UnsafePointer<Double>, count n: Int, cache: BucketIndexCache? = nil) {
    guard n > 0 else { return }
    sorted = false
    if usesBuckets {
      count += UInt64(n)
      insertBucketed(values, count: n, cache: cache)
      return
    }
    let kept = Int(count)
    let total = kept + n
    if total <= Self.inlineCapacity {
      withUnsafeMutableBytes(of: &small) { raw in
        let lanes = raw.baseAddress!.assumingMemoryBound(to: Double.self)
        for i in 0..<n { lanes[kept + i] = values[i] }
      }
      count = UInt64(total)
      return
    }
    if total <= Self.exactLimit {
      if kept <= Self.inlineCapacity { moveInlineToHeap() }
      exact.withUnsafeMutableBufferPointer { b in
        let base = b.baseAddress!
        for i in 0..<n { base[kept + i] = values[i] }
      }
      count = UInt64(total)
      return
    }
    // Past `exactLimit`: the kept values, then these, go into buckets in that order.
    spill(appending: values, count: n, cache: cache)
    count = UInt64(total)
  }

  /// Adds the first `n` inline values of another sketch.
  @inline(__always)
  mutating func merge(inline values: SIMD16<Double>, count n: Int) {
    var lanes = values
    withUnsafeBytes(of: &lanes) { merge(values: $0.baseAddress!.assumingMemoryBound(to: Double.self), count: n) }
  }

  /// Combines the values of a sketch that still keeps them exactly, past its inline capacity.
  mutating func merge(exactValues values: [Double], count n: Int) {
    values.withUnsafeBufferPointer { merge(values: $0.baseAddress!, count: n) }
  }

  /// Combines bucket counts of another (bucketed) sketch.
  mutating func merge(buckets other: borrowing QuantileSketch, cache: BucketIndexCache? = nil) {
    sorted = false
    if !usesBuckets { spill(cache: cache) }
    count += other.count
    zeroCount += other.zeroCount
    positive.merge(other.positive)
    negative.merge(other.negative)
  }

  /// Combines another sketch into this one, as if its values had been added here.
  public mutating func merge(_ other: borrowing QuantileSketch) {
    if !other.usesBuckets {
      if other.count <= UInt64(Self.inlineCapacity) {
        merge(inline: other.small, count: Int(other.count))
      } else {
        merge(exactValues: other.exact, count: Int(other.count))
      }
      return
    }
    merge(buckets: other)
  }
}

/// Tables for `QuantileSketch.bucketIndex`: `log` and the reciprocal of `1 + k/256` for every k < 256.
struct LogTables: @unchecked Sendable {
  static let shared = LogTables()
  /// `log(2)` and `1 / logGamma`, as literals (constants, not lazily initialised globals; `QuantileSketchTests`
  /// holds them equal to the expressions bit for bit).
  static let ln2 = Double(bitPattern: 0x3FE6_2E42_FEFA_39EF)
  static let inverseLogGamma = Double(bitPattern: 0x404F_3FD4_4EFF_99C2)
  /// How close (in bucket widths) to a bucket edge the estimate may come before `log` decides.
  static let edgeMargin = 1e-6
  let logs: UnsafeMutablePointer<Double>
  let reciprocals: UnsafeMutablePointer<Double>

  private init() {
    logs = .allocate(capacity: 256)
    reciprocals = .allocate(capacity: 256)
    for k in 0..<256 {
      let c = 1 + Double(k) / 256
      logs[k] = log(c)
      reciprocals[k] = 1 / c
    }
  }
}

/// Dense bucket counts over a contiguous index range that grows as needed.
struct BucketStore: Sendable, Equatable {
  var offset = 0
  var counts: [UInt32] = []

  @inline(__always)
  mutating func add(index: Int, count n: UInt64) {
    let j = index &- offset
    if j >= 0 && j < counts.count {
      counts[j] &+= UInt32(truncatingIfNeeded: n)
      return
    }
    addOutside(index: index, count: n)
  }

  /// `add` of an index outside the current range (or the first index).
  private mutating func addOutside(index: Int, count n: UInt64) {
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

  /// Widens the range to hold `lo...hi` when the result stays within `maxBuckets` (then adding any indices in
  /// `lo...hi`, in any order, collapses nothing, exactly as when the range grows one index at a time); returns
  /// false, changing nothing, otherwise.
  private mutating func cover(_ lo: Int, _ hi: Int) -> Bool {
    if counts.isEmpty {
      guard hi - lo < QuantileSketch.maxBuckets else { return false }
      offset = lo
      counts = [UInt32](repeating: 0, count: hi - lo + 1)
      return true
    }
    let end = offset + counts.count
    let newLo = min(lo, offset)
    let newEnd = max(hi + 1, end)
    guard newEnd - newLo <= QuantileSketch.maxBuckets else { return false }
    if newLo < offset {
      counts.insert(contentsOf: repeatElement(0, count: offset - newLo), at: 0)
      offset = newLo
    }
    if newEnd > end { counts.append(contentsOf: repeatElement(0, count: newEnd - end)) }
    return true
  }

  /// Adds one to the bucket of each of `indices[0..<n]`: the same state as `add(index:count: 1)` for each in order.
  mutating func add(indices: UnsafePointer<Int>, count n: Int) {
    var lo = indices[0]
    var hi = lo
    for k in 1..<max(n, 1) {
      let i = indices[k]
      lo = min(lo, i)
      hi = max(hi, i)
    }
    guard cover(lo, hi) else {
      for k in 0..<n { add(index: indices[k], count: 1) }
      return
    }
    let o = offset
    counts.withUnsafeMutableBufferPointer { c in
      let base = c.baseAddress!
      for k in 0..<n { base[indices[k] - o] &+= 1 }
    }
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

  /// Adds another store's counts: the same state as adding its non-empty buckets one by one, upwards.
  mutating func merge(_ other: BucketStore) {
    guard let first = other.counts.firstIndex(where: { $0 != 0 }) else { return }
    let last = other.counts.lastIndex(where: { $0 != 0 })!
    guard cover(other.offset + first, other.offset + last) else {
      for (j, c) in other.counts.enumerated() where c > 0 { add(index: other.offset + j, count: UInt64(c)) }
      return
    }
    let shift = other.offset - offset
    counts.withUnsafeMutableBufferPointer { c in
      other.counts.withUnsafeBufferPointer { o in
        for j in first...last { c[j + shift] &+= o[j] }
      }
    }
  }
}
