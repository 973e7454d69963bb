/// Hexagonal i, j, k coordinates on an icosahedron face (IJK+ when normalized:
/// all components non-negative and at least one of them zero).
struct H3CoordIJK: Equatable, Sendable {
  var i: Int
  var j: Int
  var k: Int

  static let oneSeventh = 0.142857142857142857142857142857142857
  static let sqrt3Over2 = 0.8660254037844386467637231707529361834714
  static let reciprocalSin60 = 1.1547005383792515290182975610039149112953

  @inline(__always)
  init(i: Int, j: Int, k: Int) {
    self.i = i
    self.j = j
    self.k = k
  }

  /// The containing hex of a 2D cartesian position on the hex grid.
  @inline(__always)
  init(hex2dX x: Double, y: Double) {
    var hi = 0
    var hj = 0
    let a1 = abs(x)
    let a2 = abs(y)
    // reverse conversion
    let x2 = a2 * Self.reciprocalSin60
    let x1 = a1 + x2 / 2.0
    let m1 = Int(x1)
    let m2 = Int(x2)
    let r1 = x1 - Double(m1)
    let r2 = x2 - Double(m2)

    if r1 < 0.5 {
      if r1 < 1.0 / 3.0 {
        hi = m1
        hj = r2 < (1.0 + r1) / 2.0 ? m2 : m2 + 1
      } else {
        hj = r2 < (1.0 - r1) ? m2 : m2 + 1
        hi = ((1.0 - r1) <= r2 && r2 < (2.0 * r1)) ? m1 + 1 : m1
      }
    } else {
      if r1 < 2.0 / 3.0 {
        hj = r2 < (1.0 - r1) ? m2 : m2 + 1
        hi = ((2.0 * r1 - 1.0) < r2 && r2 < (1.0 - r1)) ? m1 : m1 + 1
      } else {
        hi = m1 + 1
        hj = r2 < (r1 / 2.0) ? m2 : m2 + 1
      }
    }

    // fold across the axes if necessary
    if x < 0.0 {
      if hj % 2 == 0 {
        let diff = hi - hj / 2
        hi = hi - 2 * diff
      } else {
        let diff = hi - (hj + 1) / 2
        hi = hi - (2 * diff + 1)
      }
    }
    if y < 0.0 {
      hi = hi - (2 * hj + 1) / 2
      hj = -hj
    }
    self.init(i: hi, j: hj, k: 0)
    normalize()
  }

  /// The 2D cartesian position of the hex centre.
  @inline(__always)
  var hex2d: H3Vec2 {
    let ci = i - k
    let cj = j - k
    return H3Vec2(x: Double(ci) - 0.5 * Double(cj), y: Double(cj) * Self.sqrt3Over2)
  }

  @inline(__always)
  mutating func normalize() {
    if i < 0 {
      j -= i
      k -= i
      i = 0
    }
    if j < 0 {
      i -= j
      k -= j
      j = 0
    }
    if k < 0 {
      i -= k
      j -= k
      k = 0
    }
    let m = min(i, j, k)
    if m > 0 {
      i -= m
      j -= m
      k -= m
    }
  }

  @inline(__always)
  static func + (a: H3CoordIJK, b: H3CoordIJK) -> H3CoordIJK {
    H3CoordIJK(i: a.i + b.i, j: a.j + b.j, k: a.k + b.k)
  }

  @inline(__always)
  static func - (a: H3CoordIJK, b: H3CoordIJK) -> H3CoordIJK {
    H3CoordIJK(i: a.i - b.i, j: a.j - b.j, k: a.k - b.k)
  }

  @inline(__always)
  static func * (a: H3CoordIJK, s: Int) -> H3CoordIJK {
    H3CoordIJK(i: a.i * s, j: a.j * s, k: a.k * s)
  }

  @inline(__always)
  static func unitVector(digit: Int) -> H3CoordIJK {
    H3CoordIJK(i: (digit >> 2) & 1, j: (digit >> 1) & 1, k: digit & 1)
  }

  /// Parent in a clockwise aperture 7 grid.
  @inline(__always)
  mutating func upAp7r() {
    let ci = i - k
    let cj = j - k
    i = Int((Double(2 * ci + cj) * Self.oneSeventh).rounded())
    j = Int((Double(3 * cj - ci) * Self.oneSeventh).rounded())
    k = 0
    normalize()
  }

  @inline(__always)
  private mutating func combine(
    _ iv: (Int, Int, Int), _ jv: (Int, Int, Int), _ kv: (Int, Int, Int)
  ) {
    let ni = iv.0 * i + jv.0 * j + kv.0 * k
    let nj = iv.1 * i + jv.1 * j + kv.1 * k
    let nk = iv.2 * i + jv.2 * j + kv.2 * k
    i = ni
    j = nj
    k = nk
    normalize()
  }

  /// Centre child in a counter-clockwise aperture 7 grid.
  @inline(__always)
  mutating func downAp7() { combine((3, 0, 1), (1, 3, 0), (0, 1, 3)) }

  /// Centre child in a clockwise aperture 7 grid.
  @inline(__always)
  mutating func downAp7r() { combine((3, 1, 0), (0, 3, 1), (1, 0, 3)) }

  /// Centre child in a counter-clockwise aperture 3 grid.
  @inline(__always)
  mutating func downAp3() { combine((2, 0, 1), (1, 2, 0), (0, 1, 2)) }

  /// Centre child in a clockwise aperture 3 grid.
  @inline(__always)
  mutating func downAp3r() { combine((2, 1, 0), (0, 2, 1), (1, 0, 2)) }

  @inline(__always)
  mutating func rotate60ccw() { combine((1, 1, 0), (0, 1, 1), (1, 0, 1)) }

  @inline(__always)
  mutating func rotate60cw() { combine((1, 0, 1), (1, 1, 0), (0, 1, 1)) }

  /// Moves to the neighbouring hex in the given digit direction.
  @inline(__always)
  mutating func move(digit: Int) {
    guard digit > 0 && digit < 7 else { return }
    self = self + Self.unitVector(digit: digit)
    normalize()
  }
}
