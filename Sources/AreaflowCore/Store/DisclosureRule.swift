/// `privacy` as the window store applies it when a window's groups become rows (SPEC section 8).
struct DisclosureRule {
  /// Distinct contributors a group needs to be published.
  let k: Int
  /// Parent levels a small group's events are rolled up through (0: suppressed only).
  let rollUpLevels: Int
  /// Counts and distinct counts are rounded to the nearest multiple of this (1: as they are).
  let roundCounts: Int64
  /// The index in the store's accumulators of the hidden exact counter of contributors.
  let contributors: Int

  init?(config: PipelineConfig, contributorsAccumulator index: Int) {
    guard let privacy = config.privacy, privacy.contributorField != nil else { return nil }
    k = privacy.k
    rollUpLevels = privacy.smallGroups == .roll_up ? privacy.rollUpLevels : 0
    roundCounts = Int64(privacy.roundCounts)
    contributors = index
  }

  /// Whether a group with this contributor counter may be published. A counter that has left its exact mode holds
  /// more than 256 ≥ k values, so the test is always on an exact count.
  @inline(__always)
  func isPublishable(_ counter: DistinctCounter) -> Bool {
    counter.isEstimating || counter.exactCount >= k
  }

  /// `value` rounded half up to the nearest multiple of `roundCounts` (ONS practice: 5).
  @inline(__always)
  func rounded(_ value: Int64) -> Int64 {
    guard roundCounts > 1 else { return value }
    return (value + roundCounts / 2) / roundCounts * roundCounts
  }
}
