/// Recently found cells by their face and ijk position, so the points of a batch that fall in a cell already seen
/// skip the walk up the aperture-7 hierarchy (`H3IndexBits.cell`), the costliest step after the projection.
///
/// A city's events fall in a few thousand cells at the usual resolutions, so most points of a batch repeat a cell.
/// The cell is a function of (face, i, j, k, resolution) alone, and an entry is used only when all of them match,
/// so a hit gives exactly the cell the walk gives. Direct-mapped: a colliding position replaces the entry. Each
/// entry is one record, so a lookup reads one or two neighbouring cache lines instead of one line in each of four
/// arrays.
public struct H3CellCache {
  static let size = 512

  struct Entry {
    /// -1 marks an empty entry.
    var face: Int32
    var resolution: Int32
    var coord: H3CoordIJK
    var cell: UInt64
  }

  private var entries: [Entry]

  public init() {
    entries = Array(
      repeating: Entry(face: -1, resolution: -1, coord: H3CoordIJK(i: 0, j: 0, k: 0), cell: 0), count: Self.size)
  }

  /// The cell of `fijk` at `res`: from the cache when this position was seen last in its slot, else walked and
  /// kept.
  @inline(__always)
  mutating func cell(_ fijk: H3FaceIJK, res: Int) -> UInt64 {
    let c = fijk.coord
    let mixed = UInt64(bitPattern: Int64(c.i &* 31 &+ c.j &* 1_000_003 &+ c.k &* 7919 &+ fijk.face))
    let slot = Int(truncatingIfNeeded: (mixed &* 0x9E37_79B9_7F4A_7C15) >> 55) & (Self.size - 1)
    let face = Int32(truncatingIfNeeded: fijk.face)
    let resolution = Int32(truncatingIfNeeded: res)
    return entries.withUnsafeMutableBufferPointer { entries in
      let e = entries.baseAddress! + slot
      if e.pointee.face == face && e.pointee.resolution == resolution && e.pointee.coord == c { return e.pointee.cell }
      let cell = H3IndexBits.cell(from: fijk, res: res)
      e.pointee = Entry(face: face, resolution: resolution, coord: c, cell: cell)
      return cell
    }
  }
}
