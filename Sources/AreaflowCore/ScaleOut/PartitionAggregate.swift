/// The aggregation of one repartition partition (scale-out, SPEC section 9): merges the stamped events every source
/// partition sent here into one deterministic order, aggregates them in a `WindowStore`, and closes windows on the
/// minimum of the source partitions' watermarks.
///
/// **The ordering rule.** Each source partition stamps its own events (its largest event time so far minus
/// `max_out_of_order`), so whether an event is late depends only on its own partition. Here the events of all source
/// partitions are released in the order of (stamp, source partition, position in the partition), which is the same
/// whatever the interleaving in the repartition topic: an event is released only once every other source partition
/// has shown, by a queued event or by a block's `bound`, that nothing still to come from it sorts earlier. In that
/// order the stamps never go down, so the store closes windows exactly as in one process, and its rows are those of
/// one instance reading the same topic, however the partitions are spread over instances.
///
/// A source partition marked idle holds nothing back; if it comes back with older stamps its events are stamped
/// with the watermark already passed here, and counted late for the windows closed meanwhile.
///
/// **Exactly once.** Lines are numbered per source partition, so a block read again (after a restart of this
/// aggregation from its checkpoint's `resumeOffset`) or produced again (after an intake restart) adds only lines not
/// yet counted or queued.
///
/// Not thread-safe: one queue owns it.
public final class PartitionAggregate {
  public let partition: Int
  public let partitions: Int
  let windows: [WindowSpec]
  let lateness: Int64
  let store: WindowStore
  let valueColumns: Int
  let hashColumns: Int
  let schemeCount: Int
  /// The counters of the lines whose home is this partition.
  public private(set) var counters: RunSummary
  /// Dimension labels seen in blocks, handed to the sink's labels by `takeLabels`.
  private var newLabels: [UInt64: [String?]] = [:]
  public private(set) var labels: [UInt64: [String?]] = [:]
  /// Side records not yet handed out.
  public private(set) var rejectRecords: [UInt8] = []
  public private(set) var lateRecords: [UInt8] = []
  /// Per source partition.
  var sources: [SourceProgress] = []
  /// The watermark windows were closed up to (never goes down).
  public private(set) var closedUpTo = Int64.min
  /// Raised by the idle clock while every source partition is idle.
  private(set) var floor = Int64.min
  /// The next offset of the repartition partition after the blocks taken.
  public private(set) var nextOffset: Int64 = 0

  /// One source partition's progress here.
  struct SourceProgress {
    /// Lines counted (tally) and queued (entries) so far; after a restart `queued` starts at `released`.
    var talliedLine: Int64 = 0
    var queuedLine: Int64 = 0
    var releasedLine: Int64 = 0
    /// Every later event of the partition has at least this stamp (Int64.min: nothing known yet).
    var bound = Int64.min
    var idle = false
    /// Blocks with entries not yet released, with the offset each came from and the next entry to release.
    var queue: [(offset: Int64, block: RepartitionBlock, next: Int)] = []
    var queueHead = 0

    var hasQueued: Bool { queueHead < queue.count }
    var headStamp: Int64 {
      let q = queue[queueHead]
      return q.block.stamps[q.next]
    }
  }

  public init(partition: Int, partitions: Int, config: PipelineConfig, plan: FieldPlan, schemes: [any AreaScheme]) {
    self.partition = partition
    self.partitions = partitions
    windows = config.windows
    lateness = config.watermark.allowedLateness
    store = WindowStore(config: config, plan: plan, schemes: schemes)
    valueColumns = plan.valueFields.count
    hashColumns = plan.distinctFields.count
    schemeCount = config.areas.count
    let regionSchemes = config.areas.filter {
      if case .regions = $0.kind { return true }
      return false
    }
    counters = RunSummary(windows: config.windows.map(\.name), regionSchemes: regionSchemes.map(\.name))
  }

  /// The offset to read this partition again from after a restart: the first block with events not yet released.
  public var resumeOffset: Int64 {
    sources.reduce(nextOffset) { m, s in s.hasQueued ? min(m, s.queue[s.queueHead].offset) : m }
  }

  /// Takes one block read at `offset`. Lines already counted or queued are skipped.
  /// - Returns: whether the block changed anything (a heartbeat that repeats what is known does not).
  @discardableResult
  public func take(_ block: RepartitionBlock, offset: Int64) -> Bool {
    nextOffset = max(nextOffset, offset + 1)
    let p = Int(block.source)
    let needed = max(Int(block.sourceCount), p + 1)
    while sources.count < needed { sources.append(SourceProgress()) }
    var s = sources[p]
    let before = (s.talliedLine, s.queuedLine, s.bound, s.idle)
    if let tally = block.tally, block.lastLine > s.talliedLine {
      count(tally, firstLine: block.firstLine, after: s.talliedLine)
      s.talliedLine = block.lastLine
    }
    if let from = block.lines.firstIndex(where: { $0 > s.queuedLine }) {
      s.queue.append((offset, block, from))
      for (key, text) in block.labels where labels[key] == nil {
        labels[key] = text
        newLabels[key] = text
      }
    }
    s.queuedLine = max(s.queuedLine, block.lastLine)
    s.bound = max(s.bound, block.bound)
    s.idle = block.idle
    sources[p] = s
    return before != (s.talliedLine, s.queuedLine, s.bound, s.idle)
  }

  private func count(_ t: RepartitionTally, firstLine: Int64, after done: Int64) {
    for (k, status) in t.statuses.enumerated() where firstLine + Int64(k) > done {
      counters.linesRead += 1
      if status == RepartitionTally.Status.accepted.rawValue {
        counters.eventsAccepted += 1
      } else if status == RepartitionTally.Status.empty.rawValue {
        counters.emptyLines += 1
      } else {
        let reason = Int(status - RepartitionTally.Status.rejected.rawValue)
        if reason < counters.rejected.count { counters.rejected[reason] += 1 }
      }
    }
    for (line, w) in zip(t.lateLines, t.lateWindows) where line > done && Int(w) < counters.late.count {
      counters.late[Int(w)].1 += 1
    }
    for (line, k) in zip(t.outsideLines, t.outsideSchemes) where line > done && Int(k) < counters.outside.count {
      counters.outside[Int(k)].1 += 1
    }
    for i in t.records.indices where t.recordLines[i] > done {
      if t.recordIsLate[i] { lateRecords += t.records[i] } else { rejectRecords += t.records[i] }
    }
  }

  /// Releases every event whose place in the merged order is settled, aggregates them, and closes the windows the
  /// source partitions' watermarks have passed.
  /// - Returns: the rows of the windows that became final.
  public func release() -> ClosedRows {
    var out = ReleasedEntries(values: valueColumns, hashes: hashColumns)
    while let p = nextSource() {
      releaseRun(of: p, into: &out)
    }
    if out.count > 0 { store.add(out.stamped(schemes: schemeCount), entries: out.routes) }
    // Rows of windows closed inside `add` come out of this `close` too.
    closedUpTo = max(closedUpTo, watermark(), floor)
    return store.close(upTo: closedUpTo)
  }

  /// The stamp every event still to come has at least: the minimum over source partitions that are not idle.
  func watermark() -> Int64 {
    guard !sources.isEmpty else { return Int64.min }
    var w = Int64.max
    for s in sources where !s.idle { w = min(w, s.hasQueued ? s.headStamp : s.bound) }
    return w == Int64.max ? Int64.min : w
  }

  /// The source partition whose head event sorts first, if releasing it is settled.
  private func nextSource() -> Int? {
    var best: (stamp: Int64, p: Int)?
    for (p, s) in sources.enumerated() where s.hasQueued {
      let stamp = s.headStamp
      if best == nil || stamp < best!.stamp { best = (stamp, p) }
    }
    guard let best, allowed(best.stamp, from: best.p) else { return nil }
    return best.p
  }

  /// Whether an event of `p` stamped `stamp` sorts before everything every other source partition may still send.
  private func allowed(_ stamp: Int64, from p: Int) -> Bool {
    for (q, s) in sources.enumerated() where q != p {
      if !s.hasQueued && s.idle { continue }
      let key = s.hasQueued ? s.headStamp : s.bound
      if !(stamp < key || (stamp == key && p < q)) { return false }
    }
    return true
  }

  /// Releases `p`'s queued events while they stay first in the merged order.
  private func releaseRun(of p: Int, into out: inout ReleasedEntries) {
    var s = sources[p]
    sources[p].queue = []
    sources[p].queueHead = 0
    defer { sources[p] = s }
    while s.hasQueued {
      let (offset, block, next) = s.queue[s.queueHead]
      var i = next
      while i < block.entryCount {
        let stamp = block.stamps[i]
        // `allowed` looks only at the other partitions, so `p`'s own queue may be held here meanwhile.
        guard allowed(stamp, from: p) else {
          s.queue[s.queueHead] = (offset, block, i)
          return
        }
        let line = block.lines[i]
        var j = i
        while j < block.entryCount, block.lines[j] == line {
          out.append(block, j, stamp: max(block.stamps[j], closedUpTo))
          if block.stamps[j] < closedUpTo, block.primary[j] { countLateAfterIdle(block, j) }
          j += 1
        }
        s.releasedLine = max(s.releasedLine, line)
        i = j
      }
      s.queueHead += 1
    }
    s.queue = []
    s.queueHead = 0
  }

  /// An event of a source partition that was idle arrives below the watermark already passed here: it is late for
  /// the windows that closed in between, which its own stamp did not know.
  private func countLateAfterIdle(_ block: RepartitionBlock, _ j: Int) {
    let t = block.times[j]
    for (w, spec) in windows.enumerated() {
      let range = WindowMath.windowIndices(t, spec)
      let before = WindowMath.firstOpenIndex(watermark: block.stamps[j], spec, lateness: lateness)
      let now = WindowMath.firstOpenIndex(watermark: closedUpTo, spec, lateness: lateness)
      if range.lowerBound < now, range.lowerBound >= before { counters.late[w].1 += 1 }
    }
  }

  /// Moves the watermark on by wall-clock time while every source partition is idle (SPEC section 5).
  /// - Returns: the rows of windows that became final.
  public func advanceIdle(by nanoseconds: Int64) -> ClosedRows {
    guard !sources.isEmpty, sources.allSatisfy({ $0.idle && !$0.hasQueued }), closedUpTo != Int64.min,
      nanoseconds > 0
    else { return ClosedRows(features: store.features) }
    floor = max(floor, closedUpTo) &+ nanoseconds
    return release()
  }

  /// Closes every window (the end of a run that stops at the end of its input): every source partition has ended,
  /// so every queued event is released in the merged order first.
  public func closeAll() -> ClosedRows {
    for p in sources.indices { sources[p].bound = Int64.max }
    var rows = release()
    rows.append(contentsOf: store.close(upTo: nil))
    return rows
  }

  func restoreState(
    sources: [SourceProgress], counters: RunSummary, labels: [UInt64: [String?]], closedUpTo: Int64, floor: Int64,
    resume: Int64
  ) {
    self.sources = sources
    var c = counters
    c.late = self.counters.late.enumerated().map { i, entry in (entry.0, i < c.late.count ? c.late[i].1 : 0) }
    c.outside = self.counters.outside.enumerated().map { i, entry in
      (entry.0, i < c.outside.count ? c.outside[i].1 : 0)
    }
    self.counters = c
    self.labels = labels
    newLabels = labels
    self.closedUpTo = closedUpTo
    self.floor = floor
    nextOffset = resume
  }

  /// Dimension labels first seen since the last call.
  public func takeLabels() -> [UInt64: [String?]] {
    defer { newLabels = [:] }
    return newLabels
  }

  /// Side records since the last call: reject lines and late lines.
  public func takeRecords() -> (rejects: [UInt8], late: [UInt8]) {
    defer {
      rejectRecords = []
      lateRecords = []
    }
    return (rejectRecords, lateRecords)
  }
}
