import Testing

@testable import AreaflowCore

/// Reading a window's row must not change the slices and panes that later windows still merge: a quantile sketch
/// that spills past `exactLimit` into buckets whose range exceeds `maxBuckets` collapses them in the order its values
/// came, so values sorted in place by one window's read (or by a live view, `peek`, taken at every commit under
/// `--http`) would change a later window's row, and rows would depend on timing. `WindowStore.mergeSlices` merges
/// every window's groups into slots of its own for this reason (reading a one-source group in its slice's slot was
/// tried and reverted).
@Suite struct WindowReadIsolationTests {
  static let config = try! ConfigLoader(file: "c.yaml").load(
    """
    name: inplace
    input: {time: {field: ts, format: epoch_ms}, lat: lat, lon: lon}
    areas: [{name: gh3, geohash: 3}]
    windows: [{name: 5m, hopping: 5m, every: 1m}]
    watermark: {max_out_of_order: 10s, allowed_lateness: 5s}
    features: {n: count, p50: {quantile: v, q: 0.5}}

    """)

  /// (time in ms, value) streams where a window over two slices spills 70 values whose range is past 4096 buckets
  /// (1e22 and 1e-8), so their order decides the collapse: slice 9 holds thirty values of 1 and slice 10 holds 1e22,
  /// then thirty-nine of 1e-8 (windows 5 and 10 cover one slice each, which a live view reads before windows 6 to 9
  /// close); and the same slice 10 followed by slice 11 (window 6 covers slice 10 alone and closes before window 7
  /// merges it with slice 11).
  static let streams: [[(Int64, Double)]] = [
    (0..<30).map { (540_000 + Int64($0), 1.0) } + [(600_000, 1e22)] + (1..<40).map { (600_000 + Int64($0), 1e-8) },
    [(600_000, 1e22)] + (1..<40).map { (600_000 + Int64($0), 1e-8) } + (0..<30).map { (660_000 + Int64($0), 1.0) },
  ]

  /// Window index → p50, closing windows as the stream goes and at the end, with a live view in between or not.
  func rows(_ events: [(Int64, Double)], peekFirst: Bool) -> [Int64: FeatureValue] {
    let decoder = BatchDecoder(config: Self.config, schemes: [GeohashScheme(name: "gh3", precision: 3)])
    let text = events.map { "{\"ts\":\($0.0),\"lat\":51,\"lon\":6,\"v\":\($0.1)}\n" }.joined()
    let batch = decoder.decode(LineChunk(input: 0, inputName: "t", bytes: Array(text.utf8), firstLine: 1))
    #expect(batch.count == events.count)
    var stamper = WatermarkStamper(windows: Self.config.windows, watermark: Self.config.watermark, shardCount: 1)
    let store = WindowStore(config: Self.config, plan: decoder.plan)
    let stamped = stamper.stamp(batch)
    store.add(stamped, entries: stamped.routes[0])
    var closed = store.close(upTo: stamped.watermarkAfter)
    if peekFirst { _ = store.peek() }
    closed.append(contentsOf: store.close(upTo: nil))
    var result: [Int64: FeatureValue] = [:]
    for (i, k) in closed.keys.enumerated() { result[k.index] = closed.value(row: i, feature: 1) }
    return result
  }

  /// Each window's p50 as one sketch fed its events in order (slices ascending, each in arrival order): what merging
  /// the window's slices into a new slot gives.
  func expected(_ events: [(Int64, Double)]) -> [Int64: FeatureValue] {
    var result: [Int64: FeatureValue] = [:]
    for k in Int64(0)...20 {
      var sketch = QuantileSketch()
      for (t, v) in events where t >= k * 60_000 && t < k * 60_000 + 300_000 { sketch.add(v) }
      if sketch.count > 0 { result[k] = .double(sketch.quantile(0.5)) }
    }
    return result
  }

  @Test(arguments: [0, 1])
  func rowsEqualAMergeIntoNewSlots(stream: Int) {
    let events = Self.streams[stream]
    #expect(rows(events, peekFirst: false) == expected(events))
  }

  @Test(arguments: [0, 1])
  func aLiveViewDoesNotChangeLaterRows(stream: Int) {
    let events = Self.streams[stream]
    #expect(rows(events, peekFirst: true) == expected(events))
  }
}
