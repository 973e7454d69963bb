#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Which icosahedron faces can be the closest one for a point, by 2 degree latitude and longitude bucket.
///
/// Point to cell starts by finding the face whose centre is closest to the point, which took 20 distance
/// computations. Most buckets lie well inside one face's region and need just one, a bucket near a face boundary a
/// few. A face is left out of a bucket only when, for every point of the bucket, another face's centre is provably
/// closer by far more than rounding error, so scanning the candidates in face order with the same comparison finds
/// the same face, and the same distance, as scanning all 20.
enum H3FaceCandidates {
  static let bucketDegrees = 2.0
  static let rows = 90
  static let columns = 180
  /// Every face: the answer for points outside the bucketed latitude and longitude ranges.
  static let allFaces: UInt32 = (1 << 20) - 1

  /// Face bit masks, row (latitude bucket from the south pole) major.
  static let masks: [UInt32] = {
    let c = H3Tables.faceCenterPoint
    let step = bucketDegrees * H3.degreesToRadians
    var out = [UInt32]()
    out.reserveCapacity(rows * columns)
    for row in 0..<rows {
      let south = -Double.pi / 2 + Double(row) * step
      let north = south + step
      let midLat = (south + north) / 2
      let cosMidLat = cos(midLat)
      let sinMidLat = sin(midLat)
      // Longest cos(lat) over the bucket, for the east-west half width.
      let widest = south <= 0 && north >= 0 ? 1.0 : max(cos(south), cos(north))
      // Any point of the bucket is within `radius` of its centre: along the meridian to the point's latitude,
      // then along that parallel (a path, so no shorter than the great circle). The extra 1e-5 radians absorb
      // rounding in the point's bucket index and in these distances many times over.
      let radius = step / 2 + step / 2 * widest + 1e-5
      for column in 0..<columns {
        let midLng = -Double.pi + (Double(column) + 0.5) * step
        let b = (cos(midLng) * cosMidLat, sin(midLng) * cosMidLat, sinMidLat)
        func dot(_ f: Int) -> Double {
          c.withUnsafeBufferPointer { c in b.0 * c[f &* 3] + b.1 * c[f &* 3 &+ 1] + b.2 * c[f &* 3 &+ 2] }
        }
        var closest = -1.0
        for f in 0..<20 { closest = max(closest, dot(f)) }
        let nearest = acos(min(1, closest))
        // A face farther than the nearest face by more than twice the radius at the bucket centre is farther
        // for every point of the bucket too (triangle inequality). Angles up to pi compare as their cosines.
        let reach = nearest + 2 * radius
        let minDot = reach >= Double.pi ? -2 : cos(reach)
        var mask: UInt32 = 0
        for f in 0..<20 where dot(f) >= minDot {
          mask |= 1 << UInt32(f)
        }
        out.append(mask)
      }
    }
    return out
  }()

  /// The candidate faces of a point given in radians, as a bit mask (bit f for face f).
  @inline(__always)
  static func mask(lat: Double, lng: Double) -> UInt32 {
    let scale = 1 / (bucketDegrees * H3.degreesToRadians)
    let y = (lat + Double.pi / 2) * scale
    let x = (lng + Double.pi) * scale
    guard y >= 0, y < Double(rows), x >= 0, x < Double(columns) else { return allFaces }
    return masks[Int(y) &* columns &+ Int(x)]
  }
}
