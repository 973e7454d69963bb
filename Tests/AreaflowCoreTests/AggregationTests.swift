import AreaflowGenerate
import Foundation
import Testing

@testable import AreaflowCore

/// Runs random streams through the pure core (framer, decoder, stamper, stores) and checks every row against a
/// naive, exact computation of SPEC section 3.
@Suite struct AggregationTests {
  static let configText = """
    name: agg
    input:
      time: {field: ts, format: epoch_ms}
      lat: lat
      lon: lon
      dimensions: [route]
    areas:
      - {name: gh3, geohash: 3}
    windows:
      - {name: 1m, tumbling: 1m}
      - {name: 5m, hopping: 5m, every: 1m}
    watermark:
      max_out_of_order: 10s
      allowed_lateness: 5s
    features:
      n: count
      ids: {distinct: id}
      total: {sum: v}
      avg: {mean: v}
      lo: {min: v}
      hi: {max: v}
      sd: {stddev: v}
      p50: {quantile: v, q: 0.5}
      p90: {quantile: v, q: 0.9}
      low: {share: v, below: 0}
      high: {share: v, above: 10}
    """

  struct Event {
    var t: Int64
    var lat: Double
    var lon: Double
    var route: String
    var id: String?
    var v: Double?
  }

  func makeStream(seed: UInt64, count: Int) -> (String, [Event]) {
    var random = SeededRandom(seed: seed)
    var events: [Event] = []
    var text = ""
    var clock: Int64 = 1_772_438_400_000
    for k in 0..<count {
      clock += Int64(random.below(400))
      var t = clock - Int64(random.below(8000))
      if random.chance(0.03) { t -= Int64(random.below(600_000)) }
      let e = Event(
        t: t, lat: 50 + random.unit() * 4, lon: 5 + random.unit() * 8, route: "r\(random.below(3))",
        id: random.chance(0.05) ? nil : "id\(random.below(k % 7 == 0 ? 2000 : 40))",
        v: random.chance(0.1) ? nil : (random.normal() * 20 + 5))
      events.append(e)
      var line = "{\"ts\":\(e.t),\"lat\":\(e.lat),\"lon\":\(e.lon),\"route\":\"\(e.route)\""
      if let id = e.id { line += ",\"id\":\"\(id)\"" }
      line += e.v.map { random.chance(0.5) ? ",\"v\":\($0)" : ",\"v\":\"\($0)\"" } ?? ",\"v\":null"
      text += line + "}\n"
      if random.chance(0.01) { text += "{broken\n" }
    }
    return (text, events)
  }

  /// `makeStream(seed:count:)` framed into chunks of `lines` lines and decoded for `config` (one geohash-3 scheme):
  /// the batches the store tests replay, with their decoder.
  func decodedBatches(config: PipelineConfig, seed: UInt64, count: Int, lines: Int) throws -> (
    decoder: BatchDecoder, batches: [EventBatch]
  ) {
    let decoder = BatchDecoder(config: config, schemes: [GeohashScheme(name: "gh3", precision: 3)])
    let (text, _) = makeStream(seed: seed, count: count)
    var framer = LineFramer(input: 0, inputName: "t", format: .ndjson, plan: decoder.plan, maxLines: lines)
    var chunks = try Array(text.utf8).withUnsafeBytes { try framer.push($0) }
    chunks += try framer.finish()
    return (decoder, chunks.map { decoder.decode($0) })
  }

  /// Stamps `batches` in order and adds each to `store` with its close, as one shard of the pipeline does; returns
  /// the rows closed on the way.
  static func replay(_ batches: ArraySlice<EventBatch>, into store: WindowStore, stamper: inout WatermarkStamper)
    -> ClosedRows
  {
    var rows = ClosedRows(features: store.features)
    for batch in batches {
      let stamped = stamper.stamp(batch)
      store.add(stamped, entries: stamped.routes[0])
      rows.append(contentsOf: store.close(upTo: stamped.watermarkAfter))
    }
    return rows
  }

  /// The core pipeline with `shards` stores and `batch` lines per chunk; rows keyed by their label text.
  func run(_ text: String, config: PipelineConfig, shards: Int, batch: Int) -> [String: [FeatureValue]] {
    let schemes: [any AreaScheme] = [GeohashScheme(name: "gh3", precision: 3)]
    let decoder = BatchDecoder(config: config, schemes: schemes)
    var framer = LineFramer(input: 0, inputName: "t", format: .ndjson, plan: decoder.plan, maxLines: batch)
    var stamper = WatermarkStamper(windows: config.windows, watermark: config.watermark, shardCount: shards)
    let stores = (0..<shards).map { _ in WindowStore(config: config, plan: decoder.plan) }
    var rows = ClosedRows(features: config.features)
    let labels = DimensionLabels()
    let bytes = Array(text.utf8)
    var chunks: [LineChunk] = []
    bytes.withUnsafeBytes { raw in
      // Feed in uneven pieces to exercise line reassembly.
      var offset = 0
      var size = 1
      while offset < raw.count {
        let end = min(raw.count, offset + size)
        chunks += try! framer.push(UnsafeRawBufferPointer(rebasing: raw[offset..<end]))
        offset = end
        size = size * 3 % 1009 + 1
      }
    }
    chunks += try! framer.finish()
    for chunk in chunks {
      let batch = decoder.decode(chunk)
      labels.merge(batch.newDimensionLabels)
      let stamped = stamper.stamp(batch)
      for (k, store) in stores.enumerated() {
        store.add(stamped, entries: stamped.routes[k])
        rows.append(contentsOf: store.close(upTo: stamped.watermarkAfter))
      }
    }
    for store in stores { rows.append(contentsOf: store.close(upTo: nil)) }
    let assembler = RowAssembler(config: config, schemes: schemes)
    var result: [String: [FeatureValue]] = [:]
    let names = labels.snapshot()
    for (i, k) in rows.keys.enumerated() {
      let key =
        "\(config.windows[Int(k.window)].name)|\(k.index)|\(schemes[0].label(of: k.area))|\(names[k.dimensions]?[0] ?? "nil")"
      #expect(result[key] == nil, "duplicate row \(key)")
      result[key] = config.features.indices.map { rows.value(row: i, feature: $0) }
    }
    _ = assembler
    return result
  }

  /// SPEC section 3, computed the slow and obvious way.
  func exact(_ events: [Event], config: PipelineConfig) -> [String: [Event]] {
    var groups: [String: [Event]] = [:]
    var maxT = Int64.min
    for e in events {
      let w: Int64? = maxT == Int64.min ? nil : maxT - config.watermark.maxOutOfOrder
      let t = e.t * 1_000_000
      for spec in config.windows {
        var k = WindowMath.floorDiv(t - spec.size, spec.every) + 1
        while k * spec.every <= t {
          let end = k * spec.every + spec.size
          if w == nil || w! < end + config.watermark.allowedLateness {
            let area = GeohashScheme.encode(lat: e.lat, lon: e.lon, precision: 3)
            groups["\(spec.name)|\(k)|\(area)|\(e.route)", default: []].append(e)
          }
          k += 1
        }
      }
      maxT = max(maxT, t)
    }
    return groups
  }

  /// Window sets whose shared slices differ: 1 min (the default set), 30 s under three names with a 90 s tumbling
  /// window, and a set where no window is a single slice; then two with panes (`WindowMath.paneLength`): 20 s
  /// slices in 1-minute panes, the 3-minute windows merging three of them and the 1-minute window reading its one
  /// pane, listed first so that they close before the slices move; and 30 s slices in 1-minute panes under 3-minute
  /// windows every minute.
  static let windowSets = [
    "",
    "    - {name: 90s, tumbling: 90s}\n    - {name: 10m, hopping: 10m, every: 2m}\n    - {name: 1m, tumbling: 1m}\n",
    "    - {name: 4m, hopping: 4m, every: 2m}\n    - {name: 6m, tumbling: 6m}\n",
    "    - {name: 3m, hopping: 3m, every: 1m}\n    - {name: 1m, tumbling: 1m}\n    - {name: 20s, tumbling: 20s}\n",
    "    - {name: 30s, tumbling: 30s}\n    - {name: 3m, hopping: 3m, every: 1m}\n",
  ]

  /// The config with its windows replaced by window set `set` (none: the default windows).
  func config(windowSet set: Int) throws -> PipelineConfig {
    var text = Self.configText
    if set > 0 {
      let start = text.range(of: "windows:\n")!.upperBound
      let end = text.range(of: "watermark:")!.lowerBound
      text.replaceSubrange(start..<end, with: Self.windowSets[set])
    }
    return try ConfigLoader(file: "agg.yaml").load(text)
  }

  @Test(arguments: [
    (UInt64(1), 1, 100_000, 0), (2, 3, 7, 0), (3, 2, 1, 0), (4, 4, 333, 0), (5, 1, 50, 1), (6, 3, 1000, 1),
    (7, 2, 13, 2), (8, 1, 100_000, 2), (9, 1, 100_000, 3), (10, 3, 17, 3), (11, 2, 500, 4), (12, 1, 1, 4),
  ])
  func rowsEqualExactComputation(seed: UInt64, shards: Int, batch: Int, windowSet: Int) throws {
    let config = try config(windowSet: windowSet)
    let (text, events) = makeStream(seed: seed, count: 3000)
    let got = run(text, config: config, shards: shards, batch: batch)
    let want = exact(events, config: config)
    #expect(Set(got.keys) == Set(want.keys))
    for (key, members) in want {
      guard let values = got[key] else { continue }
      let v = members.compactMap(\.v)
      let ids = Set(members.compactMap(\.id))
      #expect(values[0] == .integer(Int64(members.count)), "\(key) count")
      #expect(values[1] == .integer(Int64(ids.count)), "\(key) distinct")
      func double(_ f: FeatureValue) -> Double? {
        if case .double(let d) = f { return d }
        return nil
      }
      func close(_ a: Double?, _ b: Double?, _ tolerance: Double = 1e-9) -> Bool {
        switch (a, b) {
        case (nil, nil): return true
        case (let x?, let y?): return abs(x - y) <= tolerance * max(1, abs(y))
        default: return false
        }
      }
      let sum = v.isEmpty ? nil : v.reduce(0, +)
      #expect(close(double(values[2]), sum), "\(key) sum")
      #expect(close(double(values[3]), sum.map { $0 / Double(v.count) }), "\(key) mean")
      #expect(double(values[4]) == v.min(), "\(key) min")
      #expect(double(values[5]) == v.max(), "\(key) max")
      var sd: Double? = nil
      if v.count >= 2 {
        let m = v.reduce(0, +) / Double(v.count)
        sd = (v.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(v.count - 1)).squareRoot()
      }
      #expect(close(double(values[6]), sd, 1e-7), "\(key) stddev")
      for (index, q) in [(7, 0.5), (8, 0.9)] {
        let sorted = v.sorted()
        let want = sorted.isEmpty ? nil : sorted[Int((q * Double(sorted.count - 1)).rounded(.down))]
        let gotQ = double(values[index])
        if let want, let gotQ {
          #expect(abs(gotQ - want) <= 0.01 * abs(want) + 1e-12, "\(key) q\(q)")
        } else {
          #expect(want == nil && gotQ == nil, "\(key) q\(q)")
        }
      }
      #expect(close(double(values[9]), v.isEmpty ? nil : Double(v.filter { $0 < 0 }.count) / Double(v.count)))
      #expect(close(double(values[10]), v.isEmpty ? nil : Double(v.filter { $0 > 10 }.count) / Double(v.count)))
    }
  }

  @Test(arguments: [0, 1, 2, 3, 4])
  func resultsDoNotDependOnShardsOrBatchSize(windowSet: Int) throws {
    let config = try config(windowSet: windowSet)
    let (text, _) = makeStream(seed: 9, count: 4000)
    let a = run(text, config: config, shards: 1, batch: 100_000)
    let b = run(text, config: config, shards: 4, batch: 3)
    #expect(a == b)
  }

  @Test func lateEventIsCountedNotAggregated() throws {
    let config = try ConfigLoader(file: "agg.yaml").load(Self.configText)
    let schemes: [any AreaScheme] = [GeohashScheme(name: "gh3", precision: 3)]
    let decoder = BatchDecoder(config: config, schemes: schemes)
    // 00:10 arrives, then an event at 00:00:30: W = 10:00 − 10 s = 09:50 ≥ 01:00 + 5 s, so it is late for 1m.
    let text =
      "{\"ts\":600000,\"lat\":51,\"lon\":6,\"route\":\"a\"}\n{\"ts\":30000,\"lat\":51,\"lon\":6,\"route\":\"a\"}\n"
    let batch = decoder.decode(LineChunk(input: 0, inputName: "t", bytes: Array(text.utf8), firstLine: 1))
    var stamper = WatermarkStamper(windows: config.windows, watermark: config.watermark, shardCount: 1)
    let stamped = stamper.stamp(batch)
    #expect(stamped.lateCounts == [1, 1])
    #expect(stamped.late.map(\.event) == [1, 1])
    let store = WindowStore(config: config, plan: decoder.plan)
    store.add(stamped, entries: stamped.routes[0])
    let rows = store.close(upTo: nil)
    // Only the first event is aggregated: one 1m row and five 5m rows, each counting 1.
    #expect(rows.count == 6)
    #expect(rows.columns[0] == .integers(Array(repeating: 1, count: 6)))
  }
}
