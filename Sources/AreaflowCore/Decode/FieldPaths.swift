#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The keys a line's objects are matched against: field names, and dotted field paths into nested objects
/// (`VP.lat`, `a.MeanThroughputMbps`, SPEC section 7).
///
/// Level 0 is the line's own object; every other level is the object under one key of its parent. A key's target
/// says what its value is to the config: -1 nothing; a slot (0 ..< 2^20) when it is a field the config reads;
/// `-2 - level` when it is an object some path goes into; `level << 20 | slot` when it is both (a field `a` and a
/// path `a.b`).
struct FieldPaths: Sendable {
  struct Level: Sendable {
    var keys: [[UInt8]] = []
    var targets: [Int] = []
  }

  static let slotBits = 20

  private(set) var levels: [Level] = [Level()]

  /// The slot a target fills, if any.
  @inline(__always)
  static func slot(_ target: Int) -> Int? { target >= 0 ? target & ((1 << slotBits) - 1) : nil }

  /// The nested level a target goes into, if any.
  @inline(__always)
  static func level(_ target: Int) -> Int? {
    target <= -2 ? -2 - target : target >= 1 << slotBits ? target >> slotBits : nil
  }

  init(names: [String]) {
    for (slot, name) in names.enumerated() {
      // A flat key spelled with dots (`{"pos.lat": 1}`) is read too, as it was before paths existed.
      if name.contains("."), !levels[0].keys.contains(Array(name.utf8)) {
        levels[0].keys.append(Array(name.utf8))
        levels[0].targets.append(slot)
      }
      var segments = name.split(separator: ".", omittingEmptySubsequences: false).map { Array($0.utf8) }
      // A name that is not a clean path (an empty segment) is a plain key, as before paths existed.
      if segments.contains(where: \.isEmpty) { segments = [Array(name.utf8)] }
      var level = 0
      for (k, segment) in segments.enumerated() {
        let isLeaf = k == segments.count - 1
        let i: Int
        if let found = levels[level].keys.firstIndex(of: segment) {
          i = found
        } else {
          levels[level].keys.append(segment)
          levels[level].targets.append(-1)
          i = levels[level].keys.count - 1
        }
        let target = levels[level].targets[i]
        if isLeaf {
          levels[level].targets[i] = Self.level(target).map { $0 << Self.slotBits | slot } ?? slot
        } else if let next = Self.level(target) {
          level = next
        } else {
          levels.append(Level())
          let next = levels.count - 1
          levels[level].targets[i] = Self.slot(target).map { next << Self.slotBits | $0 } ?? -2 - next
          level = next
        }
      }
    }
  }

  /// The target of a key given as raw bytes at `level`, or -1 when no field is under it.
  /// - Complexity: O(keys at that level); bytes are compared only when the length and first byte match.
  @inline(__always)
  func target(level: Int, _ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Int {
    let n = end - start
    guard n > 0 else { return -1 }
    let first = p[start]
    let keys = levels[level].keys
    for i in 0..<keys.count {
      let matched = keys[i].withUnsafeBufferPointer { k -> Bool in
        guard k.count == n, k[0] == first else { return false }
        return memcmp(k.baseAddress!, p + start, n) == 0
      }
      if matched { return levels[level].targets[i] }
    }
    return -1
  }
}
