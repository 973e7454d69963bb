/// The intake's deterministic step: stamps each event with the watermark that held just before it arrived, decides
/// which events are late for which window names, and routes events to shards.
///
/// It sees batches strictly in arrival order and is the only place that reads event times in that order, so every
/// later stage can run in parallel and still reach the same result for any batch size or shard count.
public struct WatermarkStamper: Sendable {
  public let windows: [WindowSpec]
  public let watermark: WatermarkConfig
  public let shardCount: Int
  /// Largest event time seen so far over all inputs (Int64.min before the first event).
  public private(set) var maxTime = Int64.min
  /// Per input, the largest event time seen: the live watermark is the minimum over the inputs that are not idle.
  /// Empty in replay, where inputs are read one after the other and the watermark follows arrival order.
  public private(set) var inputMaxTimes: [Int64]
  /// Inputs without data for `idle_timeout`, excluded from the minimum (live only; never checkpointed).
  public private(set) var idle: [Bool]
  /// A lower bound the watermark never goes below: raised while every input is idle (the wall clock moves it) and
  /// when a `run --once` closes every window.
  public private(set) var floor = Int64.min
  /// The watermark, recomputed whenever an input's maximum, idleness or the floor changes.
  public private(set) var current = Int64.min
  /// `privacy.small_groups: roll_up`: areas go to shards by their ancestor this many levels up (0: by themselves),
  /// so every group a roll-up merges is in one shard.
  let routingSchemes: [any AreaScheme]
  let routingLevels: Int

  /// - Parameter liveInputs: the number of live inputs whose watermarks are combined by their minimum; 0 for
  ///   replay, where the watermark is the largest event time in arrival order across all inputs.
  public init(
    windows: [WindowSpec], watermark: WatermarkConfig, shardCount: Int, liveInputs: Int = 0,
    routingSchemes: [any AreaScheme] = [], routingLevels: Int = 0
  ) {
    self.routingSchemes = routingSchemes
    self.routingLevels = routingSchemes.isEmpty ? 0 : routingLevels
    self.windows = windows
    self.watermark = watermark
    self.shardCount = shardCount
    inputMaxTimes = Array(repeating: Int64.min, count: liveInputs)
    idle = Array(repeating: false, count: liveInputs)
  }

  /// The state a checkpoint keeps: the largest event time, per input and overall, and the floor.
  public struct State: Sendable, Equatable {
    public var maxTime: Int64
    public var inputMaxTimes: [Int64]
    public var floor: Int64
    public init(maxTime: Int64, inputMaxTimes: [Int64], floor: Int64) {
      self.maxTime = maxTime
      self.inputMaxTimes = inputMaxTimes
      self.floor = floor
    }
  }

  /// The watermark itself is kept as the floor, so a restart never lowers it (idle inputs are all active again then).
  public var state: State { State(maxTime: maxTime, inputMaxTimes: inputMaxTimes, floor: max(floor, current)) }

  /// Restores the stamper after a restart.
  public mutating func restore(_ state: State) {
    maxTime = state.maxTime
    if state.inputMaxTimes.count == inputMaxTimes.count { inputMaxTimes = state.inputMaxTimes }
    floor = state.floor
    recompute()
  }

  /// Restores the largest event time seen (replay-style stamper).
  public mutating func restore(maxTime: Int64) {
    self.maxTime = maxTime
    recompute()
  }

  /// Marks a live input idle (no data for `idle_timeout`) or active again. An input beyond the ones known so far
  /// joins here (a Kafka partition assigned while running): the inputs up to it are added with no event time yet,
  /// idle until they are announced themselves, so they hold nothing back.
  public mutating func setIdle(_ input: Int, _ isIdle: Bool) {
    guard !inputMaxTimes.isEmpty, input >= 0 else { return }
    while inputMaxTimes.count <= input {
      inputMaxTimes.append(Int64.min)
      idle.append(true)
    }
    idle[input] = isIdle
    recompute()
  }

  /// Raises the floor to `watermark` (never lowers it).
  public mutating func raiseFloor(to watermark: Int64) {
    if watermark > floor {
      floor = watermark
      recompute()
    }
  }

  /// Moves the watermark forward by `nanoseconds` of wall-clock time, as when every input is idle.
  public mutating func advance(by nanoseconds: Int64) {
    guard current != Int64.min, nanoseconds > 0 else { return }
    raiseFloor(to: current &+ nanoseconds)
  }

  /// Seals the stream after `run --once` closed every window: every window holding the latest event time is final
  /// under the new floor, so an event that arrives later for a closed window is late, never a second row.
  public mutating func sealAfterClosingAll() {
    guard maxTime != Int64.min else { return }
    var sealed = floor
    for spec in windows {
      let end = WindowMath.floorDiv(maxTime, spec.every) &* spec.every &+ spec.size
      sealed = max(sealed, end &+ watermark.allowedLateness)
    }
    raiseFloor(to: sealed)
  }

  private mutating func recompute() {
    var base = Int64.min
    if inputMaxTimes.isEmpty {
      base = maxTime
    } else {
      var lowest = Int64.max
      for (i, t) in inputMaxTimes.enumerated() where !idle[i] { lowest = min(lowest, t) }
      base = lowest == Int64.max ? Int64.min : lowest
    }
    let fromEvents = base == Int64.min ? Int64.min : base &- watermark.maxOutOfOrder
    // A watermark never goes back, even when an idle input with older events becomes active again: windows it has
    // closed stay closed, and later events for them are late.
    current = max(current, fromEvents, floor)
  }

  /// Stamps a batch.
  /// - Complexity: O(events × window names), no per-event allocation.
  public mutating func stamp(_ batch: EventBatch) -> StampedBatch {
    var stamps = [Int64](repeating: 0, count: batch.count)
    var late: [LateEvent] = []
    var lateCounts = [Int](repeating: 0, count: windows.count)
    let live = !inputMaxTimes.isEmpty
    let input = live ? min(batch.input, inputMaxTimes.count - 1) : 0
    // Per window name, the time below which an event is late under the watermarks in
    // `thresholdsFrom..<thresholdsBelow` (`perEvent`: decide per event instead), recomputed only when the watermark
    // leaves that range: in replay it moves with nearly every event, the first open window once per slide.
    let windowCount = windows.count
    var lateBefore = [Int64](repeating: Int64.min, count: windowCount)
    var perEvent = [Bool](repeating: false, count: windowCount)
    var thresholdsFrom = Int64.max
    var thresholdsBelow = Int64.min
    let lateness = watermark.allowedLateness
    let times = batch.times
    for i in 0..<batch.count {
      let w = current
      stamps[i] = w
      let t = times[i]
      if w != Int64.min {
        if w < thresholdsFrom || w >= thresholdsBelow {
          thresholdsFrom = w
          thresholdsBelow = Int64.max
          for s in 0..<windowCount {
            let spec = windows[s]
            let below = WindowMath.lateBefore(watermark: w, spec, lateness: lateness)
            lateBefore[s] = below ?? Int64.min
            perEvent[s] = below == nil
            thresholdsBelow = min(thresholdsBelow, WindowMath.openIndexChange(after: w, spec, lateness: lateness))
          }
        }
        for s in 0..<windowCount {
          if t >= lateBefore[s] && !perEvent[s] { continue }
          let spec = windows[s]
          let range = WindowMath.windowIndices(t, spec)
          let open = WindowMath.firstOpenIndex(watermark: w, spec, lateness: lateness)
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
      if t > maxTime {
        maxTime = t
        if !live { current = max(t &- watermark.maxOutOfOrder, floor) }
      }
      if live, t > inputMaxTimes[input] {
        inputMaxTimes[input] = t
        recompute()
      }
    }
    return StampedBatch(
      batch: batch, watermarks: stamps, late: late, lateCounts: lateCounts, watermarkAfter: current,
      routes: route(batch))
  }

  /// Splits (event, scheme, area) triples by the shard that owns the area, so each group lives in exactly one
  /// shard — also for points inside several overlapping regions. Entries stay in event order (schemes inside an
  /// event), which is the order of their watermark stamps: shards close windows in that order.
  private func route(_ batch: EventBatch) -> [[UInt64]] {
    let columns = batch.areas
    let schemes = columns.count
    let count = batch.count
    // Every scheme's keys and offsets copied into one buffer each (a memcpy per scheme), so the loops below read
    // plain memory instead of an array of arrays.
    var total = 0
    for s in 0..<schemes { total += columns[s].keys.count }
    let keys = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: max(total, 1))
    let starts = UnsafeMutableBufferPointer<Int>.allocate(capacity: schemes * (count + 1) + 1)
    defer {
      keys.deallocate()
      starts.deallocate()
    }
    var keyBase = 0
    for s in 0..<schemes {
      columns[s].keys.withUnsafeBufferPointer { k in
        _ = UnsafeMutableBufferPointer(rebasing: keys[keyBase..<(keyBase + k.count)]).initialize(from: k)
      }
      columns[s].starts.withUnsafeBufferPointer { st in
        // Offsets into `keys`: scheme `s`'s start of event `i` is at `s * (count + 1) + i`.
        for i in 0...count { starts[s * (count + 1) + i] = keyBase + Int(st[i]) }
      }
      keyBase += columns[s].keys.count
    }
    // Every entry in event order (schemes inside an event), written straight to its shard's run of `scratch`
    // (shard k's entries from `k * total`): one pass that hashes each key as it packs the entry, with no branch on
    // the shard (shards are random per entry, so a branch would be mispredicted half the time).
    let runs = shardCount
    let scratch = UnsafeMutablePointer<UInt64>.allocate(capacity: max(total * runs, 1))
    let counts = UnsafeMutablePointer<Int>.allocate(capacity: runs)
    counts.initialize(repeating: 0, count: runs)
    defer {
      scratch.deallocate()
      counts.deallocate()
    }
    // A power-of-two shard count (the usual 2, 4, 8) takes the remainder by mask instead of by division.
    let shardMask = runs.nonzeroBitCount == 1 ? UInt64(runs - 1) : 0
    for i in 0..<count {
      for s in 0..<schemes {
        let base = s * (count + 1)
        let column = starts[base]
        for position in starts[base + i]..<starts[base + i + 1] {
          var shard = 0
          if runs > 1 {
            let key = keys[position]
            let routed = routingLevels > 0 ? routingSchemes[s].routingKey(of: key, levels: routingLevels) : key
            let hash = ByteHasher.mix(routed &+ UInt64(s))
            shard = Int(shardMask != 0 ? hash & shardMask : hash % UInt64(runs))
          }
          scratch[shard &* total &+ counts[shard]] = RouteEntry.pack(event: i, scheme: s, keyIndex: position - column)
          counts[shard] &+= 1
        }
      }
    }
    return (0..<runs).map { k in [UInt64](blockCopying: scratch + k * total, count: counts[k]) }
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

  /// The same stamps and routes over `batch.droppingLines()`, for the shards once side records are written.
  public func droppingLines() -> StampedBatch {
    StampedBatch(
      batch: batch.droppingLines(), watermarks: watermarks, late: late, lateCounts: lateCounts,
      watermarkAfter: watermarkAfter, routes: routes)
  }
}

/// An event that was late for at least one window of a window name.
public struct LateEvent: Sendable {
  public let event: Int32
  public let window: Int
  /// Start (ns) of the earliest window of that name the event was late for.
  public let windowStart: Int64
  public let lateWindows: Int
}
