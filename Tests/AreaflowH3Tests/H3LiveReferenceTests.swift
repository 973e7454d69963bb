import Foundation
import Testing

@testable import AreaflowH3

/// Compares the implementation with the reference implementation on fresh
/// random points (time-based seed) through scripts/h3-live-check.py, a fifth
/// of them right next to cell vertices and edges.
/// Fails, rather than skips, when python3 or its `h3` package is missing.
@Suite struct H3LiveReferenceTests {
  /// SplitMix64, so a failing seed can be replayed.
  struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
      state &+= 0x9E37_79B9_7F4A_7C15
      var z = state
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
  }

  @Test func randomPointsMatchReference() throws {
    let seed = UInt64(Date().timeIntervalSince1970 * 1_000_000)
    var rng = SeededGenerator(state: seed)
    var queries = [(lat: Double, lng: Double, res: Int)]()
    for n in 0..<5_000 {
      var lat = asin(Double.random(in: -1...1, using: &rng)) * 180 / .pi
      var lng = Double.random(in: -180...180, using: &rng)
      let res = Int.random(in: 0...15, using: &rng)
      switch n % 10 {
      case 0: lat = (lat < 0 ? -1.0 : 1.0) * Double.random(in: 89.9...90, using: &rng)
      case 1: lng = (lng < 0 ? -1.0 : 1.0) * Double.random(in: 179.99...180, using: &rng)
      case 2, 3:
        // next to a vertex or an edge midpoint of the point's cell, where rounding decides
        let boundary = H3.cellToBoundary(H3.latLngToCell(lat: lat, lng: lng, resolution: res))
        let v = Int.random(in: 0..<boundary.count, using: &rng)
        let a = boundary[v]
        let b = boundary[(v + 1) % boundary.count]
        let base = n % 10 == 2 || abs(a.lng - b.lng) > 180 ? a : (lat: (a.lat + b.lat) / 2, lng: (a.lng + b.lng) / 2)
        let scales: [Double] = [1e-7, 1e-9, 1e-11, 1e-13]
        let scale = scales[Int.random(in: 0..<scales.count, using: &rng)]
        lat = max(-90, min(90, base.lat + Double.random(in: -1...1, using: &rng) * scale))
        lng = base.lng + Double.random(in: -1...1, using: &rng) * scale
      default: break
      }
      queries.append((lat, lng, res))
    }

    guard let root = H3TestSupport.packageRoot() else {
      Issue.record("could not find Package.swift above \(#filePath)")
      return
    }
    let script = root.appendingPathComponent("scripts/h3-live-check.py").path
    let input = queries.map { "\($0.lat) \($0.lng) \($0.res)" }.joined(separator: "\n") + "\n"
    let result = try H3TestSupport.run(["python3", script], stdin: Data(input.utf8))
    try #require(
      result.status == 0,
      "reference check failed (exit \(result.status)); python3 with the h3 4.x package is required (pip install 'h3>=4,<5'): \(result.stderr)"
    )
    let lines = String(decoding: result.stdout, as: UTF8.self).split(separator: "\n")
    try #require(lines.count == queries.count, "expected \(queries.count) answers, got \(lines.count)")

    var failures = [String]()
    for (query, line) in zip(queries, lines) {
      let f = line.split(separator: " ")
      guard f.count >= 4, let cell = UInt64(f[0], radix: 16), let clat = Double(f[1]),
        let clng = Double(f[2]), let n = Int(f[3]), f.count == 4 + 2 * n
      else {
        failures.append("unparsable answer \(line)")
        continue
      }
      let got = H3.latLngToCell(lat: query.lat, lng: query.lng, resolution: query.res)
      if got != cell {
        failures.append(
          "latLngToCell(\(query.lat), \(query.lng), \(query.res)) = \(H3.cellToString(got)), reference \(f[0])")
        continue
      }
      let center = H3.cellToLatLng(cell)
      if !H3TestSupport.close(center, (clat, clng)) {
        failures.append("cellToLatLng(\(f[0])) = \(center), reference (\(clat), \(clng))")
      }
      let boundary = H3.cellToBoundary(cell)
      if boundary.count != n {
        failures.append("cellToBoundary(\(f[0])) has \(boundary.count) vertices, reference \(n)")
        continue
      }
      for v in 0..<n {
        let ref = (Double(f[4 + 2 * v]) ?? .nan, Double(f[5 + 2 * v]) ?? .nan)
        if !H3TestSupport.close(boundary[v], ref) {
          failures.append("cellToBoundary(\(f[0]))[\(v)] = \(boundary[v]), reference \(ref)")
        }
      }
    }
    #expect(
      failures.isEmpty,
      "seed \(seed): \(failures.count) mismatches, first: \(failures.prefix(20).joined(separator: "\n"))")
  }
}
