import AreaflowGenerate
import Foundation
import Testing

@testable import AreaflowCore

/// Every aggregate's state merges: two halves aggregated apart and merged equal the whole aggregated at once.
@Suite struct MergeTests {
  @Test(arguments: [3, 100, 5000])
  func mergedHalvesEqualTheWhole(count: Int) throws {
    let config = try ConfigLoader(file: "agg.yaml").load(AggregationTests.configText)
    let decoder = BatchDecoder(config: config, schemes: [GeohashScheme(name: "gh3", precision: 3)])
    var random = SeededRandom(seed: UInt64(count))
    var text = ""
    for i in 0..<count {
      let v = random.chance(0.1) ? "null" : "\(random.normal() * 30 + 4)"
      text +=
        "{\"ts\":\(1_772_438_400_000 + i),\"lat\":51,\"lon\":6,\"route\":\"r\",\"id\":\"d\(random.below(600))\",\"v\":\(v)}\n"
    }
    let batch = decoder.decode(LineChunk(input: 0, inputName: "t", bytes: Array(text.utf8), firstLine: 1))
    #expect(batch.count == count)
    let half = count / 2
    for feature in config.features {
      guard let whole = FeatureAccumulatorFactory.make(feature, plan: decoder.plan),
        let left = FeatureAccumulatorFactory.make(feature, plan: decoder.plan),
        let right = FeatureAccumulatorFactory.make(feature, plan: decoder.plan)
      else { continue }
      for a in [whole, left, right] { a.ensureCapacity(1) }
      whole.add(slots: Array(repeating: 0, count: count), events: (0..<count).map { Int32($0) }, batch: batch)
      left.add(slots: Array(repeating: 0, count: half), events: (0..<half).map { Int32($0) }, batch: batch)
      right.add(
        slots: Array(repeating: 0, count: count - half), events: (half..<count).map { Int32($0) }, batch: batch)
      left.merge(from: right, slot: 0, into: 0)
      switch (whole.values([0]), left.values([0])) {
      case (.doubles(let w), .doubles(let m)):
        if let x = w[0], let y = m[0] {
          let tolerance =
            feature.kind == .quantile(field: "v", q: 0.5) || feature.kind == .quantile(field: "v", q: 0.9)
            ? 0.01 * abs(x) + 1e-12 : 1e-9 * max(1, abs(x))
          #expect(abs(x - y) <= tolerance, "\(feature.name): whole \(x), merged \(y)")
        } else {
          #expect(w[0] == nil && m[0] == nil, "\(feature.name)")
        }
      case (.integers(let w), .integers(let m)):
        #expect(w == m, "\(feature.name)")
      default:
        Issue.record("\(feature.name): value kinds differ")
      }
    }
  }

  @Test func peekShowsOpenGroupsWithoutClosingThem() throws {
    let config = try ConfigLoader(file: "agg.yaml").load(AggregationTests.configText)
    let decoder = BatchDecoder(config: config, schemes: [GeohashScheme(name: "gh3", precision: 3)])
    let (text, _) = AggregationTests().makeStream(seed: 3, count: 500)
    let batch = decoder.decode(LineChunk(input: 0, inputName: "t", bytes: Array(text.utf8), firstLine: 1))
    var stamper = WatermarkStamper(windows: config.windows, watermark: config.watermark, shardCount: 1)
    let stamped = stamper.stamp(batch)
    let store = WindowStore(config: config, plan: decoder.plan)
    store.add(stamped, entries: stamped.routes[0])
    // As the pipeline does: windows final under the batch's watermark close first, then the open ones are peeked.
    let final = store.close(upTo: stamped.watermarkAfter)
    #expect(final.count > 0)
    let peeked = store.peek()
    let closed = store.close(upTo: nil)
    #expect(peeked.count == closed.count && peeked.count > 0)
    #expect(Set(peeked.keys) == Set(closed.keys))
    #expect(Set(peeked.keys).isDisjoint(with: Set(final.keys)))
    #expect(store.peek().isEmpty)
  }

  /// With panes (window sets 3 and 4 of `AggregationTests`), a live view of the open windows at several points of
  /// a stream holds what closing everything there emits: the longer windows' events in panes and in slices not yet
  /// merged into them, and a window one pane long read from its pane and its newer slices alike.
  @Test(arguments: [0, 3, 4])
  func peekEqualsClosingEverythingMidStream(windowSet: Int) throws {
    let config = try AggregationTests().config(windowSet: windowSet)
    let (decoder, batches) = try AggregationTests().decodedBatches(config: config, seed: 17, count: 4000, lines: 400)
    func row(_ r: ClosedRows, _ i: Int) -> String {
      let k = r.keys[i]
      return "\(k.window)|\(k.index)|\(k.scheme)|\(k.area)|\(k.dimensions)"
    }
    for stop in [2, 5, 8] where stop < batches.count {
      var stamper = WatermarkStamper(windows: config.windows, watermark: config.watermark, shardCount: 1)
      let store = WindowStore(config: config, plan: decoder.plan)
      _ = AggregationTests.replay(batches[..<stop], into: store, stamper: &stamper)
      let peeked = store.peek()
      let windows = Set(peeked.keys.map { "\($0.window)|\($0.index)" })
      #expect(store.openWindowCount == windows.count, "stop \(stop)")
      let closed = store.close(upTo: nil)
      let closedRows = Dictionary(uniqueKeysWithValues: closed.keys.indices.map { (row(closed, $0), $0) })
      #expect(peeked.count == closed.count && peeked.count > 0, "stop \(stop)")
      for i in peeked.keys.indices {
        guard let j = closedRows[row(peeked, i)] else {
          Issue.record("stop \(stop): peeked row \(row(peeked, i)) not emitted by the close")
          continue
        }
        for f in config.features.indices {
          switch (peeked.value(row: i, feature: f), closed.value(row: j, feature: f)) {
          case (.double(let a?), .double(let b?)):
            #expect(abs(a - b) <= 1e-9 * max(abs(a), abs(b)), "stop \(stop) row \(row(peeked, i)) feature \(f)")
          case (let a, let b): #expect(a == b, "stop \(stop) row \(row(peeked, i)) feature \(f)")
          }
        }
      }
    }
  }
}
