/// A fast 64-bit hash of short byte strings (ids, route names), used to key dimensions and distinct values without
/// building `String`s. Collisions at 64 bits are negligible for the value counts a window sees.
public enum ByteHasher {
  /// Hash of `p[start..<end]`; never 0, so 0 can mean "no value" in columns.
  /// - Complexity: O(end - start), no allocation.
  @inlinable
  public static func hash(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> UInt64 {
    var (h, i) = wholeWords(p, start, end)
    if i < end {
      var tail: UInt64 = 0
      var shift: UInt64 = 0
      while i < end {
        tail |= UInt64(p[i]) << shift
        shift += 8
        i += 1
      }
      h = absorb(h, tail)
    }
    return finish(h)
  }

  /// The state after the whole eight-byte words of `p[start..<end]`, and where the partial last word starts.
  @inlinable @inline(__always)
  static func wholeWords(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> (UInt64, Int) {
    var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(truncatingIfNeeded: end - start)
    var i = start
    while i + 8 <= end {
      h = absorb(h, UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self))
      i += 8
    }
    return (h, i)
  }

  @inlinable @inline(__always)
  static func absorb(_ h: UInt64, _ word: UInt64) -> UInt64 { (h ^ mix(word)) &* 0xBF58_476D_1CE4_E5B9 }

  /// The hash of a final state; never 0.
  @inlinable @inline(__always)
  static func finish(_ h: UInt64) -> UInt64 {
    let result = mix(h)
    return result == 0 ? 1 : result
  }

  /// `hash`, allowed to read any byte of `p[lower..<upper]` (which holds `start..<end`): the last partial word
  /// is then one eight-byte load instead of a byte loop, taken from where the string starts, or ending where it
  /// ends, whichever stays inside the readable bytes. The same little-endian word, so the same hash.
  @inline(__always)
  static func hash(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int, readableFrom lower: Int, to upper: Int)
    -> UInt64
  {
    let (words, i) = wholeWords(p, start, end)
    var h = words
    let rest = end - i
    if rest > 0 {
      let tail: UInt64
      if i + 8 <= upper {
        tail = UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self) & ((1 &<< UInt64(8 * rest)) &- 1)
      } else if end - 8 >= lower {
        tail = UnsafeRawPointer(p + end - 8).loadUnaligned(as: UInt64.self) &>> UInt64(64 - 8 * rest)
      } else {
        return hash(p, start, end)
      }
      h = absorb(h, tail)
    }
    return finish(h)
  }

  /// `hash` of `length` (at most eight) bytes given as the little-endian `word`, zero above them: what `hash`
  /// computes for them, with no whole word when `length` < 8 and the word as the partial one, or as the whole one.
  @inline(__always)
  static func hash(word: UInt64, length: Int) -> UInt64 {
    let h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(truncatingIfNeeded: length)
    return finish(length == 0 ? h : absorb(h, word))
  }

  /// Combines an ordered sequence of hashes (dimension values) into one.
  @inlinable
  public static func combine(_ a: UInt64, _ b: UInt64) -> UInt64 {
    let r = mix(a &* 0x94D0_49BB_1331_11EB ^ b)
    return r == 0 ? 1 : r
  }

  /// The splitmix64 finaliser: spreads every input bit over the whole word (HyperLogLog needs uniform bits).
  @inlinable
  public static func mix(_ x: UInt64) -> UInt64 {
    var z = x &+ 0x9E37_79B9_7F4A_7C15
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
