/// The intake's deterministic step: stamps each event with the watermark that held just before it arrived, decides
/// which events are late for which window names, and routes events to shards.
///
/// It sees batches strictly in arrival order and is the only place that reads event times in that order, so every
/// later stage can run in parallel and still reach the same result for any batch size or shard count.
public struct WatermarkStamper: Sendable {
  public let windows: [WindowSpec]
  public let watermark: WatermarkConfig
  public let shardCount: Int
  /// Largest event time seen so far (Int64.min before the first event).
  public private(set) var maxTime = Int64.min

  public init(windows: [WindowSpec], watermark: WatermarkConfig, shardCount: Int) {
    self.windows = windows
    self.watermark = watermark
    self.shardCount = shardCount
  }

  /// The current watermark: max event time − max_out_of_order, or Int64.min before any event.
  public var current: Int64 {
    maxTime == Int64.min ? Int64.min : maxTime &- watermark.maxOutOfOrder
  }

  /// Restores the stamper after a restart.
  public mutating func restore(maxTime: Int64) { self.maxTime = maxTime }

  /// Stamps a batch.
  /// - Complexity: O(events × window names), no per-event allocation.
  public mutating func stamp(_ batch: EventBatch) -> StampedBatch {
    var stamps = [Int64](repeating: 0, count: batch.count)
    var late: [LateEvent] = []
    var lateCounts = [Int](repeating: 0, count: windows.count)
    for i in 0..<batch.count {
      let w = current
      stamps[i] = w
      let t = batch.times[i]
      if w != Int64.min {
        for (s, spec) in windows.enumerated() {
          let range = WindowMath.windowIndices(t, spec)
          let open = WindowMath.firstOpenIndex(watermark: w, spec, lateness: watermark.allowedLateness)
          if range.lowerBound < open {
            lateCounts[s] += 1
            let lateWindows = min(range.upperBound, open - 1) - range.lowerBound + 1
            late.append(
              LateEvent(
                event: Int32(i), window: s, windowStart: range.lowerBound &* spec.every,
                lateWindows: Int(lateWindows)))
          }
        }
      }
      if t > maxTime { maxTime = t }
    }
    return StampedBatch(
      batch: batch, watermarks: stamps, late: late, lateCounts: lateCounts, watermarkAfter: current,
      routes: route(batch))
  }

  /// Splits (event, scheme, area) triples by the shard that owns the area, so each group lives in exactly one
  /// shard — also for points inside several overlapping regions.
  private func route(_ batch: EventBatch) -> [[UInt64]] {
    var routes = [[UInt64]](repeating: [], count: shardCount)
    if shardCount == 1 { routes[0].reserveCapacity(batch.count * batch.areas.count) }
    for s in 0..<batch.areas.count {
      let column = batch.areas[s]
      for i in 0..<batch.count {
        for a in Int(column.starts[i])..<Int(column.starts[i + 1]) {
          let entry = RouteEntry.pack(event: i, scheme: s, keyIndex: a)
          if shardCount == 1 {
            routes[0].append(entry)
          } else {
            let shard = Int(ByteHasher.mix(column.keys[a] &+ UInt64(s)) % UInt64(shardCount))
            routes[shard].append(entry)
          }
        }
      }
    }
    return routes
  }
}

/// Packs an (event, scheme, area key index) triple into one word: the routing unit of a shard.
public enum RouteEntry {
  @inline(__always)
  public static func pack(event: Int, scheme: Int, keyIndex: Int) -> UInt64 {
    UInt64(keyIndex) << 32 | UInt64(event) << 8 | UInt64(scheme)
  }
  @inline(__always)
  public static func event(_ e: UInt64) -> Int { Int((e >> 8) & 0xFF_FFFF) }
  @inline(__always)
  public static func scheme(_ e: UInt64) -> Int { Int(e & 0xFF) }
  @inline(__always)
  public static func keyIndex(_ e: UInt64) -> Int { Int(e >> 32) }
}

/// A batch with its watermark stamps, late events and routing.
public struct StampedBatch: Sendable {
  public let batch: EventBatch
  /// The watermark just before each event.
  public let watermarks: [Int64]
  public let late: [LateEvent]
  /// Per window name, events late for at least one of its windows.
  public let lateCounts: [Int]
  /// The watermark after the batch's last event; windows ending before it (plus lateness) are final.
  public let watermarkAfter: Int64
  /// Per shard, `RouteEntry`-packed (event, scheme, area) triples.
  public let routes: [[UInt64]]
}

/// An event that was late for at least one window of a window name.
public struct LateEvent: Sendable {
  public let event: Int32
  public let window: Int
  /// Start (ns) of the earliest window of that name the event was late for.
  public let windowStart: Int64
  public let lateWindows: Int
}
