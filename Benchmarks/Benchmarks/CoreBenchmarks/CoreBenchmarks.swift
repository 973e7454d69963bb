import AreaflowCore
import AreaflowGenerate
import AreaflowH3
import Benchmark

/// Throughput of the pure core on data made in memory: decoding, area lookup and aggregation, without disk or
/// decompression. The end-to-end replay (with zstd, the floor and the DuckDB peer) is `scripts/bench-replay.sh`.
let benchmarks: @Sendable () -> Void = {
  Benchmark.defaultConfiguration = .init(
    metrics: [.wallClock, .throughput, .mallocCountTotal], maxDuration: .seconds(3))

  let config = try! ConfigLoader(file: "transport.yaml").load(BenchmarkData.transportConfig)
  let schemes: [any AreaScheme] = [GeohashScheme(name: "gh6", precision: 6)]
  let decoder = BatchDecoder(config: config, schemes: schemes)
  let chunks = BenchmarkData.transportChunks(lines: 100_000, plan: decoder.plan)

  Benchmark("decode transport NDJSON (100k events per iteration)") { benchmark in
    for _ in benchmark.scaledIterations {
      for chunk in chunks { blackHole(decoder.decode(chunk)) }
    }
  }

  let batches = chunks.map { decoder.decode($0) }
  Benchmark("aggregate transport config (100k events per iteration)") { benchmark in
    for _ in benchmark.scaledIterations {
      var stamper = WatermarkStamper(windows: config.windows, watermark: config.watermark, shardCount: 1)
      let store = WindowStore(config: config, plan: decoder.plan)
      for batch in batches {
        let stamped = stamper.stamp(batch)
        store.add(stamped, entries: stamped.routes[0])
        blackHole(store.close(upTo: stamped.watermarkAfter))
      }
      blackHole(store.close(upTo: nil))
    }
  }

  // The sequencer's own work: watermark stamps, late decisions and the split of entries between two shards.
  Benchmark("stamp and route to 2 shards (100k events per iteration)") { benchmark in
    for _ in benchmark.scaledIterations {
      var stamper = WatermarkStamper(windows: config.windows, watermark: config.watermark, shardCount: 2)
      for batch in batches { blackHole(stamper.stamp(batch)) }
    }
  }

  // The stages of aggregation apart: slice updates with no window closing, the same plus merging every window at
  // the end (the difference is the merge at close), and CSV encoding of the rows that come out.
  let openConfig = try! ConfigLoader(file: "transport.yaml").load(BenchmarkData.transportConfigNoCloses)
  func fill(_ store: WindowStore) {
    var stamper = WatermarkStamper(windows: openConfig.windows, watermark: openConfig.watermark, shardCount: 1)
    for batch in batches {
      let stamped = stamper.stamp(batch)
      store.add(stamped, entries: stamped.routes[0])
    }
  }
  Benchmark("slice updates, no window final (100k events per iteration)") { benchmark in
    for _ in benchmark.scaledIterations {
      let store = WindowStore(config: openConfig, plan: decoder.plan)
      fill(store)
      blackHole(store.openGroups)
    }
  }
  Benchmark("slice updates, then every window merged and closed (100k events per iteration)") { benchmark in
    for _ in benchmark.scaledIterations {
      let store = WindowStore(config: openConfig, plan: decoder.plan)
      fill(store)
      blackHole(store.close(upTo: nil))
    }
  }
  let closedRows: ClosedRows = {
    let store = WindowStore(config: openConfig, plan: decoder.plan)
    fill(store)
    return store.close(upTo: nil)
  }()
  let labels = DimensionLabels()
  for batch in batches { labels.merge(batch.newDimensionLabels) }
  let tables = RowAssembler(config: config, schemes: schemes).tables(closedRows, labels: labels.snapshot())
  Benchmark("assemble and sort \(closedRows.count) rows into tables") { benchmark in
    let assembler = RowAssembler(config: config, schemes: schemes)
    let snapshot = labels.snapshot()
    for _ in benchmark.scaledIterations { blackHole(assembler.tables(closedRows, labels: snapshot)) }
  }
  Benchmark("encode \(closedRows.count) rows as CSV") { benchmark in
    let encoder = CSVSnapshotEncoder()
    for _ in benchmark.scaledIterations {
      for t in tables { blackHole(try! encoder.encode(t.table)) }
    }
  }

  // Issue target: at least 3 million points per second per core at every resolution.
  for resolution in [0, 8, 15] {
    Benchmark("H3 latLngToCell res \(resolution) (per point)", configuration: .init(scalingFactor: .mega)) {
      benchmark in
      var random = SeededRandom(seed: 2)
      let points = (0..<1_000_000).map { _ in (random.unit() * 180 - 90, random.unit() * 360 - 180) }
      benchmark.startMeasurement()
      for i in benchmark.scaledIterations {
        let (lat, lon) = points[i % points.count]
        blackHole(H3.latLngToCell(lat: lat, lng: lon, resolution: resolution))
      }
    }
  }

  // Issue target: at least 1 million lookups per second per core on 10,000 polygons / ~1,000,000 vertices.
  Benchmark(
    "region lookup, 10k polygons (per point)", configuration: .init(scalingFactor: .mega, maxDuration: .seconds(10))
  ) {
    benchmark in
    let file = SyntheticRegionFile(columns: 100, rows: 100, segmentsPerSide: 25).make()
    let index = try! RegionIndex(geoJSON: file.geoJSON, idProperty: "id")
    var random = SeededRandom(seed: 3)
    let points = (0..<1_000_000).map { _ in (52.40 + random.unit() * 0.24, 13.20 + random.unit() * 0.40) }
    var found: [Int32] = []
    benchmark.startMeasurement()
    for i in benchmark.scaledIterations {
      let (lat, lon) = points[i % points.count]
      found.removeAll(keepingCapacity: true)
      index.regions(containingLat: lat, lon: lon, into: &found)
      blackHole(found.count)
    }
  }

  Benchmark("geohash-6 encode (per point)", configuration: .init(scalingFactor: .mega)) { benchmark in
    var random = SeededRandom(seed: 1)
    let points = (0..<1_000_000).map { _ in (random.unit() * 180 - 90, random.unit() * 360 - 180) }
    benchmark.startMeasurement()
    for i in benchmark.scaledIterations {
      let (lat, lon) = points[i % points.count]
      blackHole(GeohashScheme.encodeBits(lat: lat, lon: lon, bits: 30))
    }
  }
}
