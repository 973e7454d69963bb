import Foundation

/// Generates large, realistic-looking region files for tests and benchmarks.
///
/// The regions tile a box like administrative districts do: a grid of cells whose corners are
/// jittered and whose sides are wobbly polylines shared vertex-for-vertex by the two cells
/// they separate. Some cells get a star-shaped hole; optionally the hole is also emitted as
/// an "island" region so the tiling stays gap-free. Deterministic for a given seed.
public struct SyntheticRegionFile {
  public var columns: Int
  public var rows: Int
  /// Segments per cell side; a cell's outer ring has `4 * segmentsPerSide` vertices.
  public var segmentsPerSide: Int
  /// Every `holeEvery`-th cell gets a hole (0: none).
  public var holeEvery: Int = 10
  /// Vertices per hole ring.
  public var holeVertices: Int = 20
  /// Also emit each hole as a separate region filling it.
  public var islands: Bool = false
  public var minLat = 52.40
  public var maxLat = 52.64
  public var minLon = 13.20
  public var maxLon = 13.60
  public var seed: UInt64 = 42

  public init(
    columns: Int, rows: Int, segmentsPerSide: Int, holeEvery: Int = 10, islands: Bool = false, seed: UInt64 = 42
  ) {
    self.columns = columns
    self.rows = rows
    self.segmentsPerSide = segmentsPerSide
    self.holeEvery = holeEvery
    self.islands = islands
    self.seed = seed
  }

  /// Counts of what `make()` produced.
  public struct Stats {
    public var features = 0
    public var polygons = 0
    public var positions = 0
  }

  public func make() -> (geoJSON: [UInt8], stats: Stats) {
    let cellW = (maxLon - minLon) / Double(columns)
    let cellH = (maxLat - minLat) / Double(rows)
    var random = SeededRandom(seed: seed)

    // Jittered grid corners; outer corners stay on the box so the union is the box.
    var corners = [[(x: Double, y: Double)]]()
    for j in 0...rows {
      var row: [(x: Double, y: Double)] = []
      for i in 0...columns {
        var x = minLon + Double(i) * cellW
        var y = minLat + Double(j) * cellH
        if i > 0 && i < columns { x += 0.1 * cellW * (random.unit() * 2 - 1) }
        if j > 0 && j < rows { y += 0.1 * cellH * (random.unit() * 2 - 1) }
        row.append((x, y))
      }
      corners.append(row)
    }

    // A wobbly polyline from a to b (both ends included), perpendicular offsets tapered to
    // zero at the ends so neighbouring sides never cross. Box-boundary sides stay straight.
    func side(
      _ a: (x: Double, y: Double), _ b: (x: Double, y: Double), straight: Bool,
      random: inout SeededRandom
    ) -> [(x: Double, y: Double)] {
      let dx = b.x - a.x
      let dy = b.y - a.y
      let length = (dx * dx + dy * dy).squareRoot()
      let (nx, ny) = (-dy / length, dx / length)
      var points = [a]
      for s in 1..<segmentsPerSide {
        let t = Double(s) / Double(segmentsPerSide)
        let amplitude = straight ? 0 : 0.08 * min(cellW, cellH) * sin(Double.pi * t)
        let offset = amplitude * (random.unit() * 2 - 1)
        points.append((a.x + t * dx + offset * nx, a.y + t * dy + offset * ny))
      }
      points.append(b)
      return points
    }
    // horizontal[j][i]: from corner (i, j) to (i+1, j); vertical[j][i]: (i, j) to (i, j+1).
    var horizontal = [[[(x: Double, y: Double)]]]()
    for j in 0...rows {
      var row: [[(x: Double, y: Double)]] = []
      for i in 0..<columns {
        row.append(
          side(corners[j][i], corners[j][i + 1], straight: j == 0 || j == rows, random: &random))
      }
      horizontal.append(row)
    }
    var vertical = [[[(x: Double, y: Double)]]]()
    for j in 0..<rows {
      var row: [[(x: Double, y: Double)]] = []
      for i in 0...columns {
        row.append(
          side(corners[j][i], corners[j + 1][i], straight: i == 0 || i == columns, random: &random))
      }
      vertical.append(row)
    }

    var stats = Stats()
    var out = "{\"type\":\"FeatureCollection\",\"features\":[\n"
    func ringJSON(_ ring: [(x: Double, y: Double)]) -> String {
      "[" + ring.map { "[\($0.x),\($0.y)]" }.joined(separator: ",") + "]"
    }
    func emit(id: String, rings: [[(x: Double, y: Double)]]) {
      if stats.features > 0 { out += ",\n" }
      out += "{\"type\":\"Feature\",\"properties\":{\"id\":\"\(id)\"},"
      out += "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":["
      out += rings.map(ringJSON).joined(separator: ",")
      out += "]}}"
      stats.features += 1
      stats.polygons += 1
      stats.positions += rings.reduce(0) { $0 + $1.count }
    }

    for j in 0..<rows {
      for i in 0..<columns {
        var ring = horizontal[j][i]
        ring += vertical[j][i + 1].dropFirst()
        ring += horizontal[j + 1][i].reversed().dropFirst()
        ring += vertical[j][i].reversed().dropFirst()
        let cell = j * columns + i
        var rings = [ring]
        if holeEvery > 0 && cell % holeEvery == 0 {
          // The corner average stays at least 0.2 cells from every (wobbly) side.
          let cx =
            (corners[j][i].x + corners[j][i + 1].x + corners[j + 1][i].x + corners[j + 1][i + 1].x)
            / 4
          let cy =
            (corners[j][i].y + corners[j][i + 1].y + corners[j + 1][i].y + corners[j + 1][i + 1].y)
            / 4
          var hole: [(x: Double, y: Double)] = []
          for v in 0..<holeVertices {
            let angle = 2 * Double.pi * Double(v) / Double(holeVertices)
            let r = 0.06 + 0.06 * random.unit()
            hole.append((cx + r * cellW * cos(angle), cy + r * cellH * sin(angle)))
          }
          hole.append(hole[0])
          rings.append(hole)
          if islands { emit(id: "I\(cell)", rings: [hole]) }
        }
        emit(id: "R\(cell)", rings: rings)
      }
    }
    out += "\n]}\n"
    return (Array(out.utf8), stats)
  }
}
