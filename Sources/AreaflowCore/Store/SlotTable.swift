/// An open-addressing hash table from (area scheme, area, dimensions) to a group slot, one per open slice (and a
/// scratch one for merges).
///
/// Keeping one small table per slice means dropping a slice drops its table whole — no deletions, no tombstones —
/// and lookups hash two words with a cheap mixer instead of going through `Hasher`. The entries live in one buffer
/// the table owns (a class, never copied), so a probe reads one entry with no bounds or uniqueness checks.
final class SlotTable {
  struct Entry {
    var area: UInt64
    var dimensions: UInt64
    var scheme: Int32
    /// -1 marks an empty bucket.
    var slot: Int32
  }

  private var entries: UnsafeMutablePointer<Entry>
  private var size: Int
  private var mask: Int
  private(set) var count = 0

  init(capacity: Int = 256) {
    var size = 16
    while size < capacity * 2 { size <<= 1 }
    self.size = size
    mask = size - 1
    entries = .allocate(capacity: size)
    entries.initialize(repeating: Entry(area: 0, dimensions: 0, scheme: 0, slot: -1), count: size)
  }

  deinit { entries.deallocate() }

  @inline(__always)
  static func bucket(_ area: UInt64, _ dims: UInt64, _ scheme: Int32) -> Int {
    Int(
      truncatingIfNeeded: ByteHasher.mix(
        area &* 0x9E37_79B9_7F4A_7C15 ^ dims ^ UInt64(UInt32(bitPattern: scheme)) << 56))
  }

  /// The slot of a key, or nil.
  @inline(__always)
  func find(area: UInt64, dimensions dims: UInt64, scheme: Int32) -> Int32? {
    find(area: area, dimensions: dims, scheme: scheme, bucket: Self.bucket(area, dims, scheme))
  }

  /// `find` with the key's `bucket` already worked out (by `SlotTable.bucket`, before masking).
  @inline(__always)
  func find(area: UInt64, dimensions dims: UInt64, scheme: Int32, bucket: Int) -> Int32? {
    let entries = self.entries
    let mask = self.mask
    var i = bucket & mask
    while true {
      let e = entries[i]
      if e.slot < 0 { return nil }
      if e.area == area && e.dimensions == dims && e.scheme == scheme { return e.slot }
      i = (i + 1) & mask
    }
  }

  /// Asks for the cache line of a key's first bucket (`bucket` from `SlotTable.bucket`), which a `find` a few
  /// events later will probe.
  @inline(__always)
  func prefetch(bucket: Int) {
    Prefetch.read(UnsafePointer(entries + (bucket & mask)))
  }

  /// The slot of a key; when absent, `slot` is added for it and returned.
  @inline(__always)
  func findOrInsert(area: UInt64, dimensions dims: UInt64, scheme: Int32, slot: Int32) -> Int32 {
    if (count + 1) * 2 > size { grow() }
    let entries = self.entries
    let mask = self.mask
    var i = Self.bucket(area, dims, scheme) & mask
    while true {
      let e = entries[i]
      if e.slot < 0 { break }
      if e.area == area && e.dimensions == dims && e.scheme == scheme { return e.slot }
      i = (i + 1) & mask
    }
    entries[i] = Entry(area: area, dimensions: dims, scheme: scheme, slot: slot)
    count += 1
    return slot
  }

  /// Empties the table, keeping its size (a scratch table reused for every merge, a slice's table reused by a
  /// later slice).
  func removeAll() {
    guard count > 0 else { return }
    for i in 0..<size { entries[i].slot = -1 }
    count = 0
  }

  /// Adds a key that is not in the table.
  func insert(area: UInt64, dimensions dims: UInt64, scheme: Int32, slot: Int32) {
    if (count + 1) * 2 > size { grow() }
    var i = Self.bucket(area, dims, scheme) & mask
    while entries[i].slot >= 0 { i = (i + 1) & mask }
    entries[i] = Entry(area: area, dimensions: dims, scheme: scheme, slot: slot)
    count += 1
  }

  private func grow() {
    let old = entries
    let oldSize = size
    size *= 2
    mask = size - 1
    entries = .allocate(capacity: size)
    entries.initialize(repeating: Entry(area: 0, dimensions: 0, scheme: 0, slot: -1), count: size)
    count = 0
    for i in 0..<oldSize where old[i].slot >= 0 {
      insert(area: old[i].area, dimensions: old[i].dimensions, scheme: old[i].scheme, slot: old[i].slot)
    }
    old.deallocate()
  }
}
