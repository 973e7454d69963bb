/// The pseudonym hashes of the values one chunk has seen: ids repeat (a vehicle reports every few seconds), and a
/// keyed hash costs far more than a lookup.
///
/// Keyed by the 64-bit hash of the raw value, the same hash distinct counts use for values that are not
/// pseudonymised, so the chance that two ids are taken for one is the same as without pseudonymisation.
struct PseudonymCache {
  private var table: [UInt64: UInt64] = [:]

  /// The hash of the pseudonym of `p[start..<end]`, computed by `make` the first time the value is seen.
  @inline(__always)
  mutating func hash(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int, make: () -> UInt64) -> UInt64 {
    let raw = ByteHasher.hash(p, start, end)
    if let known = table[raw] { return known }
    let made = make()
    table[raw] = made
    return made
  }
}
