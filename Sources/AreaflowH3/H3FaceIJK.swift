#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// A cell or vertex address relative to an icosahedron face: the face number
/// and the ijk coordinates in that face's centred coordinate system.
struct H3FaceIJK: Sendable {
  var face: Int
  var coord: H3CoordIJK

  static let epsilon = 0.0000000000000001
  static let twoPi = 6.28318530717958647692528676655900576839433
  static let sqrt7 = 2.6457513110645905905016157536392604257102
  static let ap7RotRads = 0.333473172251832115336090755351601070065900389
  static let res0UGnomonic = 0.38196601125010500003
  static let invRes0UGnomonic = 2.61803398874989588842

  /// Overage classification returned by `adjustOverageClassII`.
  enum Overage {
    case none
    case faceEdge
    case newFace
  }

  @inline(__always)
  static func isClassIII(_ res: Int) -> Bool { res & 1 == 1 }

  @inline(__always)
  static func positiveAngle(_ rads: Double) -> Double {
    var tmp = rads < 0.0 ? rads + twoPi : rads
    if rads >= twoPi { tmp -= twoPi }
    return tmp
  }

  typealias Vec3 = (Double, Double, Double)

  @inline(__always)
  static func normalized(_ v: Vec3) -> Vec3 {
    let norm = (v.0 * v.0 + v.1 * v.1 + v.2 * v.2).squareRoot()
    if norm == 0 { return v }
    let inv = 1.0 / norm
    return (v.0 * inv, v.1 * inv, v.2 * inv)
  }

  /// North and east unit vectors of the tangent plane at a point.
  static func tangentBasis(_ p: Vec3) -> (north: Vec3, east: Vec3) {
    let d = 0.0 * p.0 + 0.0 * p.1 + 1.0 * p.2
    let north = normalized((1.0 * 0.0 + -d * p.0, 1.0 * 0.0 + -d * p.1, 1.0 * 1.0 + -d * p.2))
    let east = (
      north.1 * p.2 - north.2 * p.1, north.2 * p.0 - north.0 * p.2, north.0 * p.1 - north.1 * p.0
    )
    return (north, east)
  }

  /// Tangent bases of the face centres: north x, y, z then east x, y, z.
  static let faceBases: [Double] = {
    var out = [Double]()
    out.reserveCapacity(120)
    for f in 0..<20 {
      let c = H3Tables.faceCenterPoint
      let basis = tangentBasis((c[f * 3], c[f * 3 + 1], c[f * 3 + 2]))
      out += [basis.north.0, basis.north.1, basis.north.2, basis.east.0, basis.east.1, basis.east.2]
    }
    return out
  }()

  @inline(__always)
  static func faceBasis(_ face: Int) -> (north: Vec3, east: Vec3) {
    let b = face * 6
    return (
      (faceBases[b], faceBases[b + 1], faceBases[b + 2]),
      (faceBases[b + 3], faceBases[b + 4], faceBases[b + 5])
    )
  }

  // MARK: - Geographic to face ijk

  /// Unit vector of a point (radians).
  @inline(__always)
  static func geoToVec(lat: Double, lng: Double) -> Vec3 {
    let cosLat = cos(lat)
    return (cos(lng) * cosLat, sin(lng) * cosLat, sin(lat))
  }

  /// The face whose centre is closest to a unit vector, among the faces in `candidates` (bit f for face f), and
  /// the squared distance to it. Faces are scanned in order and only a strictly closer one replaces the best so
  /// far, so any candidate set containing the closest face of all 20 gives the same answer (see
  /// `H3FaceCandidates`).
  @inline(__always)
  static func closestFace(_ p: Vec3, candidates: UInt32) -> (face: Int, sqd: Double) {
    var face = 0
    var sqd = 5.0
    var rest = candidates
    H3Tables.faceCenterPoint.withUnsafeBufferPointer { centers in
      while rest != 0 {
        let f = rest.trailingZeroBitCount
        rest &= rest &- 1
        let dx = centers[f &* 3] - p.0
        let dy = centers[f &* 3 &+ 1] - p.1
        let dz = centers[f &* 3 &+ 2] - p.2
        let d = dx * dx + dy * dy + dz * dz
        if d < sqd {
          face = f
          sqd = d
        }
      }
    }
    return (face, sqd)
  }

  /// Face and hex2d position of a unit vector at a resolution.
  @inline(__always)
  static func vecToHex2d(_ p: Vec3, res: Int) -> (face: Int, v: H3Vec2) {
    let (face, sqd) = closestFace(p, candidates: H3FaceCandidates.allFaces)
    return (face, hex2d(p, face: face, sqd: sqd, res: res))
  }

  /// Hex2d position of a unit vector on its closest face (`sqd` is its squared distance to the face centre), by
  /// the reference implementation's formulas: the point's angular distance and azimuth from the face centre.
  static func hex2d(_ p: Vec3, face: Int, sqd: Double, res: Int) -> H3Vec2 {
    let px = p.0
    let py = p.1
    let pz = p.2

    var r = acos(1 - sqd * 0.5)
    if r < epsilon {
      return H3Vec2(x: 0, y: 0)
    }

    // azimuth from the face centre to the point, in the face centre's
    // tangent plane
    let basis = faceBasis(face)
    let cx = H3Tables.faceCenterPoint[face * 3]
    let cy = H3Tables.faceCenterPoint[face * 3 + 1]
    let cz = H3Tables.faceCenterPoint[face * 3 + 2]
    let d = px * cx + py * cy + pz * cz
    var qx = 1.0 * px + -d * cx
    var qy = 1.0 * py + -d * cy
    var qz = 1.0 * pz + -d * cz
    let qNorm = (qx * qx + qy * qy + qz * qz).squareRoot()
    if qNorm != 0 {
      let inv = 1.0 / qNorm
      qx *= inv
      qy *= inv
      qz *= inv
    }
    let azimuth = atan2(
      qx * basis.east.0 + qy * basis.east.1 + qz * basis.east.2,
      qx * basis.north.0 + qy * basis.north.1 + qz * basis.north.2)

    var theta = positiveAngle(H3Tables.faceAxisAzimuth[face] - positiveAngle(azimuth))
    if isClassIII(res) { theta = positiveAngle(theta - ap7RotRads) }

    // gnomonic scaling, then scale for the resolution
    r = tan(r)
    r *= invRes0UGnomonic
    var level = 0
    while level < res {
      r *= sqrt7
      level += 1
    }
    return H3Vec2(x: r * cos(theta), y: r * sin(theta))
  }

  /// The face ijk address of the cell containing a point (radians).
  ///
  /// Takes the quick route of `H3FastHex2d` when it can vouch for the answer, else the reference formulas.
  @inline(__always)
  init(lat: Double, lng: Double, res: Int) {
    let p = Self.geoToVec(lat: lat, lng: lng)
    let (face, sqd) = Self.closestFace(p, candidates: H3FaceCandidates.mask(lat: lat, lng: lng))
    self.face = face
    if let coord = H3FastHex2d.coord(p, face: face, res: res) {
      self.coord = coord
    } else {
      let v = Self.hex2d(p, face: face, sqd: sqd, res: res)
      self.coord = H3CoordIJK(hex2dX: v.x, y: v.y)
    }
  }

  /// The face ijk address of the cell containing a unit vector.
  init(vector: Vec3, res: Int) {
    let (face, v) = Self.vecToHex2d(vector, res: res)
    self.face = face
    self.coord = H3CoordIJK(hex2dX: v.x, y: v.y)
  }

  @inline(__always)
  init(face: Int, coord: H3CoordIJK) {
    self.face = face
    self.coord = coord
  }

  // MARK: - Face ijk to geographic

  static let reciprocalSqrt7 = 0.37796447300922722721451653623418006081576
  static let oneThird = 1.0 / 3.0

  /// Spherical position (radians) of a hex2d position on a face.
  static func hex2dToGeo(_ v: H3Vec2, face: Int, res: Int, substrate: Bool) -> (
    lat: Double, lng: Double
  ) {
    vecToGeo(hex2dToVec(v, face: face, res: res, substrate: substrate))
  }

  @inline(__always)
  static func vecToGeo(_ p: Vec3) -> (lat: Double, lng: Double) {
    (asin(p.2), atan2(p.1, p.0))
  }

  /// Unit vector of a hex2d position on a face.
  static func hex2dToVec(_ v: H3Vec2, face: Int, res: Int, substrate: Bool) -> Vec3 {
    let c = (
      H3Tables.faceCenterPoint[face * 3], H3Tables.faceCenterPoint[face * 3 + 1],
      H3Tables.faceCenterPoint[face * 3 + 2]
    )
    var r = v.magnitude
    if r < epsilon { return c }
    var theta = atan2(v.y, v.x)
    var level = 0
    while level < res {
      r *= reciprocalSqrt7
      level += 1
    }
    if substrate {
      r *= oneThird
      if isClassIII(res) { r *= reciprocalSqrt7 }
    }
    r *= res0UGnomonic
    r = atan(r)
    if !substrate && isClassIII(res) { theta = positiveAngle(theta + ap7RotRads) }
    theta = positiveAngle(H3Tables.faceAxisAzimuth[face] - theta)

    // point at angular distance r and azimuth theta from the face centre
    let basis = faceBasis(face)
    let cosT = cos(theta)
    let sinT = sin(theta)
    let dir = (
      cosT * basis.north.0 + sinT * basis.east.0, cosT * basis.north.1 + sinT * basis.east.1,
      cosT * basis.north.2 + sinT * basis.east.2
    )
    let cosR = cos(r)
    let sinR = sin(r)
    return normalized(
      (cosR * c.0 + sinR * dir.0, cosR * c.1 + sinR * dir.1, cosR * c.2 + sinR * dir.2))
  }

  /// Centre of the cell at this address (radians).
  func toGeo(res: Int) -> (lat: Double, lng: Double) {
    Self.hex2dToGeo(coord.hex2d, face: face, res: res, substrate: false)
  }

  // MARK: - Overage

  /// Moves the address onto the face that actually contains it.
  mutating func adjustOverageClassII(res: Int, pentLeading4: Bool, substrate: Bool) -> Overage {
    var overage = Overage.none
    var maxDim = H3Tables.maxDim(classIIRes: res)
    if substrate { maxDim *= 3 }
    let sum = coord.i + coord.j + coord.k
    if substrate && sum == maxDim {
      overage = .faceEdge
    } else if sum > maxDim {
      overage = .newFace
      let quadrant: Int
      if coord.k > 0 {
        if coord.j > 0 {
          quadrant = H3Tables.jk
        } else {
          quadrant = H3Tables.ki
          if pentLeading4 {
            // rotate about the pentagon centre to adjust for the missing sequence
            let origin = H3CoordIJK(i: maxDim, j: 0, k: 0)
            var tmp = coord - origin
            tmp.rotate60cw()
            coord = tmp + origin
          }
        }
      } else {
        quadrant = H3Tables.ij
      }
      let orient = H3Tables.faceOrientation(face: face, quadrant: quadrant)
      face = orient.face
      for _ in 0..<orient.ccwRot60 { coord.rotate60ccw() }
      var unitScale = H3Tables.unitScale(classIIRes: res)
      if substrate { unitScale *= 3 }
      coord = coord + orient.translate * unitScale
      coord.normalize()
      if substrate && coord.i + coord.j + coord.k == maxDim {
        overage = .faceEdge
      }
    }
    return overage
  }

  mutating func adjustPentVertOverage(res: Int) {
    while adjustOverageClassII(res: res, pentLeading4: false, substrate: true) == .newFace {}
  }

  // MARK: - Boundaries

  private static let vertsClassII: [H3CoordIJK] = [
    H3CoordIJK(i: 2, j: 1, k: 0), H3CoordIJK(i: 1, j: 2, k: 0), H3CoordIJK(i: 0, j: 2, k: 1),
    H3CoordIJK(i: 0, j: 1, k: 2), H3CoordIJK(i: 1, j: 0, k: 2), H3CoordIJK(i: 2, j: 0, k: 1),
  ]

  private static let vertsClassIII: [H3CoordIJK] = [
    H3CoordIJK(i: 5, j: 4, k: 0), H3CoordIJK(i: 1, j: 5, k: 0), H3CoordIJK(i: 0, j: 5, k: 4),
    H3CoordIJK(i: 0, j: 1, k: 5), H3CoordIJK(i: 4, j: 0, k: 5), H3CoordIJK(i: 5, j: 0, k: 1),
  ]

  /// Vertices of the cell as substrate grid addresses; `res` is adjusted to
  /// the substrate's Class II resolution.
  private func substrateVertices(res: inout Int, count: Int) -> [H3FaceIJK] {
    let verts = Self.isClassIII(res) ? Self.vertsClassIII : Self.vertsClassII
    var center = coord
    center.downAp3()
    center.downAp3r()
    if Self.isClassIII(res) {
      center.downAp7r()
      res += 1
    }
    var out = [H3FaceIJK]()
    out.reserveCapacity(count)
    for v in 0..<count {
      var c = center + verts[v]
      c.normalize()
      out.append(H3FaceIJK(face: face, coord: c))
    }
    return out
  }

  /// Icosahedron face edge end points in a face's hex2d plane for a quadrant.
  private static func faceEdge(quadrant: Int, maxDim: Int) -> (H3Vec2, H3Vec2) {
    let m = Double(maxDim)
    let v0 = H3Vec2(x: 3.0 * m, y: 0.0)
    let v1 = H3Vec2(x: -1.5 * m, y: 3.0 * H3CoordIJK.sqrt3Over2 * m)
    let v2 = H3Vec2(x: -1.5 * m, y: -3.0 * H3CoordIJK.sqrt3Over2 * m)
    switch quadrant {
    case H3Tables.ij: return (v0, v1)
    case H3Tables.jk: return (v1, v2)
    default: return (v2, v0)
    }
  }

  /// Boundary of a hexagonal cell as unit vectors, including distortion vertices.
  func hexagonBoundary(res: Int) -> [Vec3] {
    var adjRes = res
    let verts = substrateVertices(res: &adjRes, count: 6)
    var out = [Vec3]()
    out.reserveCapacity(10)
    var lastFace = -1
    var lastOverage = Overage.none
    for vert in 0..<7 {
      let v = vert % 6
      var fijk = verts[v]
      let overage = fijk.adjustOverageClassII(res: adjRes, pentLeading4: false, substrate: true)
      if Self.isClassIII(res) && vert > 0 && fijk.face != lastFace && lastOverage != .faceEdge {
        let lastV = (v + 5) % 6
        let orig0 = verts[lastV].coord.hex2d
        let orig1 = verts[v].coord.hex2d
        let face2 = lastFace == face ? fijk.face : lastFace
        let (edge0, edge1) = Self.faceEdge(
          quadrant: H3Tables.adjacentFaceDirection(face, face2),
          maxDim: H3Tables.maxDim(classIIRes: adjRes))
        let inter = H3Vec2.intersect(orig0, orig1, edge0, edge1)
        if !(orig0.almostEquals(inter) || orig1.almostEquals(inter)) {
          out.append(Self.hex2dToVec(inter, face: face, res: adjRes, substrate: true))
        }
      }
      if vert < 6 {
        out.append(Self.hex2dToVec(fijk.coord.hex2d, face: fijk.face, res: adjRes, substrate: true))
      }
      lastFace = fijk.face
      lastOverage = overage
    }
    return out
  }

  /// Boundary of a pentagonal cell as unit vectors, including distortion vertices.
  func pentagonBoundary(res: Int) -> [Vec3] {
    var adjRes = res
    let verts = substrateVertices(res: &adjRes, count: 5)
    var out = [Vec3]()
    out.reserveCapacity(10)
    var lastFijk = H3FaceIJK(face: 0, coord: H3CoordIJK(i: 0, j: 0, k: 0))
    for vert in 0..<6 {
      let v = vert % 5
      var fijk = verts[v]
      fijk.adjustPentVertOverage(res: adjRes)
      if Self.isClassIII(res) && vert > 0 {
        // all Class III pentagon edges cross icosahedron edges
        let orig0 = lastFijk.coord.hex2d
        let currentToLast = H3Tables.adjacentFaceDirection(fijk.face, lastFijk.face)
        let orient = H3Tables.faceOrientation(face: fijk.face, quadrant: currentToLast)
        var tmp = fijk
        tmp.face = orient.face
        for _ in 0..<orient.ccwRot60 { tmp.coord.rotate60ccw() }
        tmp.coord = tmp.coord + orient.translate * (H3Tables.unitScale(classIIRes: adjRes) * 3)
        tmp.coord.normalize()
        let orig1 = tmp.coord.hex2d
        let (edge0, edge1) = Self.faceEdge(
          quadrant: H3Tables.adjacentFaceDirection(tmp.face, fijk.face),
          maxDim: H3Tables.maxDim(classIIRes: adjRes))
        let inter = H3Vec2.intersect(orig0, orig1, edge0, edge1)
        out.append(Self.hex2dToVec(inter, face: tmp.face, res: adjRes, substrate: true))
      }
      if vert < 5 {
        out.append(Self.hex2dToVec(fijk.coord.hex2d, face: fijk.face, res: adjRes, substrate: true))
      }
      lastFijk = fijk
    }
    return out
  }
}
