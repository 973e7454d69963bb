import AreaflowCore
import Metrics

/// The counters and gauges of SPEC section 6 `/metrics`, kept with swift-metrics: whichever backend the process
/// bootstraps (Prometheus for `run --http`) exposes them; without one they cost next to nothing.
final class LiveMetrics: Sendable {
  let events = Counter(label: "areaflow_events_total")
  let lines = Counter(label: "areaflow_lines_read_total")
  let rejected: [Counter]
  let late: [Counter]
  let rowsWritten = Counter(label: "areaflow_rows_written_total")
  let watermarkLag = Gauge(label: "areaflow_watermark_lag_seconds")
  let watermark = Gauge(label: "areaflow_watermark_seconds")
  let openWindows = Gauge(label: "areaflow_open_windows")
  let queueDepth = Gauge(label: "areaflow_queue_depth")
  let flushDuration = Metrics.Timer(label: "areaflow_flush_duration_seconds", preferredDisplayUnit: .seconds)
  let flushes = Counter(label: "areaflow_flushes_total")
  let commitFailures = Counter(label: "areaflow_commit_failures_total")

  init(windows: [String]) {
    rejected = RejectReason.allCases.map {
      Counter(label: "areaflow_rejected_total", dimensions: [("reason", $0.name)])
    }
    late = windows.map { Counter(label: "areaflow_late_events_total", dimensions: [("window", $0)]) }
  }

  /// Called by the sequencer for every batch.
  func record(batch: EventBatch, lateCounts: [Int]) {
    events.increment(by: batch.count)
    lines.increment(by: batch.lineCount)
    for reject in batch.rejects { rejected[reject.reason.rawValue].increment() }
    for (w, n) in lateCounts.enumerated() where n > 0 { late[w].increment(by: n) }
  }
}
