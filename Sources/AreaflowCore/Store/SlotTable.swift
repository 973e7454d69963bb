/// An open-addressing hash table from (area scheme, area, dimensions) to a group slot, one per open window.
///
/// Keeping one small table per window means closing a window drops its table whole — no deletions, no
/// tombstones — and lookups hash two words with a cheap mixer instead of going through `Hasher`. A class, so the
/// hot loop reaches its arrays through one reference instead of copying a struct of four arrays per lookup.
final class SlotTable {
  private var areas: [UInt64]
  private var dimensions: [UInt64]
  private var schemes: [Int32]
  /// -1 marks an empty bucket.
  private var slots: [Int32]
  private var mask: Int
  private(set) var count = 0

  init(capacity: Int = 256) {
    var size = 16
    while size < capacity * 2 { size <<= 1 }
    areas = [UInt64](repeating: 0, count: size)
    dimensions = [UInt64](repeating: 0, count: size)
    schemes = [Int32](repeating: 0, count: size)
    slots = [Int32](repeating: -1, count: size)
    mask = size - 1
  }

  @inline(__always)
  static func bucket(_ area: UInt64, _ dims: UInt64, _ scheme: Int32) -> Int {
    Int(
      truncatingIfNeeded: ByteHasher.mix(
        area &* 0x9E37_79B9_7F4A_7C15 ^ dims ^ UInt64(UInt32(bitPattern: scheme)) << 56))
  }

  /// The slot of a key, or nil.
  @inline(__always)
  func find(area: UInt64, dimensions dims: UInt64, scheme: Int32) -> Int32? {
    var i = Self.bucket(area, dims, scheme) & mask
    while true {
      let s = slots[i]
      if s < 0 { return nil }
      if areas[i] == area && dimensions[i] == dims && schemes[i] == scheme { return s }
      i = (i + 1) & mask
    }
  }

  /// Empties the table, keeping its size (a scratch table reused for every merge).
  func removeAll() {
    guard count > 0 else { return }
    slots.withUnsafeMutableBufferPointer { $0.update(repeating: -1) }
    count = 0
  }

  /// Adds a key that is not in the table.
  func insert(area: UInt64, dimensions dims: UInt64, scheme: Int32, slot: Int32) {
    if (count + 1) * 2 > slots.count { grow() }
    var i = Self.bucket(area, dims, scheme) & mask
    while slots[i] >= 0 { i = (i + 1) & mask }
    areas[i] = area
    dimensions[i] = dims
    schemes[i] = scheme
    slots[i] = slot
    count += 1
  }

  private func grow() {
    let old = (areas, dimensions, schemes, slots)
    let size = slots.count * 2
    areas = [UInt64](repeating: 0, count: size)
    dimensions = [UInt64](repeating: 0, count: size)
    schemes = [Int32](repeating: 0, count: size)
    slots = [Int32](repeating: -1, count: size)
    mask = size - 1
    count = 0
    for i in 0..<old.3.count where old.3[i] >= 0 {
      insert(area: old.0[i], dimensions: old.1[i], scheme: old.2[i], slot: old.3[i])
    }
  }
}
