import AreaflowCore
import Testing

/// The live watermark: minimum over inputs that are not idle, a floor raised by the idle clock, never going back.
@Suite struct LiveWatermarkTests {
  static let second: Int64 = 1_000_000_000
  let windows = [WindowSpec(name: "1m", size: 60 * second, every: 60 * second)]
  let watermark = WatermarkConfig(maxOutOfOrder: 10 * second, allowedLateness: 0, idleTimeout: 60 * second)

  static let config = try! ConfigLoader(file: "c.yaml").load(
    "input: {time: {field: ts, format: epoch_ns}, lat: lat, lon: lon}\nareas: [{name: g, geohash: 5}]\nwindows: [{name: 1m, tumbling: 1m}]\nfeatures: {n: count}\n"
  )

  /// Events at `times` (ns) from `input`, decoded like any input.
  func batch(input: Int, times: [Int64]) -> EventBatch {
    let text = times.map { "{\"ts\":\($0),\"lat\":52.5,\"lon\":13.4}\n" }.joined()
    let chunk = LineChunk(input: input, inputName: "in\(input)", bytes: Array(text.utf8), firstLine: 1)
    return BatchDecoder(config: Self.config, schemes: [GeohashScheme(name: "g", precision: 5)]).decode(chunk)
  }

  @Test func minimumOverActiveInputs() {
    var s = WatermarkStamper(windows: windows, watermark: watermark, shardCount: 1, liveInputs: 2)
    _ = s.stamp(batch(input: 0, times: [100 * Self.second]))
    // Input 1 has seen nothing yet and is not idle: it holds the watermark back.
    #expect(s.current == Int64.min)
    _ = s.stamp(batch(input: 1, times: [50 * Self.second]))
    #expect(s.current == 40 * Self.second)
    s.setIdle(1, true)
    #expect(s.current == 90 * Self.second)
    // Back from idle with older events: the watermark does not go back.
    s.setIdle(1, false)
    #expect(s.current == 90 * Self.second)
  }

  @Test func replayWatermarkFollowsArrivalOrderAcrossInputs() {
    var s = WatermarkStamper(windows: windows, watermark: watermark, shardCount: 1)
    _ = s.stamp(batch(input: 0, times: [100 * Self.second]))
    _ = s.stamp(batch(input: 1, times: [50 * Self.second]))
    #expect(s.current == 90 * Self.second)
  }

  @Test func idleClockAdvancesAndLateEventsAreLate() {
    var s = WatermarkStamper(windows: windows, watermark: watermark, shardCount: 1, liveInputs: 1)
    _ = s.stamp(batch(input: 0, times: [30 * Self.second]))
    #expect(s.current == 20 * Self.second)
    s.setIdle(0, true)
    s.advance(by: 45 * Self.second)
    #expect(s.current == 65 * Self.second)
    // The window [0, 60 s) is now final: an event for it is late.
    let stamped = s.stamp(batch(input: 0, times: [59 * Self.second]))
    #expect(stamped.late.count == 1)
  }

  @Test func sealClosesTheLatestWindow() {
    var s = WatermarkStamper(windows: windows, watermark: watermark, shardCount: 1, liveInputs: 1)
    _ = s.stamp(batch(input: 0, times: [61 * Self.second]))
    s.sealAfterClosingAll()
    #expect(s.current == 120 * Self.second)
    let stamped = s.stamp(batch(input: 0, times: [119 * Self.second]))
    #expect(stamped.late.count == 1)
  }

  @Test func stateRoundTripKeepsTheWatermark() {
    var s = WatermarkStamper(windows: windows, watermark: watermark, shardCount: 1, liveInputs: 2)
    _ = s.stamp(batch(input: 0, times: [100 * Self.second]))
    s.setIdle(1, true)
    #expect(s.current == 90 * Self.second)
    var t = WatermarkStamper(windows: windows, watermark: watermark, shardCount: 1, liveInputs: 2)
    t.restore(s.state)
    // After a restart no input is idle, yet the watermark stays where it was.
    #expect(t.current == 90 * Self.second)
  }
}

@Suite struct LiveWatermarkGrowingInputsTests {
  @Test func anInputAnnouncedLaterJoinsTheMinimumAndTheOnesBetweenHoldNothingBack() {
    let windows = [WindowSpec(name: "1m", size: 60_000_000_000, every: 60_000_000_000)]
    var stamper = WatermarkStamper(
      windows: windows, watermark: WatermarkConfig(maxOutOfOrder: 0, allowedLateness: 0, idleTimeout: 0),
      shardCount: 1, liveInputs: 1)
    stamper.setIdle(0, true)
    // A partition assigned as input 4: inputs 1...3 are added idle, input 4 active without events yet.
    stamper.setIdle(4, false)
    #expect(stamper.inputMaxTimes.count == 5)
    #expect(stamper.idle == [true, true, true, true, false])
    #expect(stamper.current == Int64.min)
    stamper.setIdle(4, true)
    stamper.setIdle(2, false)
    #expect(stamper.idle == [true, true, false, true, true])
  }
}
