import AreaflowCore
import Foundation
import Testing

@testable import AreaflowParquet

/// Shared fixtures and helpers for the Parquet tests.
enum ParquetTestSupport {
  /// The package root: the nearest ancestor of this file that contains `Package.swift`.
  static func packageRoot(filePath: String = #filePath) throws -> URL {
    var directory = URL(fileURLWithPath: filePath).deletingLastPathComponent()
    while directory.path != "/" {
      if FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) {
        return directory
      }
      directory = directory.deletingLastPathComponent()
    }
    throw ParquetTestError("no Package.swift above \(filePath)")
  }

  /// A fresh temporary directory; the caller removes it.
  static func makeTemporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("areaflow-parquet-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }

  /// Runs `python3 script args…` and returns its exit status and combined output.
  static func runPython(_ script: URL, _ arguments: [String]) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", script.path] + arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
  }

  /// Table equality that treats doubles bit for bit, so NaN equals NaN and -0.0 differs from 0.0
  /// (`SnapshotTable`'s own `==` says NaN != NaN).
  static func bitwiseEqual(_ a: SnapshotTable, _ b: SnapshotTable) -> Bool {
    guard a.rowCount == b.rowCount, a.columns.count == b.columns.count else { return false }
    for (x, y) in zip(a.columns, b.columns) {
      switch (x, y) {
      case (.double(let n1, let v1), .double(let n2, let v2)):
        guard n1 == n2, v1.map({ $0?.bitPattern }) == v2.map({ $0?.bitPattern }) else { return false }
      case (.string(let n1, let v1), .string(let n2, let v2)):
        // Byte equality: String == would accept canonically equivalent but different bytes.
        guard n1 == n2, v1.map({ $0.map { Array($0.utf8) } }) == v2.map({ $0.map { Array($0.utf8) } }) else {
          return false
        }
      default:
        guard x == y else { return false }
      }
    }
    return true
  }

  static let createdBy = "areaflow version 0.1.0"

  /// Every column kind with nulls, NaN, infinities, signed zeros, empty and non-ASCII strings.
  static func edgeCaseTable() -> SnapshotTable {
    let strings: [String?] = [
      "alpha", nil, "", "ünïcödé", "日本語", "emoji 🚀", "e\u{301}", "\u{E9}", "tab\tand\nnewline", "alpha", nil, "zz",
    ]
    let millis: [Int64] = [
      0, 1, -1, 1_700_000_000_000, 1_700_000_000_001, -86_400_000, 4_102_444_800_000, 1_700_000_000_000,
      946_684_800_000, 253_402_300_799_999, -62_135_596_800_000, 1_000,
    ]
    let integers: [Int64?] = [0, nil, -1, Int64.max, Int64.min, 42, nil, 7, 7, 7, 1 << 53 + 1, -123_456_789]
    let doubles: [Double?] = [
      0.0, -0.0, .nan, .infinity, -.infinity, nil, 1.5, -2.25, .leastNonzeroMagnitude, .greatestFiniteMagnitude, nil,
      3.141_592_653_589_793,
    ]
    return SnapshotTable(
      columns: [
        .string(name: "key", values: strings),
        .timestamp(name: "window_end", millis: millis),
        .int64(name: "count", values: integers),
        .double(name: "mean", values: doubles),
      ], rowCount: strings.count)
  }

  /// Columns that are entirely null (and one all-NaN), which must get no min/max statistics.
  static func allNullTable() -> SnapshotTable {
    SnapshotTable(
      columns: [
        .string(name: "s", values: [nil, nil, nil]),
        .timestamp(name: "t", millis: [5, 6, 7]),
        .int64(name: "i", values: [nil, nil, nil]),
        .double(name: "d", values: [nil, nil, nil]),
        .double(name: "nan", values: [.nan, nil, .nan]),
      ], rowCount: 3)
  }

  /// A deterministic table of `rows` rows shaped like an areaflow snapshot.
  static func snapshotLikeTable(rows: Int, seed: UInt64 = 42) -> SnapshotTable {
    var state = seed
    func next() -> UInt64 {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return state >> 11
    }
    var area: [String?] = []
    var sensor: [String?] = []
    var start: [Int64] = []
    var count: [Int64?] = []
    var mean: [Double?] = []
    for row in 0..<rows {
      let r = next()
      area.append(r % 17 == 0 ? nil : "area-\(r % 50)")
      sensor.append("sensor-\(row)-\(r % 1000)")
      start.append(1_700_000_000_000 + Int64(row) * 1000)
      count.append(r % 11 == 0 ? nil : Int64(r % 10_000))
      mean.append(r % 13 == 0 ? nil : Double(r % 100_000) / 7.0)
    }
    return SnapshotTable(
      columns: [
        .string(name: "area", values: area),
        .string(name: "sensor", values: sensor),
        .timestamp(name: "window_start", millis: start),
        .int64(name: "count", values: count),
        .double(name: "mean", values: mean),
      ], rowCount: rows)
  }
}

struct ParquetTestError: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}
