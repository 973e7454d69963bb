/// A hash table from UTF-8 byte strings to dictionary indices, used to dictionary-encode strings.
///
/// Keys are compared as bytes, not as Swift `String`s: `String` equality is Unicode canonical
/// equivalence, so a `[String: Int]` would merge "é" and "e\u{301}" and silently change data. The
/// entries are stored already PLAIN encoded (4-byte little-endian length, then the bytes), which is
/// exactly the dictionary page payload, so the page needs no second copy. Open addressing with
/// linear probing over an `Int32` slot array keeps lookups allocation-free.
struct ParquetStringDictionary {
  /// The dictionary page payload: every entry PLAIN encoded, in index order.
  private(set) var plainBytes: [UInt8] = []
  /// Start of each entry's bytes in `plainBytes` (just after its length prefix).
  private var entryOffsets: [Int] = []
  private var entryLengths: [Int] = []
  private var entryHashes: [UInt64] = []
  /// -1 for an empty slot, otherwise an entry index. Its count is a power of two.
  private var slots: [Int32] = []

  var count: Int { entryOffsets.count }

  init() {
    slots = [Int32](repeating: -1, count: 1024)
  }

  /// Empties the dictionary for the next column chunk, keeping allocated capacity.
  mutating func reset() {
    plainBytes.removeAll(keepingCapacity: true)
    entryOffsets.removeAll(keepingCapacity: true)
    entryLengths.removeAll(keepingCapacity: true)
    entryHashes.removeAll(keepingCapacity: true)
    slots.withUnsafeMutableBufferPointer { $0.update(repeating: -1) }
  }

  /// Returns the index of `key`, adding it if it is new.
  mutating func index(of key: UnsafeRawBufferPointer) -> Int {
    let hash = Self.hash(key)
    let mask = slots.count - 1
    var slot = Int(truncatingIfNeeded: hash) & mask
    while true {
      let entry = Int(slots[slot])
      if entry < 0 { break }
      if entryHashes[entry] == hash && entryLengths[entry] == key.count {
        let equal = plainBytes.withUnsafeBytes { all in
          Self.bytesEqual(
            UnsafeRawBufferPointer(rebasing: all[entryOffsets[entry]..<entryOffsets[entry] + key.count]), key)
        }
        if equal { return entry }
      }
      slot = (slot + 1) & mask
    }
    let index = entryOffsets.count
    let length = UInt32(key.count)
    plainBytes.append(UInt8(truncatingIfNeeded: length))
    plainBytes.append(UInt8(truncatingIfNeeded: length >> 8))
    plainBytes.append(UInt8(truncatingIfNeeded: length >> 16))
    plainBytes.append(UInt8(truncatingIfNeeded: length >> 24))
    entryOffsets.append(plainBytes.count)
    entryLengths.append(key.count)
    entryHashes.append(hash)
    plainBytes.append(contentsOf: key)
    slots[slot] = Int32(index)
    if entryOffsets.count * 2 > slots.count { grow() }
    return index
  }

  private mutating func grow() {
    let newCount = slots.count * 2
    slots = [Int32](repeating: -1, count: newCount)
    let mask = newCount - 1
    for (index, hash) in entryHashes.enumerated() {
      var slot = Int(truncatingIfNeeded: hash) & mask
      while slots[slot] >= 0 { slot = (slot + 1) & mask }
      slots[slot] = Int32(index)
    }
  }

  /// A fast 64-bit hash that reads eight bytes at a time; quality only needs to suit linear probing.
  static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
    let multiplier: UInt64 = 0x9E37_79B9_7F4A_7C15
    var h: UInt64 = 0xCBF2_9CE4_8422_2325 ^ UInt64(bytes.count)
    var i = 0
    while i + 8 <= bytes.count {
      let word = bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)
      h = (h ^ word) &* multiplier
      h ^= h >> 29
      i += 8
    }
    if i < bytes.count {
      var tail: UInt64 = 0
      var shift: UInt64 = 0
      while i < bytes.count {
        tail |= UInt64(bytes[i]) << shift
        shift += 8
        i += 1
      }
      h = (h ^ tail) &* multiplier
    }
    h ^= h >> 32
    h = h &* multiplier
    h ^= h >> 29
    return h
  }

  static func bytesEqual(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
    guard a.count == b.count else { return false }
    var i = 0
    while i + 8 <= a.count {
      if a.loadUnaligned(fromByteOffset: i, as: UInt64.self) != b.loadUnaligned(fromByteOffset: i, as: UInt64.self) {
        return false
      }
      i += 8
    }
    while i < a.count {
      if a[i] != b[i] { return false }
      i += 1
    }
    return true
  }

  /// Unsigned byte-wise comparison, the sort order Parquet defines for UTF-8 strings.
  static func bytesLess(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
    let common = min(a.count, b.count)
    var i = 0
    while i < common {
      if a[i] != b[i] { return a[i] < b[i] }
      i += 1
    }
    return a.count < b.count
  }
}

extension ParquetStringDictionary {
  /// Indices of the smallest and largest entries in unsigned byte order, or nil when empty.
  func minMaxEntries() -> (min: Int, max: Int)? {
    guard count > 0 else { return nil }
    return plainBytes.withUnsafeBytes { all in
      func entry(_ i: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: all[entryOffsets[i]..<entryOffsets[i] + entryLengths[i]])
      }
      var minIndex = 0
      var maxIndex = 0
      for i in 1..<count {
        let e = entry(i)
        if Self.bytesLess(e, entry(minIndex)) { minIndex = i }
        if Self.bytesLess(entry(maxIndex), e) { maxIndex = i }
      }
      return (minIndex, maxIndex)
    }
  }

  /// A copy of entry `index`'s bytes.
  func entryBytes(_ index: Int) -> [UInt8] {
    Array(plainBytes[entryOffsets[index]..<entryOffsets[index] + entryLengths[index]])
  }
}
