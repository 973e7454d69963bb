/// Remembers `QuantileSketch.bucketIndex` of recently seen magnitudes, keyed by their bits.
///
/// Merging a window's slices puts the same few hundred values into buckets again and again (a speed has one
/// decimal; every value of a slice goes into each of the windows over it), and `bucketIndex` is a chain of
/// dependent floating-point steps, so a table lookup is far cheaper than recomputing it. The index is a function of
/// the magnitude's bits alone, so a hit returns exactly what `bucketIndex` returns: results never depend on the
/// cache, only the cost does.
///
/// Direct-mapped and never emptied: a newer magnitude takes the entry of an older one with the same hash. Key 0
/// (the bits of +0.0) marks an empty entry; it never occurs, because magnitudes below `minMagnitude` are counted as
/// zero before any index is asked for. Not thread-safe: each shard's accumulator owns one.
final class BucketIndexCache {
  /// Entries; a power of two. 2,048 keys and indices take 24 KiB.
  static let capacity = 2048
  private let keys: UnsafeMutablePointer<UInt64>
  private let indices: UnsafeMutablePointer<Int32>

  init() {
    keys = .allocate(capacity: Self.capacity)
    keys.initialize(repeating: 0, count: Self.capacity)
    indices = .allocate(capacity: Self.capacity)
    indices.initialize(repeating: 0, count: Self.capacity)
  }

  deinit {
    keys.deallocate()
    indices.deallocate()
  }

  /// `QuantileSketch.bucketIndex(magnitude)` for a magnitude of at least `QuantileSketch.minMagnitude`.
  @inline(__always)
  func index(_ magnitude: Double, _ tables: LogTables) -> Int {
    let bits = magnitude.bitPattern
    // Fibonacci hashing: the top bits of the product mix every bit of the mantissa.
    let h = Int(truncatingIfNeeded: (bits &* 0x9E37_79B9_7F4A_7C15) &>> 53)
    if keys[h] == bits { return Int(indices[h]) }
    let i = QuantileSketch.bucketIndex(magnitude, tables)
    // Indices lie within ±45,000 (the logarithm of a double is below 710 in magnitude, a bucket is 0.016 wide).
    keys[h] = bits
    indices[h] = Int32(truncatingIfNeeded: i)
    return i
  }
}
