#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Pure Swift implementation of the H3 v4 hexagonal hierarchical grid.
///
/// Cells are plain `UInt64` indexes, bit-compatible with the H3 reference
/// implementation. Angles are in degrees. Functions return `0` (the null
/// index) for invalid input where a cell is expected.
public enum H3 {
  /// Finest supported resolution.
  public static let maxResolution = 15

  static let degreesToRadians = 0.0174532925199432957692369076848861271111
  static let radiansToDegrees = 57.29577951308232087679815481410517033240547

  /// The cell containing a point at a resolution (0...15), or 0 when the
  /// resolution is out of range or the coordinates are not finite.
  /// Does not allocate.
  @inlinable
  public static func latLngToCell(lat: Double, lng: Double, resolution: Int) -> UInt64 {
    _latLngToCell(lat: lat, lng: lng, resolution: resolution)
  }

  @usableFromInline
  static func _latLngToCell(lat: Double, lng: Double, resolution: Int) -> UInt64 {
    guard resolution >= 0, resolution <= maxResolution, lat.isFinite, lng.isFinite else {
      return 0
    }
    let fijk = H3FaceIJK(
      lat: lat * degreesToRadians, lng: lng * degreesToRadians, res: resolution)
    return H3IndexBits.cell(from: fijk, res: resolution)
  }

  /// The same cell as `latLngToCell(lat:lng:resolution:)`, reusing the walks of recent cells kept in `cache` (for
  /// the points of a batch, one cache per batch).
  public static func latLngToCell(lat: Double, lng: Double, resolution: Int, cache: inout H3CellCache) -> UInt64 {
    guard resolution >= 0, resolution <= maxResolution, lat.isFinite, lng.isFinite else {
      return 0
    }
    let fijk = H3FaceIJK(
      lat: lat * degreesToRadians, lng: lng * degreesToRadians, res: resolution)
    return cache.cell(fijk, res: resolution)
  }

  /// The centre of a cell in degrees.
  public static func cellToLatLng(_ cell: UInt64) -> (lat: Double, lng: Double) {
    let g = H3IndexBits.faceIjk(of: cell).toGeo(res: H3IndexBits.resolution(cell))
    return (g.lat * radiansToDegrees, g.lng * radiansToDegrees)
  }

  /// The boundary of a cell in degrees, counter-clockwise, with the same
  /// vertices (including icosahedron edge distortion vertices) as the
  /// reference implementation.
  public static func cellToBoundary(_ cell: UInt64) -> [(lat: Double, lng: Double)] {
    boundaryVectors(cell).map {
      let g = H3FaceIJK.vecToGeo($0)
      return (g.lat * radiansToDegrees, g.lng * radiansToDegrees)
    }
  }

  static func boundaryVectors(_ cell: UInt64) -> [H3FaceIJK.Vec3] {
    let fijk = H3IndexBits.faceIjk(of: cell)
    let res = H3IndexBits.resolution(cell)
    if H3IndexBits.isPentagon(cell) {
      return fijk.pentagonBoundary(res: res)
    }
    return fijk.hexagonBoundary(res: res)
  }

  /// The resolution of a cell.
  public static func getResolution(_ cell: UInt64) -> Int {
    H3IndexBits.resolution(cell)
  }

  /// The base cell number (0...121) of a cell.
  public static func getBaseCellNumber(_ cell: UInt64) -> Int {
    H3IndexBits.baseCell(cell)
  }

  /// Whether a cell is one of the 12 pentagons of its resolution.
  public static func isPentagon(_ cell: UInt64) -> Bool {
    H3IndexBits.isPentagon(cell)
  }

  /// Whether a 64-bit value is a valid H3 cell index.
  public static func isValidCell(_ cell: UInt64) -> Bool {
    if cell >> 63 != 0 { return false }
    if H3IndexBits.mode(cell) != H3IndexBits.cellMode { return false }
    if (cell >> H3IndexBits.reservedOffset) & 7 != 0 { return false }
    let bc = H3IndexBits.baseCell(cell)
    if bc >= 122 { return false }
    let res = H3IndexBits.resolution(cell)
    var foundFirstNonZero = false
    var r = 1
    while r <= res {
      let d = H3IndexBits.digit(cell, r)
      if !foundFirstNonZero && d != 0 {
        foundFirstNonZero = true
        if H3IndexBits.isBaseCellPentagon(bc) && d == 1 { return false }
      }
      if d >= 7 { return false }
      r += 1
    }
    r = res + 1
    while r <= maxResolution {
      if H3IndexBits.digit(cell, r) != 7 { return false }
      r += 1
    }
    return true
  }

  /// The ancestor of a cell at a coarser (or equal) resolution, or 0 if the
  /// resolution is out of range.
  public static func cellToParent(_ cell: UInt64, resolution: Int) -> UInt64 {
    let res = H3IndexBits.resolution(cell)
    guard resolution >= 0, resolution <= res else { return 0 }
    var h = cell
    H3IndexBits.setResolution(&h, resolution)
    var r = resolution + 1
    while r <= res {
      H3IndexBits.setDigit(&h, r, 7)
      r += 1
    }
    return h
  }

  /// All descendants of a cell at a finer (or equal) resolution. Pentagons
  /// have no children along the deleted k-axes subsequence.
  public static func cellToChildren(_ cell: UInt64, resolution: Int) -> [UInt64] {
    let res = H3IndexBits.resolution(cell)
    guard resolution >= res, resolution <= maxResolution else { return [] }
    var current = [cell]
    var r = res + 1
    while r <= resolution {
      var next = [UInt64]()
      next.reserveCapacity(current.count * 7)
      for parent in current {
        let pentagon = H3IndexBits.isPentagon(parent)
        for d in 0..<7 {
          if pentagon && d == 1 { continue }
          var child = parent
          H3IndexBits.setResolution(&child, r)
          H3IndexBits.setDigit(&child, r, d)
          next.append(child)
        }
      }
      current = next
      r += 1
    }
    return current
  }

  /// All cells within grid distance `k` of a cell (including the cell),
  /// in no particular order.
  public static func gridDisk(_ cell: UInt64, k: Int) -> [UInt64] {
    guard k >= 0, isValidCell(cell) else { return [] }
    var seen: Set<UInt64> = [cell]
    var result = [cell]
    var frontier = [cell]
    var ring = 0
    while ring < k {
      var next = [UInt64]()
      for c in frontier {
        for n in neighbors(c) where seen.insert(n).inserted {
          next.append(n)
          result.append(n)
        }
      }
      frontier = next
      ring += 1
    }
    return result
  }

  /// The cells sharing an edge with a cell: found by probing just outside
  /// the midpoint of every boundary segment.
  static func neighbors(_ cell: UInt64) -> [UInt64] {
    let res = H3IndexBits.resolution(cell)
    let fijk = H3IndexBits.faceIjk(of: cell)
    let c = H3FaceIJK.hex2dToVec(fijk.coord.hex2d, face: fijk.face, res: res, substrate: false)
    let verts = boundaryVectors(cell)
    let n = verts.count
    var lengths = [Double]()
    lengths.reserveCapacity(n)
    for i in 0..<n { lengths.append(distance(verts[i], verts[(i + 1) % n])) }
    let longest = lengths.max() ?? 0
    var out = [UInt64]()
    out.reserveCapacity(6)
    for i in 0..<n where lengths[i] > longest * 1e-3 {
      let a = verts[i]
      let b = verts[(i + 1) % n]
      let mid = normalized((a.0 + b.0, a.1 + b.1, a.2 + b.2))
      // outward normal of the edge's great circle plane
      var normal = normalized(cross(a, b))
      if dot(normal, c) > 0 { normal = (-normal.0, -normal.1, -normal.2) }
      let step = lengths[i] * 0.05
      let p = normalized(
        (mid.0 + normal.0 * step, mid.1 + normal.1 * step, mid.2 + normal.2 * step))
      let neighbor = H3IndexBits.cell(from: H3FaceIJK(vector: p, res: res), res: res)
      if neighbor != cell && neighbor != 0 && !out.contains(neighbor) {
        out.append(neighbor)
      }
    }
    return out
  }

  private typealias Vec3 = (Double, Double, Double)

  private static func dot(_ a: Vec3, _ b: Vec3) -> Double { a.0 * b.0 + a.1 * b.1 + a.2 * b.2 }

  private static func cross(_ a: Vec3, _ b: Vec3) -> Vec3 {
    (a.1 * b.2 - a.2 * b.1, a.2 * b.0 - a.0 * b.2, a.0 * b.1 - a.1 * b.0)
  }

  private static func normalized(_ a: Vec3) -> Vec3 {
    let m = dot(a, a).squareRoot()
    return (a.0 / m, a.1 / m, a.2 / m)
  }

  private static func distance(_ a: Vec3, _ b: Vec3) -> Double {
    let d = (a.0 - b.0, a.1 - b.1, a.2 - b.2)
    return dot(d, d).squareRoot()
  }

  /// Lowercase hexadecimal form of a cell index.
  public static func cellToString(_ cell: UInt64) -> String {
    String(cell, radix: 16)
  }

  /// Parses the hexadecimal form of a cell index; nil if not hexadecimal.
  public static func stringToCell(_ string: String) -> UInt64? {
    guard !string.isEmpty, string.count <= 16 else { return nil }
    return UInt64(string, radix: 16)
  }
}
