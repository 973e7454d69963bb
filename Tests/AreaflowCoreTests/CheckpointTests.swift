import AreaflowGenerate
import Foundation
import Testing

@testable import AreaflowCore

/// A store checkpointed mid-stream and restored into a fresh store produces exactly the rows of an
/// uninterrupted run: the window-state half of resuming after a crash.
@Suite struct CheckpointTests {
  func rows(_ r: ClosedRows, config: PipelineConfig) -> [String] {
    r.keys.indices.map { i in
      let k = r.keys[i]
      let values = config.features.indices.map { "\(r.value(row: i, feature: $0))" }.joined(separator: ",")
      return "\(k.window)|\(k.index)|\(k.scheme)|\(k.area)|\(k.dimensions)|\(values)"
    }.sorted()
  }

  /// `windowSet` as in `AggregationTests.windowSets`: the last two keep panes, which the checkpoint holds too.
  /// A seeded stream of `windowSet`'s config in 500-line batches, and a store that took the first `stopAfter` of
  /// them (all when nil): the rows it closed, and its stamper.
  struct Replayed {
    let config: PipelineConfig
    let plan: FieldPlan
    let batches: [EventBatch]
    let store: WindowStore
    var stamper: WatermarkStamper
    var rows: ClosedRows
  }

  func replayed(_ stopAfter: Int?, windowSet: Int, seed: UInt64, count: Int) throws -> Replayed {
    let config = try AggregationTests().config(windowSet: windowSet)
    let (decoder, batches) = try AggregationTests().decodedBatches(
      config: config, seed: seed, count: count, lines: 500)
    if let stopAfter { #expect(batches.count > stopAfter) }
    var stamper = WatermarkStamper(windows: config.windows, watermark: config.watermark, shardCount: 1)
    let store = WindowStore(config: config, plan: decoder.plan)
    let rows = AggregationTests.replay(batches[..<(stopAfter ?? batches.count)], into: store, stamper: &stamper)
    return Replayed(
      config: config, plan: decoder.plan, batches: batches, store: store, stamper: stamper, rows: rows)
  }

  @Test(arguments: [(1, 0), (5, 0), (9, 0), (2, 3), (6, 3), (10, 3), (4, 4), (8, 4)])
  func restoredStoreContinuesExactly(stopAfter: Int, windowSet: Int) throws {
    var straight = try replayed(nil, windowSet: windowSet, seed: 21, count: 6000)
    straight.rows.append(contentsOf: straight.store.close(upTo: nil))

    var resumed = try replayed(stopAfter, windowSet: windowSet, seed: 21, count: 6000)
    let c = WindowStore(config: resumed.config, plan: resumed.plan)
    try c.restore(resumed.store.checkpoint())
    var stamperC = WatermarkStamper(
      windows: resumed.config.windows, watermark: resumed.config.watermark, shardCount: 1)
    stamperC.restore(maxTime: resumed.stamper.maxTime)
    resumed.rows.append(contentsOf: AggregationTests.replay(resumed.batches[stopAfter...], into: c, stamper: &stamperC))
    resumed.rows.append(contentsOf: c.close(upTo: nil))
    #expect(rows(resumed.rows, config: resumed.config) == rows(straight.rows, config: straight.config))
  }

  /// A store restored and closed at once (a resumed run whose input has nothing more) emits what the store it was
  /// checkpointed from emits when it closes: the newest slice and the panes come back with the checkpoint.
  @Test(arguments: [(3, 0), (7, 0), (3, 3), (7, 3), (3, 4), (7, 4)])
  func restoredStoreClosesLikeTheOriginal(stopAfter: Int, windowSet: Int) throws {
    let original = try replayed(stopAfter, windowSet: windowSet, seed: 23, count: 5000)
    let restored = WindowStore(config: original.config, plan: original.plan)
    try restored.restore(original.store.checkpoint())
    let fromRestored = restored.close(upTo: nil)
    #expect(fromRestored.count > 0)
    #expect(
      rows(fromRestored, config: original.config) == rows(original.store.close(upTo: nil), config: original.config))
  }

  /// A damaged checkpoint that says slices were merged into panes, for a config without panes, is refused instead
  /// of sending later events to a pane that cannot exist.
  @Test func mergedSlicesWithoutPanesAreRefused() throws {
    let config = try ConfigLoader(file: "agg.yaml").load(AggregationTests.configText)
    let plan = FieldPlan(config: config)
    let store = WindowStore(config: config, plan: plan)
    #expect(WindowMath.paneLength(config.windows) == nil)
    var state = store.checkpoint()
    // The layout name and the fingerprint (each a length and its bytes), `closedBelow` per window, then
    // `mergedBelow`.
    var at = 0
    for _ in 0..<2 {
      let length = (0..<8).reduce(0) { $0 | Int(state[at + $1]) << (8 * $1) }
      at += 8 + length
    }
    at += 8 * config.windows.count
    #expect((0..<8).allSatisfy { k in state[at + k] == (k == 7 ? 0x80 : 0) })  // Int64.min
    state[at] = 5
    state[at + 7] = 0
    #expect(throws: StateReader.CorruptState.self) { try WindowStore(config: config, plan: plan).restore(state) }
  }

  @Test func checkpointOfAnotherConfigIsRefused() throws {
    let config = try ConfigLoader(file: "agg.yaml").load(AggregationTests.configText)
    let other = try ConfigLoader(file: "agg.yaml").load(
      AggregationTests.configText.replacingOccurrences(of: "n: count", with: "events: count"))
    let plan = FieldPlan(config: config)
    let state = WindowStore(config: config, plan: plan).checkpoint()
    #expect(throws: StateReader.CorruptState.self) {
      try WindowStore(config: other, plan: FieldPlan(config: other)).restore(state)
    }
    #expect(throws: StateReader.CorruptState.self) {
      try WindowStore(config: config, plan: plan).restore(Array(state.dropLast()))
    }
  }

  @Test func sketchStatesRoundTrip() throws {
    var random = SeededRandom(seed: 4)
    for n in [0, 10, 64, 65, 5000] {
      var q = QuantileSketch()
      var d = DistinctCounter()
      for _ in 0..<n {
        q.add(random.normal() * 50)
        d.add(random.next() | 1)
      }
      var w = StateWriter()
      q.encode(into: &w)
      d.encode(into: &w)
      var r = StateReader(w.bytes)
      #expect(try QuantileSketch.decode(from: &r) == q)
      #expect(try DistinctCounter.decode(from: &r).estimate == d.estimate)
      #expect(r.isAtEnd)
    }
  }
}
