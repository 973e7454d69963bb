#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// A quick route from a unit vector to its hex on a face, without the reference implementation's acos, atan2,
/// tan, cos and sin, that answers only when it can prove the reference formulas give the same hex.
///
/// The reference computes the angular distance r and the azimuth of the point from the face centre, then the
/// hex2d position tan(r) * scale * (cos theta, sin theta) with theta the face's axis azimuth minus the point's
/// azimuth. Algebraically that is scale / d * (<p, u>, <p, v>), with d = <p, centre> = cos r and u, v the face's
/// tangent basis rotated by the axis azimuth: a few multiplications. The two positions differ by rounding only,
/// but rounding could still move a point across a hex edge, so the quick answer is kept only when the position
/// lies inside its hex by far more than both computations can be off (`margin`); otherwise (about one random
/// point in forty thousand, most points right next to an edge) the caller runs the reference formulas.
enum H3FastHex2d {
  /// Doubles per face and Class (II, III): the face centre, u, then v.
  static let stride = 9
  /// Where the per resolution scales (hex2d units per unit of tan r) start in `table`.
  static let scalesStart = 20 * 2 * stride

  /// Per face and Class the centre, u and v, then the scale of each resolution: one table, so the hot path
  /// looks up one lazily initialised global.
  static let table: [Double] = {
    var out = [Double]()
    out.reserveCapacity(scalesStart + 16)
    let centers = H3Tables.faceCenterPoint
    for f in 0..<20 {
      let basis = H3FaceIJK.faceBasis(f)
      for classIII in [false, true] {
        var a = H3Tables.faceAxisAzimuth[f]
        if classIII { a -= H3FaceIJK.ap7RotRads }
        let c = cos(a)
        let s = sin(a)
        let n = basis.north
        let e = basis.east
        out += [centers[f * 3], centers[f * 3 + 1], centers[f * 3 + 2]]
        out += [c * n.0 + s * e.0, c * n.1 + s * e.1, c * n.2 + s * e.2]
        out += [s * n.0 - c * e.0, s * n.1 - c * e.1, s * n.2 - c * e.2]
      }
    }
    for res in 0...15 {
      var k = H3FaceIJK.invRes0UGnomonic
      for _ in 0..<res { k *= H3FaceIJK.sqrt7 }
      out.append(k)
    }
    return out
  }()

  /// How far both positions can be from the exact one, in hex2d units, given the distance `rho` from the face
  /// centre, the resolution's scale and the sine of r. The reference's acos(1 - sqd / 2) is ill-conditioned near
  /// the face centre (an error of one ulp of 1 in its argument moves r by about 1e-16 / sin r), hence the last
  /// term. Every term is about a thousand times the worst case rounding analysis gives; the absolute one also
  /// covers the rounding of the hex lookup itself at resolution 15 (positions up to about 5e6).
  @inline(__always)
  static func margin(rho: Double, scale: Double, sinR: Double) -> Double {
    1e-6 + 1e-11 * rho + 1e-12 * scale / sinR
  }

  /// The hex of unit vector `p` on `face` (its closest face) at `res`, or nil when the reference formulas must
  /// decide.
  @inline(__always)
  static func coord(_ p: H3FaceIJK.Vec3, face: Int, res: Int) -> H3CoordIJK? {
    let (d, pu, pv, scale) = table.withUnsafeBufferPointer { t in
      let b = (face &* 2 &+ (res & 1)) &* stride
      return (
        p.0 * t[b] + p.1 * t[b &+ 1] + p.2 * t[b &+ 2],
        p.0 * t[b &+ 3] + p.1 * t[b &+ 4] + p.2 * t[b &+ 5],
        p.0 * t[b &+ 6] + p.1 * t[b &+ 7] + p.2 * t[b &+ 8],
        t[scalesStart &+ res]
      )
    }
    let sinR = (pu * pu + pv * pv).squareRoot()
    // Near the face centre the reference has a special case and little precision: leave it to the reference.
    guard sinR > 1e-9, d > 0.5 else { return nil }
    let k = scale / d
    let x = k * pu
    let y = k * pv
    let coord = H3CoordIJK(hex2dX: x, y: y)
    // Distance from the hex's edges: the hex is where the offset from its centre projects to within 1/2 on the
    // three directions to neighbouring centres (0, 60 and 120 degrees).
    let centre = coord.hex2d
    let dx = x - centre.x
    let dy = y - centre.y
    let slant = dy * H3CoordIJK.sqrt3Over2
    let reach = max(abs(dx), abs(0.5 * dx + slant), abs(-0.5 * dx + slant))
    guard 0.5 - reach > margin(rho: k * sinR, scale: scale, sinR: sinR) else { return nil }
    return coord
  }
}
