import AreaflowCore

/// What every GTFS-Realtime input of one run shares: the positions already handed on (so a position seen again, in a
/// later snapshot of the same feed or in another input, is not counted twice) and the counters for `gtfs_rt` in the
/// summary. `run` checkpoints both and restores them at a restart.
///
/// Used only from the driver's intake queue, where every source reads and decodes.
final class FeedState {
  var memory: PositionMemory
  var summary: FeedSummary

  init(memory: PositionMemory = PositionMemory(), summary: FeedSummary = FeedSummary()) {
    self.memory = memory
    self.summary = summary
  }
}
