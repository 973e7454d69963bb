/// The edges of every polygon, laid out for a fast crossing-number (even-odd) test.
///
/// Why this shape:
/// - Each polygon's y-range (latitude) is cut into equal horizontal bands and every edge is
///   listed under each band it touches, so a test only scans the handful of edges near the
///   point's latitude instead of all of them. A 5,000-vertex coastline costs about as much as a
///   square.
/// - Edges are stored canonically, lower endpoint first, with a precomputed slope. The crossing
///   decision then depends only on the unordered edge and the point, never on the direction a
///   ring walks the edge. That is what makes two regions sharing an edge split the points on it
///   exactly (see ``RegionIndex`` for the rule): both compute bit-identical results.
/// - Horizontal edges are dropped: under the half-open rule they never count as a crossing.
/// - Everything lives in a few flat arrays of numbers and small structs: no per-polygon objects, no
///   pointer chasing, and nothing is allocated while testing.
struct PolygonEdgeTable: Sendable {
  /// Where a polygon's bands are. One small struct per polygon, so a lookup touches a single
  /// cache line for it (the table of a 10,000-polygon file is far larger than the CPU caches,
  /// and random lookups are bound by cache misses, not arithmetic).
  private struct Bands {
    /// Lowest latitude of any of the polygon's rings (start of band 0).
    var origin: Double
    /// Bands per degree of latitude (`count / height`).
    var scale: Double
    /// Index in `bands` of band 0.
    var base: Int
    /// Number of bands (at least 1).
    var count: Int
  }

  /// One band of one polygon: where its edges start, and how far west and east they reach.
  ///
  /// The reach lets most candidate polygons that do not contain the point be rejected without
  /// touching their edges: a point west of every edge in its band crosses all of them, an even
  /// number (rings are closed), and one east of them crosses none; both mean outside. The reach
  /// is widened by ``PolygonEdgeTable/reachMargin`` so that this shortcut never disagrees with
  /// the exact test, whose rounded intersection can stray a few ulps past an edge's endpoints.
  private struct Band {
    /// First edge slot of the band in `edges`; the band ends where the next one starts.
    var firstSlot: Int
    var minX: Double
    var maxX: Double
  }

  /// Widening of band reaches, in degrees: far above rounding error at |x| <= 180 (~1e-14),
  /// far below anything geographic (~0.1 mm).
  static let reachMargin = 1e-9

  private var polygons: [Bands] = []
  /// Per band, plus one closing entry per polygon (only its `firstSlot` is used).
  private var bands: [Band] = []
  /// Four `Double`s per edge slot: lower latitude, upper latitude, longitude at the lower
  /// end, and d(longitude)/d(latitude).
  private var edges: [Double] = []

  /// Number of polygons added so far.
  var count: Int { polygons.count }

  /// Edge slots stored (edges are repeated in every band they span).
  var edgeSlotCount: Int { edges.count / 4 }

  /// Adds one polygon given as closed rings of (x: longitude, y: latitude) positions and
  /// returns its index. Rings must be validated (closed, at least 4 positions).
  @discardableResult
  mutating func append(rings: [[(lon: Double, lat: Double)]]) -> Int {
    var canonical: [(yLow: Double, yHigh: Double, xLow: Double, xHigh: Double, slope: Double)] =
      []
    var minY = Double.infinity
    var maxY = -Double.infinity
    for ring in rings {
      for i in 0..<(ring.count - 1) {
        let a = ring[i]
        let b = ring[i + 1]
        minY = min(minY, a.lat)
        maxY = max(maxY, a.lat)
        guard a.lat != b.lat else { continue }
        let (low, high) = a.lat < b.lat ? (a, b) : (b, a)
        canonical.append(
          (low.lat, high.lat, low.lon, high.lon, (high.lon - low.lon) / (high.lat - low.lat)))
      }
    }
    let height = maxY - minY

    // Aim for about two edges per band, but halve the band count while long edges would be
    // repeated so often that the table grows past four slots per edge.
    var bands = max(1, canonical.count / 2)
    var scale = 0.0
    var slots = 0
    while true {
      scale = height > 0 ? Double(bands) / height : 0
      slots = 0
      for edge in canonical {
        slots +=
          Self.band(edge.yHigh, origin: minY, scale: scale, count: bands)
          - Self.band(edge.yLow, origin: minY, scale: scale, count: bands) + 1
      }
      if bands == 1 || slots <= 4 * canonical.count { break }
      bands /= 2
    }

    // Counting sort of edges into bands. The band of an edge end is computed with the very
    // function the query uses, and that function is monotonic, so every latitude within the
    // edge maps to one of the bands the edge is listed under.
    var perBand = [Int](repeating: 0, count: bands + 1)
    var reach = [(minX: Double, maxX: Double)](repeating: (.infinity, -.infinity), count: bands)
    for edge in canonical {
      let low = Self.band(edge.yLow, origin: minY, scale: scale, count: bands)
      let high = Self.band(edge.yHigh, origin: minY, scale: scale, count: bands)
      for b in low...high {
        perBand[b + 1] += 1
        reach[b].minX = min(reach[b].minX, edge.xLow, edge.xHigh)
        reach[b].maxX = max(reach[b].maxX, edge.xLow, edge.xHigh)
      }
    }
    for b in 0..<bands { perBand[b + 1] += perBand[b] }
    let firstSlot = edges.count / 4
    var next = perBand
    var slotted = [Double](repeating: 0, count: 4 * slots)
    for edge in canonical {
      let low = Self.band(edge.yLow, origin: minY, scale: scale, count: bands)
      let high = Self.band(edge.yHigh, origin: minY, scale: scale, count: bands)
      for b in low...high {
        let slot = 4 * next[b]
        next[b] += 1
        slotted[slot] = edge.yLow
        slotted[slot + 1] = edge.yHigh
        slotted[slot + 2] = edge.xLow
        slotted[slot + 3] = edge.slope
      }
    }
    edges.append(contentsOf: slotted)

    polygons.append(Bands(origin: minY, scale: scale, base: self.bands.count, count: bands))
    for b in 0..<bands {
      self.bands.append(
        Band(
          firstSlot: firstSlot + perBand[b], minX: reach[b].minX - Self.reachMargin,
          maxX: reach[b].maxX + Self.reachMargin))
    }
    self.bands.append(Band(firstSlot: firstSlot + perBand[bands], minX: 0, maxX: 0))
    return polygons.count - 1
  }

  @inline(__always)
  private static func band(_ y: Double, origin: Double, scale: Double, count: Int) -> Int {
    let position = (y - origin) * scale
    // Comparisons first: converting NaN or huge values to Int would trap.
    if !(position >= 0) { return 0 }
    if position >= Double(count - 1) { return count - 1 }
    return Int(position)
  }

  /// Even-odd test of several candidate polygons against one point: compacts `candidates`
  /// (polygon indices) to the first `k` that contain the point, keeping their order, and
  /// returns `k`. Holes are rings of their polygon, so they subtract.
  ///
  /// An edge with canonical ends `low`, `high` is crossed by the eastward ray from (x, y) when
  /// `low.y <= y < high.y` and `x` is strictly less than the edge's longitude at `y`.
  ///
  /// Why batched and in stages: each candidate needs a chain of up to three dependent memory
  /// reads (polygon bands, band, edges) that usually miss the cache. Doing stage 1 for all
  /// candidates, then stage 2, then stage 3 lets the CPU overlap the misses of different
  /// candidates instead of waiting for them one after another.
  ///
  /// - Parameter scratch: room for `2 * count` integers.
  /// - Complexity: O(edges in the point's band) per candidate, typically 2–4.
  @inline(__always)
  func retainContaining(
    _ candidates: UnsafeMutableBufferPointer<Int>, count: Int,
    scratch: UnsafeMutableBufferPointer<Int>, x: Double, y: Double
  ) -> Int {
    polygons.withUnsafeBufferPointer { polygons in
      for i in 0..<count {
        let bands = polygons[candidates[i]]
        scratch[i] =
          bands.base + Self.band(y, origin: bands.origin, scale: bands.scale, count: bands.count)
      }
    }
    bands.withUnsafeBufferPointer { bands in
      for i in 0..<count {
        let index = scratch[i]
        let band = bands[index]
        // Out of reach: an empty range, so no edge is read. Written without branches, which
        // would be unpredictable here.
        let reached = (x >= band.minX ? 1 : 0) & (x <= band.maxX ? 1 : 0)
        let start = 4 * band.firstSlot
        scratch[i] = start
        scratch[count + i] = reached == 1 ? 4 * bands[index + 1].firstSlot : start
      }
    }
    return edges.withUnsafeBufferPointer { e in
      var kept = 0
      for i in 0..<count {
        var slot = scratch[i]
        let end = scratch[count + i]
        // Branch-free: whether an edge is crossed is a coin flip for the branch predictor.
        var parity = 0
        while slot < end {
          let yLow = e[slot]
          let crossingX = e[slot + 2] + (y - yLow) * e[slot + 3]
          parity ^= (y >= yLow ? 1 : 0) & (y < e[slot + 1] ? 1 : 0) & (x < crossingX ? 1 : 0)
          slot += 4
        }
        if parity == 1 {
          candidates[kept] = candidates[i]
          kept += 1
        }
      }
      return kept
    }
  }
}
