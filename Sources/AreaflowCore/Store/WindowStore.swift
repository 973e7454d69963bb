/// The aggregation state of one shard: a slot per open group (window × area × dimensions) with every feature's
/// state in columns, and the open windows that own those slots.
///
/// Not thread-safe: each shard queue owns one store. Lateness is decided from the watermark stamps the intake gave
/// each event, and windows are closed only up to a watermark the intake reported, so the rows never depend on
/// timing.
public final class WindowStore {
  public let windows: [WindowSpec]
  public let allowedLateness: Int64
  let features: [FeatureSpec]
  let accumulators: [FeatureAccumulator?]
  var keys: [GroupKey] = []
  var counts: [Int64] = []
  var freeSlots: [Int32] = []
  /// Open windows, each with the table of its groups.
  var open: [OpenWindow] = []
  // Scratch arrays reused across batches.
  private var batchSlots: [Int32] = []
  private var batchEvents: [Int32] = []

  /// One open window (window name index, window index k) and its groups.
  final class OpenWindow {
    let window: Int32
    let index: Int64
    let end: Int64
    let table = SlotTable()
    var slots: [Int32] = []

    init(window: Int32, index: Int64, end: Int64) {
      self.window = window
      self.index = index
      self.end = end
    }
  }

  public init(config: PipelineConfig, plan: FieldPlan) {
    windows = config.windows
    allowedLateness = config.watermark.allowedLateness
    features = config.features
    accumulators = FeatureAccumulatorFactory.makeAll(config.features, plan: plan)
  }

  /// Number of groups currently held.
  public var openGroups: Int { open.reduce(0) { $0 + $1.slots.count } }
  public var openWindowCount: Int { open.count }

  /// Adds the routed events of a stamped batch.
  /// - Parameter entries: `RouteEntry`-packed triples for this shard.
  /// - Complexity: O(entries × windows per event); allocation only when new groups appear.
  public func add(_ stamped: StampedBatch, entries: [UInt64]) {
    let batch = stamped.batch
    var slotsOut = batchSlots
    var eventsOut = batchEvents
    batchSlots = []
    batchEvents = []
    slotsOut.removeAll(keepingCapacity: true)
    eventsOut.removeAll(keepingCapacity: true)
    let hasDimensions = !batch.dimensionKeys.isEmpty
    // Locals, so the loop reads plain arrays instead of properties of shared objects.
    let times = batch.times
    let stamps = stamped.watermarks
    let dimensionKeys = batch.dimensionKeys
    let areaKeys = batch.areas.map(\.keys)
    let windows = self.windows
    let lateness = allowedLateness
    var recent: [OpenWindow?] = Array(repeating: nil, count: windows.count * 4)
    for entry in entries {
      let i = RouteEntry.event(entry)
      let s = Int32(RouteEntry.scheme(entry))
      let area = areaKeys[Int(s)][RouteEntry.keyIndex(entry)]
      let t = times[i]
      let w = stamps[i]
      let dims = hasDimensions ? dimensionKeys[i] : 0
      for wi in 0..<windows.count {
        let spec = windows[wi]
        let range = WindowMath.windowIndices(t, spec)
        let firstOpen = WindowMath.firstOpenIndex(watermark: w, spec, lateness: lateness)
        var k = max(range.lowerBound, firstOpen)
        while k <= range.upperBound {
          // A few recently used windows per window name, by k modulo 4: hopping windows rotate through them.
          let cacheSlot = wi * 4 + Int(k & 3)
          let window: OpenWindow
          if let c = recent[cacheSlot], c.index == k {
            window = c
          } else {
            window = openWindow(Int32(wi), k)
            recent[cacheSlot] = window
          }
          let table = window.table
          let slot: Int32
          if let found = table.find(area: area, dimensions: dims, scheme: s) {
            slot = found
          } else {
            slot = newSlot(GroupKey(window: Int32(wi), scheme: s, index: k, area: area, dimensions: dims))
            table.insert(area: area, dimensions: dims, scheme: s, slot: slot)
            window.slots.append(slot)
          }
          slotsOut.append(slot)
          eventsOut.append(Int32(i))
          k += 1
        }
      }
    }
    counts.withUnsafeMutableBufferPointer { c in
      for slot in slotsOut { c[Int(slot)] += 1 }
    }
    for accumulator in accumulators {
      accumulator?.add(slots: slotsOut, events: eventsOut, batch: batch)
    }
    batchSlots = slotsOut
    batchEvents = eventsOut
  }

  func openWindow(_ window: Int32, _ index: Int64) -> OpenWindow {
    for w in open where w.index == index && w.window == window { return w }
    let spec = windows[Int(window)]
    let w = OpenWindow(window: window, index: index, end: index &* spec.every &+ spec.size)
    open.append(w)
    return w
  }

  func newSlot(_ key: GroupKey) -> Int32 {
    if let reused = freeSlots.popLast() {
      keys[Int(reused)] = key
      counts[Int(reused)] = 0
      for a in accumulators { a?.reset(Int(reused)) }
      return reused
    }
    let slot = Int32(keys.count)
    keys.append(key)
    counts.append(0)
    for a in accumulators { a?.ensureCapacity(keys.count) }
    return slot
  }

  /// Finishes every window that is final under `watermark` (or all of them when `watermark` is nil, at the end of
  /// a replay) and returns their rows; their slots are freed for reuse.
  public func close(upTo watermark: Int64?) -> ClosedRows {
    var rows = ClosedRows(features: features)
    var kept: [OpenWindow] = []
    var closing: [Int32] = []
    for window in open {
      if let w = watermark, w == Int64.min || w < window.end &+ allowedLateness {
        kept.append(window)
        continue
      }
      closing.append(contentsOf: window.slots)
    }
    open = kept
    guard !closing.isEmpty else { return rows }
    rows.keys = closing.map { keys[Int($0)] }
    for f in features.indices {
      if let a = accumulators[f] {
        rows.columns[f] = a.values(closing)
      } else {
        rows.columns[f] = .integers(closing.map { counts[Int($0)] })
      }
    }
    freeSlots.append(contentsOf: closing)
    return rows
  }

  /// The current values of every open group, without closing anything (for live views).
  public func peek() -> ClosedRows {
    var rows = ClosedRows(features: features)
    let all = open.flatMap(\.slots)
    rows.keys = all.map { keys[Int($0)] }
    for f in features.indices {
      rows.columns[f] = accumulators[f]?.values(all) ?? .integers(all.map { counts[Int($0)] })
    }
    return rows
  }
}
