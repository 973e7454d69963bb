/// Numbers distinct 64-bit keys 0, 1, 2, … in order of first appearance: an open-addressing table probed with one
/// multiply per lookup, for keys that are already well mixed or at least distinct in their high bits after it
/// (dimension keys are hashes). Replaces a `Dictionary` lookup (SipHash) per row.
struct DenseKeyIndex {
  /// The keys numbered so far; a key's number is its position.
  private(set) var keys: [UInt64] = []
  /// Per slot: 0 when empty, else the key's number plus one.
  private var slots = [Int32](repeating: 0, count: 64)
  private var shift: UInt64 = 58

  /// The number of `key`, numbering it if new.
  @inline(__always)
  mutating func index(of key: UInt64) -> Int32 {
    let mask = slots.count &- 1
    var slot = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) &>> shift)
    while true {
      let s = slots[slot]
      if s == 0 { break }
      if keys[Int(s) &- 1] == key { return s &- 1 }
      slot = (slot &+ 1) & mask
    }
    let number = Int32(keys.count)
    keys.append(key)
    slots[slot] = number &+ 1
    if keys.count &* 2 > slots.count { grow() }
    return number
  }

  /// Doubles the table and places every key again.
  private mutating func grow() {
    slots = [Int32](repeating: 0, count: slots.count * 2)
    shift -= 1
    let mask = slots.count &- 1
    for (i, key) in keys.enumerated() {
      var slot = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) &>> shift)
      while slots[slot] != 0 { slot = (slot &+ 1) & mask }
      slots[slot] = Int32(i) &+ 1
    }
  }
}
