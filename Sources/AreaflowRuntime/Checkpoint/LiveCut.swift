import AreaflowCore

/// A consistent cut of a live run, taken on the intake queue between two reads: the sources' positions are the
/// ends of the chunks handed on, and the state below is what the stages made of exactly those chunks.
struct LiveCut {
  /// Where each followed file goes on after a restart.
  let positions: [InputPosition]
  /// `gtfs-rt`: the vehicle positions handed on so far (`PositionMemory.encode()`).
  let positionMemory: [UInt8]?
  /// The counters, with the current watermark and every input error so far.
  let counters: RunSummary
  /// The window state of every shard.
  let shardStates: [[UInt8]]
  let stamper: WatermarkStamper.State
  let labels: [UInt64: [String?]]
  /// Windows still open, for the metrics and the idle clock.
  let openWindows: Int
  /// The partial rows of the open windows, for the HTTP view (empty without one).
  let openTables: [(window: Int, scheme: Int, table: SnapshotTable)]
}
