/// `privacy` as the window store applies it when a window's groups become rows (SPEC section 8).
struct DisclosureRule {
  /// Distinct contributors a group needs to be published.
  let k: Int
  /// Parent levels a small group's events are rolled up through (0: suppressed only).
  let rollUpLevels: Int
  /// Counts and distinct counts are rounded to the nearest multiple of this (1: as they are).
  let roundCounts: Int64
  /// The hidden exact counter of contributors, one of the store's accumulators (after the features').
  let contributors: DistinctAccumulator

  init?(config: PipelineConfig, contributors: DistinctAccumulator?) {
    guard let privacy = config.privacy, let contributors else { return nil }
    k = privacy.k
    rollUpLevels = privacy.smallGroups == .roll_up ? privacy.rollUpLevels : 0
    roundCounts = Int64(privacy.roundCounts)
    self.contributors = contributors
  }

  /// Whether the group in `slot` has at least `k` distinct contributors. A counter that has left its exact mode
  /// holds more than 256 ≥ k values, so the test is always on an exact count.
  @inline(__always)
  func reaches(_ k: Int, slot: Int32) -> Bool {
    contributors.reaches(k, slot: slot)
  }

  /// Whether the group in `slot` may be published.
  @inline(__always)
  func isPublishable(_ slot: Int32) -> Bool { reaches(k, slot: slot) }

  /// `value` rounded half up to the nearest multiple of `roundCounts` (ONS practice: 5).
  @inline(__always)
  func rounded(_ value: Int64) -> Int64 {
    guard roundCounts > 1 else { return value }
    return (value + roundCounts / 2) / roundCounts * roundCounts
  }
}
