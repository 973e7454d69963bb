import Foundation
import Testing

@testable import AreaflowH3

/// Point to cell takes shortcuts that must never change an answer: a per-bucket list of candidate faces instead
/// of all 20 (`H3FaceCandidates`) and hex2d positions without the reference formulas' trigonometry when the
/// point is provably far from a hex edge (`H3FastHex2d`). These tests hold each shortcut to the full computation
/// on random points and on the points where a shortcut could go wrong: next to cell edges and vertices, face
/// boundaries and face centres.
@Suite struct H3QuickRouteTests {
  static func randomPoint(_ rng: inout H3LiveReferenceTests.SeededGenerator) -> (lat: Double, lng: Double) {
    (asin(Double.random(in: -1...1, using: &rng)) * 180 / .pi, Double.random(in: -180...180, using: &rng))
  }

  /// Random points, then points within 1e-6 to 1e-13 degrees of the vertices and edge midpoints of random cells,
  /// and points near the face centres (the gnomonic origins, where the quick route steps aside).
  /// With a fixed seed, so a failure replays.
  static func testPoints(random: Int, cells: Int) -> [(lat: Double, lng: Double, res: Int)] {
    var rng = H3LiveReferenceTests.SeededGenerator(state: 0x5EED_0F43)
    var out = [(lat: Double, lng: Double, res: Int)]()
    for _ in 0..<random {
      let p = randomPoint(&rng)
      out.append((p.lat, p.lng, Int.random(in: 0...15, using: &rng)))
    }
    for _ in 0..<cells {
      let p = randomPoint(&rng)
      let res = Int.random(in: 0...15, using: &rng)
      let boundary = H3.cellToBoundary(H3.latLngToCell(lat: p.lat, lng: p.lng, resolution: res))
      for (v, a) in boundary.enumerated() {
        let b = boundary[(v + 1) % boundary.count]
        let mid = abs(a.lng - b.lng) > 180 ? a : (lat: (a.lat + b.lat) / 2, lng: (a.lng + b.lng) / 2)
        for base in [a, mid] {
          for scale in [1e-6, 1e-9, 1e-11, 1e-13, 0] {
            out.append(
              (
                max(-90, min(90, base.lat + Double.random(in: -1...1, using: &rng) * scale)),
                base.lng + Double.random(in: -1...1, using: &rng) * scale, res
              ))
          }
        }
      }
    }
    let centers = H3Tables.faceCenterGeo
    for f in 0..<20 {
      for scale in [1e-2, 1e-5, 1e-8, 1e-11, 1e-14, 0] {
        for res in 0...15 {
          out.append(
            (
              centers[f * 2] * H3.radiansToDegrees + Double.random(in: -1...1, using: &rng) * scale,
              centers[f * 2 + 1] * H3.radiansToDegrees + Double.random(in: -1...1, using: &rng) * scale, res
            ))
        }
      }
    }
    return out
  }

  @Test func candidateFacesFindTheClosestFace() {
    var mismatches = [String]()
    for q in Self.testPoints(random: 100_000, cells: 2_000) {
      let lat = q.lat * H3.degreesToRadians
      let lng = q.lng * H3.degreesToRadians
      let p = H3FaceIJK.geoToVec(lat: lat, lng: lng)
      let all = H3FaceIJK.closestFace(p, candidates: H3FaceCandidates.allFaces)
      let some = H3FaceIJK.closestFace(p, candidates: H3FaceCandidates.mask(lat: lat, lng: lng))
      if all.face != some.face || all.sqd.bitPattern != some.sqd.bitPattern {
        mismatches.append("(\(q.lat), \(q.lng)): face \(some.face), all 20 say \(all.face)")
      }
    }
    #expect(mismatches.isEmpty, "\(mismatches.count) mismatches: \(mismatches.prefix(10))")
  }

  @Test func quickHexMatchesReferenceFormulas() {
    var mismatches = [String]()
    var quick = 0
    let points = Self.testPoints(random: 100_000, cells: 2_000)
    for q in points {
      let p = H3FaceIJK.geoToVec(lat: q.lat * H3.degreesToRadians, lng: q.lng * H3.degreesToRadians)
      let (face, sqd) = H3FaceIJK.closestFace(p, candidates: H3FaceCandidates.allFaces)
      guard let coord = H3FastHex2d.coord(p, face: face, res: q.res) else { continue }
      quick += 1
      let v = H3FaceIJK.hex2d(p, face: face, sqd: sqd, res: q.res)
      let reference = H3CoordIJK(hex2dX: v.x, y: v.y)
      if coord != reference {
        mismatches.append("(\(q.lat), \(q.lng)) res \(q.res): \(coord), reference formulas \(reference)")
      }
    }
    #expect(mismatches.isEmpty, "\(mismatches.count) mismatches: \(mismatches.prefix(10))")
    // The quick route must answer for nearly all random points, and must have stepped aside near edges.
    #expect(quick > 100_000 * 99 / 100)
    #expect(quick < points.count * 9 / 10)
  }
}
