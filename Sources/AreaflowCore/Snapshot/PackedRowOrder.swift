/// The output order of a commit's rows by one integer per row: window, scheme, window index (from the window's
/// lowest in the commit), level, area (from the lowest, or its rank when that is narrower), dimension rank and, last, the row's index, packed in that
/// order into 64 bits when their ranges fit. Integers compare like the former sort keys, and the row index breaks
/// ties by input order as the former stable sort did, so the order is the same (`CSVPlanEncodingTests`); the integers are
/// sorted by radix, with no comparison closure and no key lookups.
enum PackedRowOrder {
  /// Row indices in output order, or nil when the fields need more than 64 bits (then the general sort runs).
  static func sorted(
    _ rows: ClosedRows, windows: Int, schemes: Int, areas: [UInt64]?, combinations: [Int32], dimensionRank: [Int32]
  ) -> [Int]? {
    let n = rows.count
    guard n > 0, n < Int(Int32.max) else { return nil }
    var minIndex = [Int64](repeating: .max, count: windows)
    var maxIndex = [Int64](repeating: .min, count: windows)
    var minArea = UInt64.max
    var maxArea: UInt64 = 0
    for i in 0..<n {
      let k = rows.keys[i]
      guard k.window >= 0, Int(k.window) < windows, k.scheme >= 0, Int(k.scheme) < schemes else { return nil }
      let w = Int(k.window)
      minIndex[w] = min(minIndex[w], k.index)
      maxIndex[w] = max(maxIndex[w], k.index)
      let area = areas?[i] ?? k.area
      minArea = min(minArea, area)
      maxArea = max(maxArea, area)
    }
    var indexSpan: UInt64 = 0
    for w in 0..<windows where minIndex[w] <= maxIndex[w] {
      let (span, overflow) = maxIndex[w].subtractingReportingOverflow(minIndex[w])
      guard !overflow else { return nil }
      indexSpan = max(indexSpan, UInt64(span))
    }
    let maxLevel = rows.levels.max() ?? 0
    func width(_ v: UInt64) -> Int { 64 - v.leadingZeroBitCount }
    let schemeBits = width(UInt64(schemes - 1))
    let indexBits = width(indexSpan)
    let levelBits = width(UInt64(maxLevel))
    var areaBits = width(maxArea - minArea)
    let rankBits = width(UInt64(max(dimensionRank.count, 1) - 1))
    let rowBits = width(UInt64(n - 1))
    let otherBits = width(UInt64(windows - 1)) + schemeBits + indexBits + levelBits + rankBits + rowBits
    // Areas spread over many bits (H3 cells) take their rank among the commit's distinct areas instead.
    var areaRank: [UInt64] = []
    if otherBits + areaBits > 64 {
      var distinct = DenseKeyIndex()
      let numbers = (0..<n).map { distinct.index(of: areas?[$0] ?? rows.keys[$0].area) }
      let values = distinct.keys
      var rankOf = [UInt64](repeating: 0, count: values.count)
      for (rank, d) in values.indices.sorted(by: { values[$0] < values[$1] }).enumerated() {
        rankOf[d] = UInt64(rank)
      }
      areaRank = numbers.map { rankOf[Int($0)] }
      areaBits = width(UInt64(values.count - 1))
    }
    let total = otherBits + areaBits
    guard total <= 64 else { return nil }
    var keys = [UInt64](unsafeUninitializedCapacity: n) { out, initialized in
      for i in 0..<n {
        let k = rows.keys[i]
        var key = UInt64(k.window)
        key = key << schemeBits | UInt64(k.scheme)
        key = key << indexBits | UInt64(k.index &- minIndex[Int(k.window)])
        key = key << levelBits | UInt64(rows.levels.isEmpty ? 0 : rows.levels[i])
        key = key << areaBits | (areaRank.isEmpty ? (areas?[i] ?? k.area) &- minArea : areaRank[i])
        key = key << rankBits | UInt64(combinations.isEmpty ? 0 : dimensionRank[Int(combinations[i])])
        out[i] = key << rowBits | UInt64(i)
      }
      initialized = n
    }
    radixSort(&keys, bits: total)
    let rowMask: UInt64 = rowBits == 0 ? 0 : ~0 >> UInt64(64 - rowBits)
    return keys.map { Int($0 & rowMask) }
  }

  /// Sorts by the low `bits` bits (higher ones are zero), 11 bits per pass, least significant first; a pass whose
  /// digit is the same for every key is skipped.
  static func radixSort(_ keys: inout [UInt64], bits: Int) {
    let n = keys.count
    guard n > 1 else { return }
    let digitBits = 11
    let buckets = 1 << digitBits
    var other = [UInt64](repeating: 0, count: n)
    var counts = [Int](repeating: 0, count: buckets)
    var shift = 0
    while shift < bits {
      let s = UInt64(shift)
      let mask = UInt64(buckets - 1)
      var sortedIntoOther = false
      keys.withUnsafeMutableBufferPointer { from in
        other.withUnsafeMutableBufferPointer { to in
          counts.withUnsafeMutableBufferPointer { counts in
            for b in 0..<buckets { counts[b] = 0 }
            for key in from { counts[Int(truncatingIfNeeded: key &>> s & mask)] &+= 1 }
            if counts[Int(truncatingIfNeeded: from[0] &>> s & mask)] == n { return }
            var at = 0
            for b in 0..<buckets {
              let c = counts[b]
              counts[b] = at
              at &+= c
            }
            for key in from {
              let b = Int(truncatingIfNeeded: key &>> s & mask)
              to[counts[b]] = key
              counts[b] &+= 1
            }
            sortedIntoOther = true
          }
        }
      }
      if sortedIntoOther { swap(&keys, &other) }
      shift += digitBits
    }
  }
}
