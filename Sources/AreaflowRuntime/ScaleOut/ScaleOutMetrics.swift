import Metrics

/// The scale-out gauges and counters `/metrics` shows beside `run`'s: the partitions of each stage held here, rows
/// written and failed commits.
final class ScaleOutMetrics: Sendable {
  let intakePartitions = Gauge(label: "areaflow_scale_out_intake_partitions")
  let aggregatePartitions = Gauge(label: "areaflow_scale_out_aggregate_partitions")
  let rowsWritten = Counter(label: "areaflow_rows_written_total")
  let commitFailures = Counter(label: "areaflow_commit_failures_total")
}
