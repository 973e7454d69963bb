import AreaflowCore
import Foundation
import Testing

@testable import AreaflowParquet

/// Encode-speed benchmark, off by default because it only means something in release builds:
///
///     AREAFLOW_PARQUET_BENCH=1 swift test -c release --filter ParquetWriteBenchmark
///
/// (`AREAFLOW_PARQUET_BENCH_ROW_GROUP=N` changes the row group size from the default 65,536.)
///
/// Writes 1,000,000 rows × (4 strings, 2 timestamps, 2 int64, 6 doubles), prints the best and median
/// encode time and file size, then runs `scripts/bench-parquet.py` on the file, which has pyarrow
/// rewrite the same table with zstd and prints its time and size for comparison.
@Suite("Parquet write benchmark", .enabled(if: ProcessInfo.processInfo.environment["AREAFLOW_PARQUET_BENCH"] != nil))
struct ParquetWriteBenchmarkTests {
  static func benchmarkTable(rows: Int) -> SnapshotTable {
    var state: UInt64 = 7
    func next() -> UInt64 {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return state >> 11
    }
    let statuses = ["ok", "late", "dropped", "partial", "retry"]
    var area: [String?] = [], sensor: [String?] = [], status: [String?] = [], event: [String?] = []
    var windowStart: [Int64] = [], windowEnd: [Int64] = []
    var count: [Int64?] = [], distinct: [Int64?] = []
    var features = Array(repeating: [Double?](), count: 6)
    area.reserveCapacity(rows)
    sensor.reserveCapacity(rows)
    status.reserveCapacity(rows)
    event.reserveCapacity(rows)
    for row in 0..<rows {
      let r = next()
      area.append(r % 31 == 0 ? nil : "area-\(r % 200)")
      sensor.append("sensor-\((r >> 8) % 10_000)")
      status.append(statuses[Int((r >> 20) % 5)])
      event.append(r % 7 == 0 ? nil : "event-\(row)-\(r % 100_000)")
      let start = 1_700_000_000_000 + Int64(row / 100) * 60_000
      windowStart.append(start)
      windowEnd.append(start + 60_000)
      count.append(r % 13 == 0 ? nil : Int64((r >> 4) % 5_000))
      distinct.append(r % 17 == 0 ? nil : Int64((r >> 12) % 300))
      for f in 0..<6 {
        let x = next()
        features[f].append(x % 50 == 0 ? nil : Double(x % 1_000_000) / 997.0 - 400.0)
      }
    }
    var columns: [SnapshotTable.Column] = [
      .string(name: "area", values: area), .string(name: "sensor", values: sensor),
      .string(name: "status", values: status), .string(name: "event", values: event),
      .timestamp(name: "window_start", millis: windowStart), .timestamp(name: "window_end", millis: windowEnd),
      .int64(name: "count", values: count), .int64(name: "distinct", values: distinct),
    ]
    for f in 0..<6 { columns.append(.double(name: "feature_\(f)", values: features[f])) }
    return SnapshotTable(columns: columns, rowCount: rows)
  }

  @Test func writeOneMillionRows() throws {
    let rows = 1_000_000
    let table = Self.benchmarkTable(rows: rows)
    // AREAFLOW_PARQUET_BENCH_ROW_GROUP overrides the row group size (pyarrow's default is 1Mi rows).
    let rowGroupSize = ProcessInfo.processInfo.environment["AREAFLOW_PARQUET_BENCH_ROW_GROUP"].flatMap { Int($0) }
    let encoder = ParquetSnapshotEncoder(createdBy: "areaflow version 0.1.0", rowGroupSize: rowGroupSize ?? 65_536)
    var times: [Double] = []
    var bytes: [UInt8] = []
    let clock = ContinuousClock()
    for _ in 0..<5 {
      let elapsed = try clock.measure { bytes = try encoder.encode(table) }
      times.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }
    times.sort()
    let best = times[0]
    let median = times[times.count / 2]
    print(
      String(
        format: "areaflow ParquetWriter: %d rows × 14 columns, row groups of %d: best %.3f s, median %.3f s "
          + "(%.2f M rows/s), %d bytes",
        rows, rowGroupSize ?? 65_536, best, median, Double(rows) / best / 1e6, bytes.count))
    let directory = try ParquetTestSupport.makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = directory.appendingPathComponent("bench.parquet")
    try Data(bytes).write(to: file)
    let script = try ParquetTestSupport.packageRoot().appendingPathComponent("scripts/bench-parquet.py")
    let result = try ParquetTestSupport.runPython(script, [file.path, String(format: "%.6f", best)])
    print(result.output)
    #expect(result.status == 0, "bench-parquet.py failed:\n\(result.output)")
  }
}
