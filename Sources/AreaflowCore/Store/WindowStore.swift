/// The aggregation state of one shard, kept as shared window slices (stream slicing).
///
/// Every window of a config — tumbling or hopping, of any name — is a union of whole slices of length
/// `sliceLength`, the greatest common divisor of every size and slide. An event updates the one slice group
/// (slice × area scheme × area × dimensions) it falls in, however many windows contain it; a window's row is the
/// merge of its slices' groups when the window becomes final (a window that is one slice is read directly).
///
/// Panes (`WindowMath.paneLength`): when the windows one slice long are tumbling and the longer ones are unions of
/// a coarser length, a slice is merged into its pane once its one-slice window is final, and the events that come
/// for it later (late for that window, on time for the longer ones) go to the pane. A longer window then merges its
/// panes, a few per window, instead of every slice it covers, and the slice is merged while its states are still in
/// the cache from the rows of its own window.
///
/// SPEC section 3 stays exact because windows are closed in watermark-stamp order: before an event whose stamp makes
/// further windows final touches a slice, those windows are closed (their rows built from the slices as they were).
/// So a slice only ever receives events that are on time for every window still open over it, and a window's
/// merge holds exactly its non-late events. A slice is dropped once every window over it is final.
///
/// Not thread-safe: each shard queue owns one store. Lateness is decided from the watermark stamps the intake gave
/// each event, and windows are closed only up to watermarks the intake reported, so the rows never depend on timing,
/// batch size or shard count.
public final class WindowStore {
  public let windows: [WindowSpec]
  public let allowedLateness: Int64
  /// The length of the shared slices, in nanoseconds.
  public let sliceLength: Int64
  /// Slices per pane, or 0 when the config has no panes.
  let slicesPerPane: Int64
  /// Per window name: whether its windows are read from panes (all but the one-slice windows, when there are panes).
  let readsPanes: [Bool]
  let features: [FeatureSpec]
  /// One per feature, in order, then (with `privacy`) the hidden exact counter of contributors.
  let accumulators: [FeatureAccumulator?]
  /// The area schemes, for the parents a roll-up merges small groups into.
  let schemes: [any AreaScheme]
  /// `privacy`: what may be published of a window's groups, or nil.
  let disclosure: DisclosureRule?
  /// Per slot: the group. Slice slots have `window == -1` and the slice index as `index`; slots of a window being
  /// merged have the window's name index and window index.
  var keys: [GroupKey] = []
  var counts: [Int64] = []
  var freeSlots: [Int32] = []
  /// Open slices in ascending index order.
  var slices: [WindowSlice] = []
  /// Open panes in ascending index order (a pane's index counts panes, not slices); their slots' keys hold it.
  var panes: [WindowSlice] = []
  /// Slices below this index have been merged into their panes: events for them go to the pane.
  var mergedBelow = Int64.min
  /// The newest slice that received events (through its pane or not), for closing everything at the end.
  var newestSlice = Int64.min
  /// Per window name: every window with a smaller index is final and has been emitted.
  var closedBelow: [Int64]
  /// The watermark at which the next window becomes final (no close is needed for stamps below it).
  private var nextFinalAt = Int64.min
  /// Slices below this index lie only in final windows: events for them change nothing and are skipped.
  private var firstNeededSlice = Int64.min
  /// Panes below this index lie only in final windows and are dropped.
  private var firstNeededPane = Int64.min
  /// Rows of windows closed in the middle of a batch, handed out by the next `close(upTo:)`.
  private(set) var pendingRows: ClosedRows
  // Scratch buffers and table reused across batches and merges.
  private let batchSlots = ScratchBuffer<Int32>()
  private let batchEvents = ScratchBuffer<Int32>()
  private let mergeSources = ScratchBuffer<Int32>()
  private let mergeTargets = ScratchBuffer<Int32>()
  /// Per merged group of a window being built: the first source slot (for its key), then its own slot.
  private let mergeGroups = ScratchBuffer<Int32>()
  /// Per routed entry of a batch: the slot table bucket of its group key (`SlotTable.bucket`, before masking).
  private let batchBuckets = ScratchBuffer<Int>()
  let mergeTable = SlotTable()
  /// Tables of dropped slices, emptied, for the next slices (a slice's table grows to its group count once, not
  /// once per slice).
  private var spareTables: [SlotTable] = []

  public init(config: PipelineConfig, plan: FieldPlan, schemes: [any AreaScheme] = []) {
    windows = config.windows
    allowedLateness = config.watermark.allowedLateness
    features = config.features
    let contributors = config.privacy?.contributorField.map { DistinctAccumulator(column: plan.distinctColumn($0)) }
    var accumulators = FeatureAccumulatorFactory.makeAll(config.features, plan: plan)
    if let contributors { accumulators.append(contributors) }
    self.accumulators = accumulators
    self.schemes = schemes
    disclosure = DisclosureRule(config: config, contributors: contributors)
    let slice = WindowMath.sliceLength(config.windows)
    let paneLength = WindowMath.paneLength(config.windows)
    sliceLength = slice
    slicesPerPane = paneLength.map { $0 / slice } ?? 0
    readsPanes = config.windows.map { paneLength != nil && $0.size != slice }
    closedBelow = Array(repeating: Int64.min, count: config.windows.count)
    pendingRows = ClosedRows(features: config.features)
    recomputeThresholds()
  }

  /// Number of slice and pane groups currently held.
  public var openGroups: Int {
    slices.reduce(0) { $0 + $1.slots.count } + panes.reduce(0) { $0 + $1.slots.count }
  }
  /// Number of windows that hold events and are not final yet.
  public var openWindowCount: Int {
    windows.indices.reduce(0) { n, wi in n + windowIndices(of: wi, from: closedBelow[wi], below: Int64.max).count }
  }

  /// Adds the routed events of a stamped batch.
  /// - Parameter entries: `RouteEntry`-packed triples for this shard, in event order.
  /// - Complexity: O(entries); allocation only when new groups appear.
  public func add(_ stamped: StampedBatch, entries: [UInt64]) {
    let batch = stamped.batch
    batchSlots.reserve(entries.count)
    batchEvents.reserve(entries.count)
    let slotsOut = batchSlots.base
    let eventsOut = batchEvents.base
    var collected = 0
    let hasDimensions = !batch.dimensionKeys.isEmpty
    // Locals, so the loop reads plain arrays instead of properties of shared objects.
    let times = batch.times
    let stamps = stamped.watermarks
    let dimensionKeys = batch.dimensionKeys
    let areas = batch.areas
    let length = sliceLength
    // The tables of recent slices by index modulo 8, with their indices kept apart; unretained references, so a
    // hit retains nothing (every slice here stays open until the next close, which empties this cache).
    var recent = [Unmanaged<WindowSlice>?](repeating: nil, count: 8)
    var recentIndex = [Int64](repeating: Int64.min, count: 8)
    // Every entry's table bucket first, in one pass: the loop below then asks for the bucket an entry
    // `Prefetch.distance` on will probe (in the current entry's slice table, which is nearly always that entry's
    // too: a batch's events are close in time), and its own probe does not hash again.
    batchBuckets.reserve(entries.count)
    let buckets = batchBuckets.base
    for (position, entry) in entries.enumerated() {
      let s = RouteEntry.scheme(entry)
      buckets[position] = SlotTable.bucket(
        areas[s].keys[RouteEntry.keyIndex(entry)], hasDimensions ? dimensionKeys[RouteEntry.event(entry)] : 0,
        Int32(s))
    }
    let ahead = entries.count - Prefetch.distance
    for (position, entry) in entries.enumerated() {
      let i = RouteEntry.event(entry)
      let w = stamps[i]
      if w >= nextFinalAt {
        // Windows become final under this event's stamp: they close on the slices as they are now.
        apply(slots: batchSlots.prefix(collected), events: batchEvents.prefix(collected), batch: batch)
        collected = 0
        close(upTo: w, into: &pendingRows)
        for c in 0..<8 {
          recent[c] = nil
          recentIndex[c] = Int64.min
        }
      }
      let j = WindowMath.floorDiv(times[i], length)
      if j < firstNeededSlice { continue }
      let s = Int32(RouteEntry.scheme(entry))
      let area = areas[Int(s)].keys[RouteEntry.keyIndex(entry)]
      let dims = hasDimensions ? dimensionKeys[i] : 0
      let cacheSlot = Int(j & 7)
      if recentIndex[cacheSlot] != j {
        let unit = j < mergedBelow ? openPane(WindowMath.floorDiv(j, slicesPerPane)) : openSlice(j)
        recent[cacheSlot] = Unmanaged.passUnretained(unit)
        recentIndex[cacheSlot] = j
        newestSlice = max(newestSlice, j)
      }
      let slot = recent[cacheSlot].unsafelyUnwrapped._withUnsafeGuaranteedRef { slice in
        if position < ahead { slice.table.prefetch(bucket: buckets[position + Prefetch.distance]) }
        if let found = slice.table.find(area: area, dimensions: dims, scheme: s, bucket: buckets[position]) {
          return found
        }
        let slot = newSlot(GroupKey(window: -1, scheme: s, index: slice.index, area: area, dimensions: dims))
        slice.table.insert(area: area, dimensions: dims, scheme: s, slot: slot)
        slice.slots.append(slot)
        return slot
      }
      slotsOut[collected] = slot
      eventsOut[collected] = Int32(truncatingIfNeeded: i)
      collected += 1
    }
    apply(slots: batchSlots.prefix(collected), events: batchEvents.prefix(collected), batch: batch)
  }

  /// Feeds collected (slot, event) pairs to the counts and every accumulator.
  private func apply(slots: UnsafeBufferPointer<Int32>, events: UnsafeBufferPointer<Int32>, batch: EventBatch) {
    guard !slots.isEmpty else { return }
    counts.withUnsafeMutableBufferPointer { c in
      for slot in slots { c[Int(slot)] += 1 }
    }
    for accumulator in accumulators {
      accumulator?.add(slots: slots, events: events, batch: batch)
    }
  }

  /// The open slice with index `j`, made when absent (slices stay sorted by index).
  func openSlice(_ j: Int64) -> WindowSlice { Self.open(j, in: &slices, spare: &spareTables) }

  /// The open pane with index `p`, made when absent.
  func openPane(_ p: Int64) -> WindowSlice { Self.open(p, in: &panes, spare: &spareTables) }

  private static func open(_ j: Int64, in units: inout [WindowSlice], spare: inout [SlotTable]) -> WindowSlice {
    var position = units.count
    while position > 0 && units[position - 1].index >= j {
      if units[position - 1].index == j { return units[position - 1] }
      position -= 1
    }
    let unit = WindowSlice(index: j, table: spare.popLast() ?? SlotTable())
    units.insert(unit, at: position)
    return unit
  }

  /// Slots added at once when none is free: each growth asks every accumulator to grow its columns (a call through
  /// the protocol per accumulator), so they grow by this many instead of one at a time.
  static let slotGrowth = 256
  /// Emptied tables of dropped slices kept for new ones.
  static let spareTableLimit = 4

  func newSlot(_ key: GroupKey) -> Int32 {
    if freeSlots.isEmpty {
      let first = keys.count
      keys.append(contentsOf: repeatElement(key, count: Self.slotGrowth))
      counts.append(contentsOf: repeatElement(0, count: Self.slotGrowth))
      for a in accumulators { a?.ensureCapacity(keys.count) }
      // Reversed, so the lowest new slot is taken first, as when slots were added one by one.
      freeSlots.append(contentsOf: (first..<keys.count).reversed().map { Int32($0) })
    }
    let slot = freeSlots.removeLast()
    keys[Int(slot)] = key
    return slot
  }

  /// Empties slots and makes them free for reuse. Emptying them now rather than at reuse releases their large
  /// buffers (bucket arrays, big exact tables) at once, so memory holds only what open groups need.
  func release(_ slots: [Int32]) {
    counts.withUnsafeMutableBufferPointer { c in
      for slot in slots { c[Int(slot)] = 0 }
    }
    for a in accumulators { a?.reset(slots: slots) }
    freeSlots.append(contentsOf: slots)
  }

  /// Finishes every window that is final under `watermark` (or all of them when `watermark` is nil, at the end of
  /// a replay) and returns their rows, with those of windows closed earlier inside `add`; slices no open window
  /// needs are freed.
  public func close(upTo watermark: Int64?) -> ClosedRows {
    var rows = pendingRows
    pendingRows = ClosedRows(features: features)
    close(upTo: watermark, into: &rows)
    return rows
  }

  private func close(upTo watermark: Int64?, into rows: inout ClosedRows) {
    if let w = watermark, w == Int64.min { return }
    // The one-slice windows first: their final slices then move into their panes, which the other windows read.
    for wi in windows.indices where !readsPanes[wi] { closeWindows(of: wi, upTo: watermark, into: &rows) }
    if slicesPerPane > 0 { mergeFinalSlices() }
    for wi in windows.indices where readsPanes[wi] { closeWindows(of: wi, upTo: watermark, into: &rows) }
    recomputeThresholds()
    // Drop slices and panes that only final windows cover.
    slices.removeFirst(retire(slices, below: firstNeededSlice))
    panes.removeFirst(retire(panes, below: firstNeededPane))
  }

  /// Emits the windows of name `wi` that are final under `watermark` (all of them when nil).
  private func closeWindows(of wi: Int, upTo watermark: Int64?, into rows: inout ClosedRows) {
    let below: Int64
    if let w = watermark {
      below = WindowMath.firstOpenIndex(watermark: w, windows[wi], lateness: allowedLateness)
    } else {
      // Everything is final: past the last window over the newest slice.
      guard !slices.isEmpty || !panes.isEmpty else { return }
      below = WindowMath.floorDiv(newestSlice &* sliceLength, windows[wi].every) &+ 1
    }
    guard below > closedBelow[wi] else { return }
    for k in windowIndices(of: wi, from: closedBelow[wi], below: below) {
      emit(window: wi, index: k, into: &rows)
    }
    closedBelow[wi] = below
  }

  /// Merges every slice whose one-slice windows are final into its pane (the slices in order, each slice's groups
  /// in the order they appeared) and drops it; later events for it go to the pane.
  private func mergeFinalSlices() {
    var below = Int64.max
    for wi in windows.indices where !readsPanes[wi] { below = min(below, closedBelow[wi]) }
    guard below > mergedBelow else { return }
    var merged = 0
    while merged < slices.count && slices[merged].index < below {
      let slice = slices[merged]
      merge(slice, into: openPane(WindowMath.floorDiv(slice.index, slicesPerPane)))
      merged += 1
    }
    slices.removeFirst(retire(slices, below: below))
    mergedBelow = below
  }

  /// Adds the groups of `slice` into those of `pane`. A group the pane does not have yet moves into it with its slot
  /// (re-keyed to the pane): merged into a new, empty slot it would be copied exactly, as every accumulator copies
  /// into an empty state. The slice keeps only the slots that were merged, which its retirement then releases.
  private func merge(_ slice: WindowSlice, into pane: WindowSlice) {
    let n = slice.slots.count
    mergeSources.reserve(n)
    mergeTargets.reserve(n)
    let sources = mergeSources.base
    let targets = mergeTargets.base
    var merged = 0
    for slot in slice.slots {
      let key = keys[Int(slot)]
      if let target = pane.table.find(area: key.area, dimensions: key.dimensions, scheme: key.scheme) {
        sources[merged] = slot
        targets[merged] = target
        merged += 1
      } else {
        keys[Int(slot)].index = pane.index
        pane.table.insert(area: key.area, dimensions: key.dimensions, scheme: key.scheme, slot: slot)
        pane.slots.append(slot)
      }
    }
    counts.withUnsafeMutableBufferPointer { c in
      for p in 0..<merged { c[Int(targets[p])] += c[Int(sources[p])] }
    }
    let from = mergeSources.prefix(merged)
    let to = mergeTargets.prefix(merged)
    for accumulator in accumulators { accumulator?.merge(slots: from, into: to) }
    slice.slots = Array(from)
  }

  /// Releases the slots of the leading units with an index below `below` (keeping up to `spareTableLimit` of their
  /// tables, emptied, for new units) and returns how many they are.
  private func retire(_ units: [WindowSlice], below: Int64) -> Int {
    var count = 0
    while count < units.count && units[count].index < below {
      let unit = units[count]
      release(unit.slots)
      if spareTables.count < Self.spareTableLimit {
        unit.table.removeAll()
        spareTables.append(unit.table)
      }
      count += 1
    }
    return count
  }

  /// The indices, ascending, of window name `wi`'s windows in `[from, below)` that cover at least one open slice
  /// (or pane, for windows read from panes).
  private func windowIndices(of wi: Int, from: Int64, below: Int64) -> [Int64] {
    let spec = windows[wi]
    var result: [Int64] = []
    // Units in ascending order of their starts: panes hold only slices below every open slice.
    func cover(start: Int64) {
      let range = WindowMath.windowIndices(start, spec)
      var k = max(range.lowerBound, from, result.last.map { $0 + 1 } ?? Int64.min)
      while k <= range.upperBound && k < below {
        result.append(k)
        k += 1
      }
    }
    if readsPanes[wi] {
      for pane in panes { cover(start: pane.index &* slicesPerPane &* sliceLength) }
    }
    for slice in slices { cover(start: slice.index &* sliceLength) }
    return result
  }

  /// Appends the rows of window `k` of window name `wi`: the merge of its slices' groups (of its panes', then its
  /// slices' not yet in a pane, for windows read from panes).
  private func emit(window wi: Int, index k: Int64, into rows: inout ClosedRows) {
    let spec = windows[wi]
    let first = (k &* spec.every) / sliceLength
    let end = first + spec.size / sliceLength
    var covered: [WindowSlice] = []
    if readsPanes[wi] {
      // A window read from panes starts and ends on pane boundaries.
      let firstPane = first / slicesPerPane
      let endPane = end / slicesPerPane
      for pane in panes where pane.index >= firstPane && pane.index < endPane { covered.append(pane) }
      if covered.count == 1, endPane - firstPane == 1, !slices.contains(where: { $0.index >= first && $0.index < end })
      {
        // The window is its pane: read the pane's groups as they are.
        return append(slots: covered[0].slots, window: wi, index: k, into: &rows)
      }
    }
    // Slices are sorted: the covered ones are a contiguous run.
    var lower = 0
    while lower < slices.count && slices[lower].index < first { lower += 1 }
    var upper = lower
    while upper < slices.count && slices[upper].index < end { upper += 1 }
    if !readsPanes[wi] && spec.size == sliceLength {
      // The window is its slice: read the slice's groups as they are.
      guard upper > lower else { return }
      return append(slots: slices[lower].slots, window: wi, index: k, into: &rows)
    }
    covered += slices[lower..<upper]
    guard !covered.isEmpty else { return }
    let merged = mergeSlices(covered, window: wi, index: k)
    append(slots: merged, window: wi, index: k, into: &rows)
    release(merged)
  }

  /// Merges the groups of `covered` (slices or panes, in order, each one's groups in the order they appeared) into new
  /// slots for window `k` of window name `wi`, one per distinct group, and returns those slots in the order their
  /// groups first appear.
  ///
  /// Two passes: the first pairs every source slot with the index of its merged group (a hash table from the key
  /// to that index, reading the keys through one pointer); then the merged groups get their slots, and the counts
  /// and each accumulator merge the pairs in order.
  private func mergeSlices(_ covered: [WindowSlice], window wi: Int, index k: Int64) -> [Int32] {
    var total = 0
    for slice in covered { total += slice.slots.count }
    mergeSources.reserve(total)
    mergeTargets.reserve(total)
    mergeGroups.reserve(total)
    let sources = mergeSources.base
    let targets = mergeTargets.base
    let groups = mergeGroups.base
    mergeTable.removeAll()
    var pairs = 0
    var groupCount: Int32 = 0
    let table = mergeTable
    keys.withUnsafeBufferPointer { keys in
      for slice in covered {
        slice.slots.withUnsafeBufferPointer { slots in
          for (k, slot) in slots.enumerated() {
            Prefetch.read(keys.baseAddress!, slotAfter: k, in: slots)
            let key = keys[Int(slot)]
            let group = table.findOrInsert(
              area: key.area, dimensions: key.dimensions, scheme: key.scheme, slot: groupCount)
            if group == groupCount {
              groups[Int(group)] = slot
              groupCount += 1
            }
            sources[pairs] = slot
            targets[pairs] = group
            pairs += 1
          }
        }
      }
    }
    var merged = [Int32]()
    merged.reserveCapacity(Int(groupCount))
    for g in 0..<Int(groupCount) {
      let key = keys[Int(groups[g])]
      let slot = newSlot(
        GroupKey(window: Int32(wi), scheme: key.scheme, index: k, area: key.area, dimensions: key.dimensions))
      groups[g] = slot
      merged.append(slot)
    }
    counts.withUnsafeMutableBufferPointer { c in
      for p in 0..<pairs {
        let to = groups[Int(targets[p])]
        targets[p] = to
        c[Int(to)] += c[Int(sources[p])]
      }
    }
    let from = mergeSources.prefix(pairs)
    let to = mergeTargets.prefix(pairs)
    for accumulator in accumulators { accumulator?.merge(slots: from, into: to) }
    return merged
  }

  /// Appends the finished values of `slots` as rows of window `k` of window name `wi`.
  private func append(slots: [Int32], window wi: Int, index k: Int64, into rows: inout ClosedRows) {
    if let disclosure { return appendDisclosed(slots: slots, window: wi, index: k, rule: disclosure, into: &rows) }
    rows.keys.reserveCapacity(rows.keys.count + slots.count)
    for slot in slots {
      var key = keys[Int(slot)]
      key.window = Int32(wi)
      key.index = k
      rows.keys.append(key)
    }
    for f in features.indices {
      let values = accumulators[f]?.values(slots) ?? .integers(slots.map { counts[Int($0)] })
      rows.columns[f].append(contentsOf: values)
    }
  }

  /// Recomputes, from `closedBelow`, the stamp that makes the next window final and the first slice and pane
  /// still needed.
  func recomputeThresholds() {
    var finalAt = Int64.max
    var needed = Int64.max
    var neededPane = Int64.max
    for (wi, spec) in windows.enumerated() {
      let k = closedBelow[wi]
      if k == Int64.min {
        // Nothing final yet: any real watermark may close something.
        finalAt = Int64.min + 1
        needed = Int64.min
        if readsPanes[wi] { neededPane = Int64.min }
        continue
      }
      let (start, o1) = k.multipliedReportingOverflow(by: spec.every)
      let (end, o2) = start.addingReportingOverflow(spec.size &+ allowedLateness)
      finalAt = min(finalAt, o1 || o2 ? Int64.max : end)
      needed = min(needed, o1 ? Int64.max : WindowMath.floorDiv(start, sliceLength))
      if readsPanes[wi] {
        neededPane = min(neededPane, o1 ? Int64.max : WindowMath.floorDiv(start, sliceLength &* slicesPerPane))
      }
    }
    nextFinalAt = finalAt
    firstNeededSlice = needed
    firstNeededPane = neededPane
  }

  /// The current values of every open window's groups, without closing anything (for live views).
  public func peek() -> ClosedRows {
    var rows = ClosedRows(features: features)
    for wi in windows.indices {
      for k in windowIndices(of: wi, from: closedBelow[wi], below: Int64.max) {
        emit(window: wi, index: k, into: &rows)
      }
    }
    return rows
  }
}
