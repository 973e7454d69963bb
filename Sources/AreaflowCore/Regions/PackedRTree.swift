/// A static R-tree over bounding boxes, bulk-loaded with Sort-Tile-Recursive (STR) packing.
///
/// Regions never change after loading, so the tree is packed once instead of grown by
/// insertion: STR gives nearly full nodes with little overlap, and packing lets the whole tree
/// live in flat arrays (children of a node are a contiguous index range) that a point query
/// walks without allocating.
///
/// Layout: entries `0..<itemCount` are the items in packed order; nodes follow, level by
/// level, with the root last. A node's children are `childStart[n]..<childEnd[n]`, which index
/// items when `childStart[n] < itemCount` and nodes otherwise.
struct PackedRTree: Sendable {
  /// Children per node. Small enough that scanning a node's boxes is cheap, large enough to
  /// keep the tree shallow (10,000 items → 4 levels).
  static let nodeCapacity = 16

  /// Four `Double`s per entry: minX, minY, maxX, maxY.
  private let boxes: [Double]
  /// Per entry: the item value for items, the first child for nodes.
  private let childStart: [Int]
  /// Per entry: one past the last child for nodes (unused for items).
  private let childEnd: [Int]
  private let itemCount: Int
  /// The items' values in packed order: position `i` reported by ``forEachItem`` is the item
  /// with value `packedValues[i]`.
  let packedValues: [Int]
  /// Index of the root node, or -1 when there are no items.
  private let root: Int

  /// Packs the items, each a bounding box and a value (see ``packedValues``).
  init(items: [(minX: Double, minY: Double, maxX: Double, maxY: Double, value: Int)]) {
    typealias Entry = (minX: Double, minY: Double, maxX: Double, maxY: Double, a: Int, b: Int)
    var boxes: [Double] = []
    var childStart: [Int] = []
    var childEnd: [Int] = []
    var level: [Entry] = items.map { ($0.minX, $0.minY, $0.maxX, $0.maxY, $0.value, 0) }
    var root = -1
    var isItemLevel = true
    while !level.isEmpty {
      level = Self.strOrder(level)
      let base = childStart.count
      for entry in level {
        boxes.append(contentsOf: [entry.minX, entry.minY, entry.maxX, entry.maxY])
        childStart.append(entry.a)
        childEnd.append(entry.b)
      }
      if !isItemLevel && level.count == 1 {
        root = base
        break
      }
      var parents: [Entry] = []
      parents.reserveCapacity((level.count + Self.nodeCapacity - 1) / Self.nodeCapacity)
      for start in stride(from: 0, to: level.count, by: Self.nodeCapacity) {
        let end = min(start + Self.nodeCapacity, level.count)
        var parent: Entry = (.infinity, .infinity, -.infinity, -.infinity, base + start, base + end)
        for entry in level[start..<end] {
          parent.minX = min(parent.minX, entry.minX)
          parent.minY = min(parent.minY, entry.minY)
          parent.maxX = max(parent.maxX, entry.maxX)
          parent.maxY = max(parent.maxY, entry.maxY)
        }
        parents.append(parent)
      }
      level = parents
      isItemLevel = false
    }
    self.boxes = boxes
    self.childStart = childStart
    self.childEnd = childEnd
    self.itemCount = items.count
    self.packedValues = Array(childStart[0..<items.count])
    self.root = root
  }

  /// STR: sort by x centre, cut into √(nodes) vertical slices, sort each slice by y centre, so
  /// consecutive runs of `nodeCapacity` entries form compact nodes.
  private static func strOrder(
    _ entries: [(minX: Double, minY: Double, maxX: Double, maxY: Double, a: Int, b: Int)]
  ) -> [(minX: Double, minY: Double, maxX: Double, maxY: Double, a: Int, b: Int)] {
    let nodes = (entries.count + nodeCapacity - 1) / nodeCapacity
    let slices = max(1, Int(Double(nodes).squareRoot().rounded(.up)))
    let sliceSize = ((nodes + slices - 1) / slices) * nodeCapacity
    var sorted = entries.sorted { ($0.minX + $0.maxX) < ($1.minX + $1.maxX) }
    var start = 0
    while start < sorted.count {
      let end = min(start + sliceSize, sorted.count)
      sorted[start..<end].sort { ($0.minY + $0.maxY) < ($1.minY + $1.maxY) }
      start = end
    }
    return sorted
  }

  /// Calls `body` with the packed position (see ``packedValues``) of every item whose box
  /// contains the point (borders included).
  ///
  /// Positions rather than values, so callers that store their per-item data in packed order
  /// (as ``RegionIndex`` does) need no extra lookup and find spatial neighbours next to each
  /// other in memory.
  ///
  /// - Complexity: O(log n + k) node visits for well-separated boxes, k = items reported.
  @inline(__always)
  func forEachItem(containingX x: Double, y: Double, _ body: (Int) -> Void) {
    guard root >= 0 else { return }
    boxes.withUnsafeBufferPointer { boxes in
      childStart.withUnsafeBufferPointer { childStart in
        childEnd.withUnsafeBufferPointer { childEnd in
          let tree = Walk(
            boxes: boxes, childStart: childStart, childEnd: childEnd, itemCount: itemCount)
          if tree.box(root, containsX: x, y: y) {
            tree.visit(root, x, y, body)
          }
        }
      }
    }
  }

  /// The tree's arrays as raw buffers for the duration of one query, so the recursive walk
  /// pays for neither reference counting nor repeated buffer lookups.
  private struct Walk {
    let boxes: UnsafeBufferPointer<Double>
    let childStart: UnsafeBufferPointer<Int>
    let childEnd: UnsafeBufferPointer<Int>
    let itemCount: Int

    func visit(_ node: Int, _ x: Double, _ y: Double, _ body: (Int) -> Void) {
      let start = childStart[node]
      let end = childEnd[node]
      if start < itemCount {
        for item in start..<end where box(item, containsX: x, y: y) {
          body(item)
        }
      } else {
        for child in start..<end where box(child, containsX: x, y: y) {
          visit(child, x, y, body)
        }
      }
    }

    @inline(__always)
    func box(_ entry: Int, containsX x: Double, y: Double) -> Bool {
      let i = 4 * entry
      return x >= boxes[i] && y >= boxes[i + 1] && x <= boxes[i + 2] && y <= boxes[i + 3]
    }
  }
}
