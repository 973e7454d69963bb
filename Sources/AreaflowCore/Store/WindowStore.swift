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
  var slots: [GroupKey: Int32] = [:]
  var keys: [GroupKey] = []
  var counts: [Int64] = []
  var freeSlots: [Int32] = []
  /// Open windows (window name index, window index) and their slots.
  var open: [WindowRef: [Int32]] = [:]
  // Scratch arrays reused across batches.
  private var batchSlots: [Int32] = []
  private var batchEvents: [Int32] = []

  struct WindowRef: Hashable {
    var window: Int32
    var index: Int64
  }

  public init(config: PipelineConfig, plan: FieldPlan) {
    windows = config.windows
    allowedLateness = config.watermark.allowedLateness
    features = config.features
    accumulators = config.features.map { FeatureAccumulatorFactory.make($0, plan: plan) }
  }

  /// Number of groups currently held.
  public var openGroups: Int { slots.count }
  public var openWindowCount: Int { open.count }

  /// Adds the routed events of a stamped batch.
  /// - Parameter entries: `RouteEntry`-packed triples for this shard.
  /// - Complexity: O(entries × windows per event); allocation only when new groups appear.
  public func add(_ stamped: StampedBatch, entries: [UInt64]) {
    let batch = stamped.batch
    batchSlots.removeAll(keepingCapacity: true)
    batchEvents.removeAll(keepingCapacity: true)
    let hasDimensions = !batch.dimensionKeys.isEmpty
    for entry in entries {
      let i = RouteEntry.event(entry)
      let s = RouteEntry.scheme(entry)
      let area = batch.areas[s].keys[RouteEntry.keyIndex(entry)]
      let t = batch.times[i]
      let w = stamped.watermarks[i]
      let dims = hasDimensions ? batch.dimensionKeys[i] : 0
      for (wi, spec) in windows.enumerated() {
        let range = WindowMath.windowIndices(t, spec)
        let firstOpen = WindowMath.firstOpenIndex(watermark: w, spec, lateness: allowedLateness)
        var k = max(range.lowerBound, firstOpen)
        while k <= range.upperBound {
          let key = GroupKey(window: Int32(wi), scheme: Int32(s), index: k, area: area, dimensions: dims)
          let slot = slotFor(key)
          counts[Int(slot)] += 1
          batchSlots.append(slot)
          batchEvents.append(Int32(i))
          k += 1
        }
      }
    }
    for accumulator in accumulators {
      accumulator?.add(slots: batchSlots, events: batchEvents, batch: batch)
    }
  }

  @inline(__always)
  private func slotFor(_ key: GroupKey) -> Int32 {
    if let slot = slots[key] { return slot }
    let slot: Int32
    if let reused = freeSlots.popLast() {
      slot = reused
      keys[Int(slot)] = key
      counts[Int(slot)] = 0
      for a in accumulators { a?.reset(Int(slot)) }
    } else {
      slot = Int32(keys.count)
      keys.append(key)
      counts.append(0)
      for a in accumulators { a?.ensureCapacity(keys.count) }
    }
    slots[key] = slot
    open[WindowRef(window: key.window, index: key.index), default: []].append(slot)
    return slot
  }

  /// Finishes every window that is final under `watermark` (or all of them when `watermark` is nil, at the end of
  /// a replay) and returns their rows; their slots are freed for reuse.
  public func close(upTo watermark: Int64?) -> [ClosedRow] {
    var rows: [ClosedRow] = []
    for (ref, refSlots) in open {
      if let w = watermark {
        let spec = windows[Int(ref.window)]
        let end = ref.index &* spec.every &+ spec.size
        guard w >= end &+ allowedLateness, w != Int64.min else { continue }
      }
      for slot in refSlots {
        rows.append(row(Int(slot)))
        slots[keys[Int(slot)]] = nil
        freeSlots.append(slot)
      }
      open[ref] = nil
    }
    return rows
  }

  /// The current values of every open group, without closing anything (for live views).
  public func peek() -> [ClosedRow] {
    open.values.flatMap { $0.map { row(Int($0)) } }
  }

  private func row(_ slot: Int) -> ClosedRow {
    let count = counts[slot]
    var values: [FeatureValue] = []
    values.reserveCapacity(features.count)
    for (f, feature) in features.enumerated() {
      if let a = accumulators[f] {
        values.append(a.value(slot, count: count))
      } else {
        precondition(feature.kind == .count)
        values.append(.integer(count))
      }
    }
    return ClosedRow(key: keys[slot], values: values)
  }
}
