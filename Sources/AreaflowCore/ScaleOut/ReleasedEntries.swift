/// Events released by a `PartitionAggregate`, gathered into the columnar batch a `WindowStore` aggregates: one
/// event per (event, area) entry, with its stamp, in the merged order.
struct ReleasedEntries {
  var times: [Int64] = []
  var stamps: [Int64] = []
  var schemes: [Int] = []
  var areas: [UInt64] = []
  var dimensions: [UInt64] = []
  var values: [[Double]]
  var hashes: [[UInt64]]

  init(values: Int, hashes: Int) {
    self.values = Array(repeating: [], count: values)
    self.hashes = Array(repeating: [], count: hashes)
  }

  var count: Int { times.count }

  mutating func append(_ block: RepartitionBlock, _ j: Int, stamp: Int64) {
    times.append(block.times[j])
    stamps.append(stamp)
    schemes.append(Int(block.schemes[j]))
    areas.append(block.areas[j])
    dimensions.append(block.dimensions[j])
    for c in values.indices { values[c].append(block.values[c][j]) }
    for c in hashes.indices { hashes[c].append(block.hashes[c][j]) }
  }

  /// Each entry is event `i` of the batch with its one area in its scheme's column.
  var routes: [UInt64] {
    (0..<count).map { i in RouteEntry.pack(event: i, scheme: schemes[i], keyIndex: i) }
  }

  /// The entries as a stamped batch. Area keys sit at the entry's own index in its scheme's column (the other
  /// columns hold a placeholder there), so `RouteEntry.keyIndex` is the entry index for every scheme.
  func stamped(schemes schemeCount: Int) -> StampedBatch {
    var b = EventBatchBuilder(
      valueColumns: values.count, distinctColumns: hashes.count, schemes: schemeCount, capacity: 0)
    b.lineCount = count
    b.times = times
    b.lats = Array(repeating: 0, count: count)
    b.lons = Array(repeating: 0, count: count)
    b.dimensionKeys = dimensions
    b.values = values
    b.distinctHashes = hashes
    var column = AreaColumn()
    column.keys = areas
    column.starts = (0...count).map { Int32($0) }
    for s in 0..<schemeCount { b.areas[s] = column }
    b.lineIndex = (0..<count).map { Int32($0) }
    b.lineStart = Array(repeating: 0, count: count)
    b.lineEnd = Array(repeating: 0, count: count)
    let batch = EventBatch(b, chunk: LineChunk(input: 0, inputName: "", bytes: [], firstLine: 1))
    return StampedBatch(
      batch: batch, watermarks: stamps, late: [], lateCounts: [], watermarkAfter: stamps.last ?? Int64.min,
      routes: [routes])
  }
}
