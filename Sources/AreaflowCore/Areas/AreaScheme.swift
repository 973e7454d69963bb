/// Maps a point to the areas that contain it, and an area key back to its label.
///
/// Area keys are `UInt64`s so the hot path hashes and compares integers; the label (a geohash string, an H3 cell's
/// hex form, a region id) is only built for output rows. A scheme may put a point in no area (outside every region)
/// or in several (overlapping regions).
public protocol AreaScheme: Sendable {
  /// The scheme's name from the config (`area_scheme` column).
  var name: String { get }
  /// Appends the keys of every area containing the point and returns how many were appended.
  /// - Complexity: must not allocate for single-area schemes; called once per event.
  func assign(lat: Double, lon: Double, into keys: inout [UInt64]) -> Int
  /// Appends the areas of a batch of points, column-wise (see the extension for the default loop).
  func assign(lats: [Double], lons: [Double], into column: inout AreaColumn) -> Int
  /// Whether sorting area keys as integers sorts their labels too (fixed-width labels in key order), which lets
  /// output rows be sorted without building labels first. A requirement, so that it is asked of the scheme
  /// itself through `any AreaScheme` (the extension's `false` is the default).
  var labelsSortLikeKeys: Bool { get }
  /// The area's label as it appears in the `area` column.
  func label(of key: UInt64) -> String
  /// The area's outline as rings of (lon, lat) pairs, outer ring first, for maps and GeoJSON.
  func outline(of key: UInt64) -> [[(lon: Double, lat: Double)]]
  /// The key of an area label, or nil when the label names no area of this scheme (for HTTP queries by area).
  func key(of label: String) -> UInt64?
  /// The area's polygons, each as rings (outer first): one polygon except for multi-part regions.
  func polygons(of key: UInt64) -> [[[(lon: Double, lat: Double)]]]
  /// What kind of scheme this is: `geohash`, `h3` or `regions`.
  var kind: String { get }
  /// The key of the area `levels` levels above `key` (`privacy.small_groups: roll_up`), or nil when there is none:
  /// an H3 parent cell, a geohash shorter by one character per level.
  func ancestor(of key: UInt64, levels: Int) -> UInt64?
  /// The label of an ancestor key `level` levels above the scheme's own areas.
  func ancestorLabel(of key: UInt64, level: Int) -> String
  /// The polygons of an ancestor area named by its label (a rolled-up row's `area`), or nil when the label names
  /// no ancestor of this scheme's areas.
  func ancestorPolygons(label: String) -> [[[(lon: Double, lat: Double)]]]?
}

extension AreaScheme {
  /// Appends the areas of every point to `column` (keys and one offset per point) and returns how many points fell
  /// in no area. Schemes with a cheaper loop than one `assign` per point override it.
  public func assign(lats: [Double], lons: [Double], into column: inout AreaColumn) -> Int {
    var outside = 0
    for i in lats.indices {
      if assign(lat: lats[i], lon: lons[i], into: &column.keys) == 0 { outside += 1 }
      column.starts.append(Int32(column.keys.count))
    }
    return outside
  }

  public var labelsSortLikeKeys: Bool { false }

  public func polygons(of key: UInt64) -> [[[(lon: Double, lat: Double)]]] { [outline(of: key)] }

  /// Schemes without a hierarchy (regions) have no ancestors: their small groups are suppressed, not rolled up.
  public func ancestor(of key: UInt64, levels: Int) -> UInt64? { levels == 0 ? key : nil }
  public func ancestorLabel(of key: UInt64, level: Int) -> String { label(of: key) }
  public func ancestorPolygons(label: String) -> [[[(lon: Double, lat: Double)]]]? { nil }

  /// The key shards are chosen by: the area's top ancestor when small groups roll up, so every group a roll-up
  /// merges is in one shard.
  public func routingKey(of key: UInt64, levels: Int) -> UInt64 {
    var levels = levels
    while levels > 0 {
      if let top = ancestor(of: key, levels: levels) { return top }
      levels -= 1
    }
    return key
  }
}
