/// Recently found cells by their face and ijk position, so the points of a batch that fall in a cell already seen
/// skip the walk up the aperture-7 hierarchy (`H3IndexBits.cell`), the costliest step after the projection.
///
/// A city's events fall in a few thousand cells at the usual resolutions, so most points of a batch repeat a cell.
/// The cell is a function of (face, i, j, k, resolution) alone, and an entry is used only when all of them match,
/// so a hit gives exactly the cell the walk gives. Direct-mapped: a colliding position replaces the entry.
public struct H3CellCache {
  static let size = 512
  private var faces: [Int]
  private var coords: [H3CoordIJK]
  private var resolutions: [Int]
  private var cells: [UInt64]

  public init() {
    faces = Array(repeating: -1, count: Self.size)
    coords = Array(repeating: H3CoordIJK(i: 0, j: 0, k: 0), count: Self.size)
    resolutions = Array(repeating: -1, count: Self.size)
    cells = Array(repeating: 0, count: Self.size)
  }

  /// The cell of `fijk` at `res`: from the cache when this position was seen last in its slot, else walked and
  /// kept.
  @inline(__always)
  mutating func cell(_ fijk: H3FaceIJK, res: Int) -> UInt64 {
    let c = fijk.coord
    let mixed = UInt64(bitPattern: Int64(c.i &* 31 &+ c.j &* 1_000_003 &+ c.k &* 7919 &+ fijk.face))
    let slot = Int(truncatingIfNeeded: (mixed &* 0x9E37_79B9_7F4A_7C15) >> 55) & (Self.size - 1)
    if faces[slot] == fijk.face && resolutions[slot] == res && coords[slot] == c { return cells[slot] }
    let cell = H3IndexBits.cell(from: fijk, res: res)
    faces[slot] = fijk.face
    resolutions[slot] = res
    coords[slot] = c
    cells[slot] = cell
    return cell
  }
}
