/// The intake's last pure step in scale-out: turns a decoded batch of one source partition, stamped by that
/// partition's own stamper, into one `RepartitionBlock` per repartition partition.
///
/// The stamper routes each (event, scheme, area) to a repartition partition by the area's hash, exactly as it
/// routes to shards in one process; the home block of the source partition also gets the batch's tally and side
/// records. Every block carries the partition's watermark after the batch, so a repartition partition that receives
/// no event of this batch still learns how far the source partition has come.
public struct RepartitionWriter: Sendable {
  public let partitions: Int
  let windows: [WindowSpec]
  /// Scheme indices of `regions` schemes, in `RunSummary.outside` order.
  let regionSchemes: [Int]
  let redactor: LineRedactor?

  public init(config: PipelineConfig, plan: FieldPlan, partitions: Int) {
    self.partitions = partitions
    windows = config.windows
    regionSchemes = config.areas.indices.filter {
      if case .regions = config.areas[$0].kind { return true }
      return false
    }
    redactor = LineRedactor(config: config, plan: plan)
  }

  /// The blocks of a batch, indexed by repartition partition.
  /// - Parameter stamped: the batch stamped by the source partition's stamper, routed to `partitions` shards.
  public func blocks(_ stamped: StampedBatch, source: Int32, sourceCount: Int32) -> [RepartitionBlock] {
    let batch = stamped.batch
    precondition(stamped.routes.count == partitions, "the stamper must route to the repartition partitions")
    let first = batch.firstLine
    let last = first + Int64(batch.lineCount) - 1
    var blocks = (0..<partitions).map { _ in
      RepartitionBlock(
        source: source, sourceCount: sourceCount, firstLine: first, lastLine: last, bound: stamped.watermarkAfter,
        idle: false)
    }
    let primary = primaryEntries(batch)
    for r in 0..<partitions {
      var b = blocks[r]
      let routes = stamped.routes[r]
      b.values = Array(repeating: [], count: batch.values.count)
      b.hashes = Array(repeating: [], count: batch.distinctHashes.count)
      for entry in routes {
        let i = RouteEntry.event(entry)
        let s = RouteEntry.scheme(entry)
        let a = RouteEntry.keyIndex(entry)
        b.lines.append(first + Int64(batch.lineIndex[i]))
        b.stamps.append(stamped.watermarks[i])
        b.times.append(batch.times[i])
        b.schemes.append(UInt8(s))
        b.primary.append(primary[i].scheme == s && primary[i].keyIndex == a)
        b.areas.append(batch.areas[s].keys[a])
        let dims = batch.dimensionKeys.isEmpty ? 0 : batch.dimensionKeys[i]
        b.dimensions.append(dims)
        if !batch.dimensionKeys.isEmpty, b.labels[dims] == nil, let text = batch.newDimensionLabels[dims] {
          b.labels[dims] = text
        }
        for c in batch.values.indices { b.values[c].append(batch.values[c][i]) }
        for c in batch.distinctHashes.indices { b.hashes[c].append(batch.distinctHashes[c][i]) }
      }
      blocks[r] = b
    }
    blocks[RepartitionBlock.home(source: source, partitions: partitions)].tally = tally(stamped)
    return blocks
  }

  /// Blocks with no lines that only move the source partition's bound (or mark it idle).
  public func heartbeat(source: Int32, sourceCount: Int32, nextLine: Int64, bound: Int64, idle: Bool)
    -> [RepartitionBlock]
  {
    (0..<partitions).map { _ in
      RepartitionBlock(
        source: source, sourceCount: sourceCount, firstLine: nextLine, lastLine: nextLine - 1, bound: bound,
        idle: idle)
    }
  }

  /// The scheme of an event's first area (its primary entry), or -1 when it has none.
  private func firstScheme(_ batch: EventBatch, _ i: Int) -> Int {
    for (s, column) in batch.areas.enumerated() where column.starts[i] < column.starts[i + 1] { return s }
    return -1
  }

  /// Per event, its first scheme with an area and that area's key index ((-1, -1) when it has none): the entry that
  /// stands for the event where it is counted once.
  private func primaryEntries(_ batch: EventBatch) -> [(scheme: Int, keyIndex: Int)] {
    (0..<batch.count).map { i in
      let s = firstScheme(batch, i)
      return s < 0 ? (-1, -1) : (s, Int(batch.areas[s].starts[i]))
    }
  }

  private func tally(_ stamped: StampedBatch) -> RepartitionTally {
    let batch = stamped.batch
    var t = RepartitionTally()
    t.statuses = Array(repeating: RepartitionTally.Status.empty.rawValue, count: batch.lineCount)
    for i in 0..<batch.count { t.statuses[Int(batch.lineIndex[i])] = RepartitionTally.Status.accepted.rawValue }
    for reject in batch.rejects {
      t.statuses[Int(reject.lineIndex)] = RepartitionTally.Status.rejected.rawValue + UInt8(reject.reason.rawValue)
      var bytes: [UInt8] = []
      let line = batch.firstLine + Int64(reject.lineIndex)
      SideRecordEncoder.reject(
        input: batch.inputName, line: line, reason: reject.reason,
        raw: kept(batch.bytes[Int(reject.start)..<Int(reject.end)], batch), into: &bytes)
      t.recordLines.append(line)
      t.recordIsLate.append(false)
      t.records.append(bytes)
    }
    for late in stamped.late {
      let i = Int(late.event)
      let line = batch.firstLine + Int64(batch.lineIndex[i])
      t.lateLines.append(line)
      t.lateWindows.append(UInt8(late.window))
      var bytes: [UInt8] = []
      SideRecordEncoder.late(
        input: batch.inputName, line: line, window: windows[late.window].name, windowStart: late.windowStart,
        lateWindows: late.lateWindows, eventTime: batch.times[i], raw: kept(batch.rawLine(event: i), batch),
        into: &bytes)
      t.recordLines.append(line)
      t.recordIsLate.append(true)
      t.records.append(bytes)
    }
    for (k, s) in regionSchemes.enumerated() {
      let column = batch.areas[s]
      for i in 0..<batch.count where column.starts[i] == column.starts[i + 1] {
        t.outsideLines.append(batch.firstLine + Int64(batch.lineIndex[i]))
        t.outsideSchemes.append(UInt8(k))
      }
    }
    return t
  }

  private func kept(_ line: ArraySlice<UInt8>, _ batch: EventBatch) -> ArraySlice<UInt8>? {
    guard let redactor else { return line }
    return redactor.redact(line, csvColumns: batch.csvColumns).map { $0[...] }
  }
}
