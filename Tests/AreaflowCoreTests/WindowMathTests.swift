import AreaflowGenerate
import Testing

@testable import AreaflowCore

/// `WindowMath.lateBefore` must say "late" for exactly the events the per-event definition does: some window of the
/// name holding the event is below the first open one.
@Suite struct WindowMathTests {
  static let minute: Int64 = 60_000_000_000

  /// Tumbling and hopping windows of minutes and seconds, and the one-nanosecond extreme.
  static let specs = [
    WindowSpec(name: "1m", size: minute, every: minute),
    WindowSpec(name: "15m", size: 15 * minute, every: 5 * minute),
    WindowSpec(name: "7s", size: 7_000_000_000, every: 3_000_000_000),
    WindowSpec(name: "1ns", size: 1, every: 1),
  ]

  func lateByDefinition(_ t: Int64, _ w: Int64, _ spec: WindowSpec, _ lateness: Int64) -> Bool {
    WindowMath.windowIndices(t, spec).lowerBound < WindowMath.firstOpenIndex(watermark: w, spec, lateness: lateness)
  }

  @Test func thresholdAgreesWithTheDefinition() {
    var random = SeededRandom(seed: 41)
    for spec in Self.specs {
      for _ in 0..<20_000 {
        let base = Int64(random.below(1_000_000)) * 1_000_000_000 - 500_000_000_000_000
        let w = base + Int64(random.below(Int(3 * spec.size + 1)))
        let t = base + Int64(random.below(Int(6 * spec.size + 1))) - 2 * spec.size
        let lateness = [0, 1, spec.every, 30_000_000_000][random.below(4)]
        let below = WindowMath.lateBefore(watermark: w, spec, lateness: lateness)
        #expect(below != nil)
        #expect((t < below!) == lateByDefinition(t, w, spec, lateness), "t \(t) w \(w) \(spec.name)")
        // Just below and at the threshold itself.
        #expect(lateByDefinition(below! - 1, w, spec, lateness))
        #expect(!lateByDefinition(below!, w, spec, lateness))
      }
    }
  }

  @Test func noWatermarkMeansNothingLate() {
    let spec = WindowSpec(name: "1m", size: Self.minute, every: Self.minute)
    #expect(WindowMath.lateBefore(watermark: Int64.min, spec, lateness: 0) == Int64.min)
  }

  @Test func unrepresentableThresholdIsNil() {
    let spec = WindowSpec(name: "1m", size: Self.minute, every: Self.minute)
    // The threshold never exceeds the watermark, but near the lowest time it can fall below what an Int64 holds.
    #expect(WindowMath.lateBefore(watermark: Int64.min + Self.minute, spec, lateness: 0) == nil)
    #expect(WindowMath.lateBefore(watermark: Int64.max, spec, lateness: 0) != nil)
  }

  /// The first open window (and so the late threshold) is the same for every watermark from `w` up to
  /// `openIndexChange(after: w)`, and differs at it: the stamper may keep its thresholds over that range.
  @Test func openIndexHoldsUntilTheChangePoint() {
    var random = SeededRandom(seed: 43)
    for spec in Self.specs {
      for _ in 0..<20_000 {
        let base = Int64(random.below(1_000_000)) * 1_000_000_000 - 500_000_000_000_000
        let w = base + Int64(random.below(Int(3 * spec.size + 1)))
        let lateness = [0, 1, spec.every, 30_000_000_000][random.below(4)]
        let open = WindowMath.firstOpenIndex(watermark: w, spec, lateness: lateness)
        let change = WindowMath.openIndexChange(after: w, spec, lateness: lateness)
        #expect(change > w)
        #expect(WindowMath.firstOpenIndex(watermark: change - 1, spec, lateness: lateness) == open)
        #expect(WindowMath.firstOpenIndex(watermark: change, spec, lateness: lateness) != open)
        let inside = w + Int64(random.below(Int(change - w)))
        #expect(WindowMath.firstOpenIndex(watermark: inside, spec, lateness: lateness) == open)
        #expect(
          WindowMath.lateBefore(watermark: inside, spec, lateness: lateness)
            == WindowMath.lateBefore(watermark: w, spec, lateness: lateness))
      }
    }
  }

  @Test func changePointAtTheEdgesOfTheRange() {
    let spec = WindowSpec(name: "1m", size: Self.minute, every: Self.minute)
    // No watermark yet, or one so low that the index is not representable: any step may change it.
    #expect(WindowMath.openIndexChange(after: Int64.min, spec, lateness: 0) == Int64.min + 1)
    #expect(WindowMath.openIndexChange(after: Int64.min + 5, spec, lateness: 0) == Int64.min + 6)
    // Near the top the next change point is past Int64.max: the index holds for every larger watermark.
    #expect(WindowMath.openIndexChange(after: Int64.max - 1, spec, lateness: 0) == Int64.max)
  }

  @Test func panesOnlyWhereTheOneSliceWindowsTumble() {
    func spec(_ size: Int64, _ every: Int64) -> WindowSpec {
      WindowSpec(name: "w", size: size * Self.minute, every: every * Self.minute)
    }
    // 1 minute beside 15 minutes every 5: panes of 5 minutes.
    #expect(WindowMath.paneLength([spec(1, 1), spec(15, 5)]) == 5 * Self.minute)
    // 15 minutes beside 1 hour: the hour is one pane.
    #expect(WindowMath.paneLength([spec(15, 15), spec(60, 60)]) == 60 * Self.minute)
    // 1 minute, 5 minutes and 15 every 5: panes of 5 minutes, the 5-minute window one of them.
    #expect(WindowMath.paneLength([spec(1, 1), spec(5, 5), spec(15, 5)]) == 5 * Self.minute)
    // A longer window that slides by one slice reads slices: no panes.
    #expect(WindowMath.paneLength([spec(1, 1), spec(5, 1)]) == nil)
    #expect(WindowMath.paneLength([spec(1, 1), spec(5, 1), spec(15, 5)]) == nil)
    // No window one slice long, or only one window: no panes.
    #expect(WindowMath.paneLength([spec(4, 2), spec(6, 6)]) == nil)
    #expect(WindowMath.paneLength([spec(15, 5)]) == nil)
    #expect(WindowMath.paneLength([spec(1, 1)]) == nil)
    // The order of the windows and repeated windows change nothing.
    #expect(WindowMath.paneLength([spec(15, 5), spec(1, 1)]) == 5 * Self.minute)
    #expect(WindowMath.paneLength([spec(1, 1), spec(15, 5), spec(1, 1), spec(15, 5)]) == 5 * Self.minute)
    // A one-slice window that hops (a gap between windows; configs refuse it, a store made in code does not).
    #expect(WindowMath.paneLength([spec(1, 2), spec(10, 10)]) == nil)
    // Longer windows with no common length above a slice: 2 and 3 minutes beside 1 minute.
    #expect(WindowMath.paneLength([spec(1, 1), spec(2, 2), spec(3, 3)]) == nil)
  }
}
