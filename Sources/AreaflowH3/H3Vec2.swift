/// A 2D cartesian position on an icosahedron face's hex grid plane.
struct H3Vec2: Sendable {
  var x: Double
  var y: Double

  @inline(__always)
  var magnitude: Double { (x * x + y * y).squareRoot() }

  /// Intersection of the line through p0 and p1 with the line through p2 and p3.
  static func intersect(_ p0: H3Vec2, _ p1: H3Vec2, _ p2: H3Vec2, _ p3: H3Vec2) -> H3Vec2 {
    let s1 = H3Vec2(x: p1.x - p0.x, y: p1.y - p0.y)
    let s2 = H3Vec2(x: p3.x - p2.x, y: p3.y - p2.y)
    let t =
      (s2.x * (p0.y - p2.y) - s2.y * (p0.x - p2.x)) / (-s2.x * s1.y + s1.x * s2.y)
    return H3Vec2(x: p0.x + t * s1.x, y: p0.y + t * s1.y)
  }

  /// Component-wise equality within single precision epsilon.
  func almostEquals(_ other: H3Vec2) -> Bool {
    let eps = Double(Float.ulpOfOne)
    return abs(x - other.x) < eps && abs(y - other.y) < eps
  }
}
