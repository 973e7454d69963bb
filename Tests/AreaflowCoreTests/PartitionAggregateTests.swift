import AreaflowGenerate
import Foundation
import Testing

@testable import AreaflowCore

/// Scale-out's aggregation: source partitions stamped on their own, sent through repartition blocks in any
/// interleaving, merged by `PartitionAggregate`. Rows must equal the exact per-partition rule and never depend on
/// the interleaving, on when `release` runs, or on a restart from a checkpoint.
@Suite struct PartitionAggregateTests {
  static let sources = 3
  static let partitions = 4

  /// Per source partition, its blocks (one list per repartition partition).
  func blocks(_ texts: [String], config: PipelineConfig, batch: Int) -> [[[RepartitionBlock]]] {
    let schemes: [any AreaScheme] = [GeohashScheme(name: "gh3", precision: 3)]
    let decoder = BatchDecoder(config: config, schemes: schemes)
    let writer = RepartitionWriter(config: config, plan: decoder.plan, partitions: Self.partitions)
    return texts.enumerated().map { p, text in
      var framer = LineFramer(input: p, inputName: "p\(p)", format: .ndjson, plan: decoder.plan, maxLines: batch)
      var stamper = WatermarkStamper(
        windows: config.windows, watermark: config.watermark, shardCount: Self.partitions)
      var chunks: [LineChunk] = []
      Array(text.utf8).withUnsafeBytes { raw in chunks += try! framer.push(raw) }
      chunks += try! framer.finish()
      var out = Array(repeating: [RepartitionBlock](), count: Self.partitions)
      for chunk in chunks {
        let stamped = stamper.stamp(decoder.decode(chunk))
        for (r, b) in writer.blocks(stamped, source: Int32(p), sourceCount: Int32(Self.sources)).enumerated() {
          out[r].append(try! RepartitionBlock.decode(b.encode()))
        }
      }
      return out
    }
  }

  /// One repartition partition's topic: the source partitions' blocks interleaved at random, each in its order.
  func interleave(_ perSource: [[RepartitionBlock]], seed: UInt64) -> [RepartitionBlock] {
    var random = SeededRandom(seed: seed)
    var next = Array(repeating: 0, count: perSource.count)
    var topic: [RepartitionBlock] = []
    while let p = (0..<perSource.count).filter({ next[$0] < perSource[$0].count }).randomElement(using: &random) {
      topic.append(perSource[p][next[p]])
      next[p] += 1
    }
    return topic
  }

  /// Rows of every repartition partition, keyed by their labels; `restartAt` restarts each aggregate from its
  /// checkpoint after that many blocks and reads its topic again from the checkpoint's resume offset.
  func aggregate(
    _ all: [[[RepartitionBlock]]], config: PipelineConfig, seed: UInt64, restartAt: Int? = nil
  ) -> [String: [FeatureValue]] {
    let schemes: [any AreaScheme] = [GeohashScheme(name: "gh3", precision: 3)]
    let plan = BatchDecoder(config: config, schemes: schemes).plan
    var result: [String: [FeatureValue]] = [:]
    var random = SeededRandom(seed: seed &+ 99)
    for r in 0..<Self.partitions {
      let topic = interleave(all.map { $0[r] }, seed: seed &+ UInt64(r))
      var agg = PartitionAggregate(
        partition: r, partitions: Self.partitions, config: config, plan: plan, schemes: schemes)
      var rows = ClosedRows(features: config.features)
      var offset = 0
      var restarted = false
      while offset < topic.count {
        agg.take(topic[offset], offset: Int64(offset))
        offset += 1
        if random.chance(0.3) { rows.append(contentsOf: agg.release()) }
        if let restartAt, !restarted, offset == restartAt {
          rows.append(contentsOf: agg.release())
          let saved = agg.checkpoint()
          agg = PartitionAggregate(
            partition: r, partitions: Self.partitions, config: config, plan: plan, schemes: schemes)
          try! agg.restore(saved)
          offset = Int(agg.resumeOffset)
          restarted = true
        }
      }
      rows.append(contentsOf: agg.closeAll())
      let labels = agg.labels
      for (i, k) in rows.keys.enumerated() {
        let key =
          "\(config.windows[Int(k.window)].name)|\(k.index)|\(schemes[0].label(of: k.area))|\(labels[k.dimensions]?[0] ?? "nil")"
        #expect(result[key] == nil, "duplicate row \(key)")
        result[key] = config.features.indices.map { rows.value(row: i, feature: $0) }
      }
    }
    return result
  }

  /// The per-partition rule computed the obvious way: an event is late for a window when its own partition's
  /// watermark before it has passed the window's end plus lateness.
  func exact(_ partitions: [[AggregationTests.Event]], config: PipelineConfig) -> [String: [AggregationTests.Event]] {
    var groups: [String: [AggregationTests.Event]] = [:]
    for events in partitions {
      var maxT = Int64.min
      for e in events {
        let w: Int64? = maxT == Int64.min ? nil : maxT - config.watermark.maxOutOfOrder
        let t = e.t * 1_000_000
        for spec in config.windows {
          var k = WindowMath.floorDiv(t - spec.size, spec.every) + 1
          while k * spec.every <= t {
            if w == nil || w! < k * spec.every + spec.size + config.watermark.allowedLateness {
              let area = GeohashScheme.encode(lat: e.lat, lon: e.lon, precision: 3)
              groups["\(spec.name)|\(k)|\(area)|\(e.route)", default: []].append(e)
            }
            k += 1
          }
        }
        maxT = max(maxT, t)
      }
    }
    return groups
  }

  func streams(seed: UInt64) -> ([String], [[AggregationTests.Event]]) {
    let base = AggregationTests()
    var texts: [String] = []
    var events: [[AggregationTests.Event]] = []
    for p in 0..<Self.sources {
      let (text, e) = base.makeStream(seed: seed &* 31 &+ UInt64(p), count: 1500)
      texts.append(text)
      events.append(e)
    }
    return (texts, events)
  }

  @Test(arguments: [(UInt64(1), 100), (2, 7), (3, 1000)])
  func rowsEqualThePerPartitionRule(seed: UInt64, batch: Int) throws {
    let config = try AggregationTests().config(windowSet: 0)
    let (texts, events) = streams(seed: seed)
    let got = aggregate(blocks(texts, config: config, batch: batch), config: config, seed: seed)
    let want = exact(events, config: config)
    #expect(Set(got.keys) == Set(want.keys))
    for (key, members) in want {
      guard let values = got[key] else { continue }
      #expect(values[0] == .integer(Int64(members.count)), "\(key) count")
      #expect(values[1] == .integer(Int64(Set(members.compactMap(\.id)).count)), "\(key) distinct")
      let v = members.compactMap(\.v)
      if case .double(let hi) = values[5] { #expect(hi == v.max(), "\(key) max") } else { #expect(v.isEmpty) }
    }
  }

  @Test func rowsDoNotDependOnInterleavingBatchesOrRestarts() throws {
    let config = try AggregationTests().config(windowSet: 1)
    let (texts, _) = streams(seed: 5)
    let a = aggregate(blocks(texts, config: config, batch: 50), config: config, seed: 1)
    let b = aggregate(blocks(texts, config: config, batch: 333), config: config, seed: 2)
    let c = aggregate(blocks(texts, config: config, batch: 50), config: config, seed: 3, restartAt: 20)
    #expect(a == b)
    #expect(a == c)
  }

  @Test func blocksRoundTrip() throws {
    let config = try AggregationTests().config(windowSet: 0)
    let (texts, _) = streams(seed: 8)
    for perSource in blocks(texts, config: config, batch: 64) {
      for list in perSource {
        // Null values are NaN, which is never equal to itself: compare the encodings.
        for b in list { #expect(try RepartitionBlock.decode(b.encode()).encode() == b.encode()) }
      }
    }
  }
}
