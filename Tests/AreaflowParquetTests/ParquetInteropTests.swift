import AreaflowCore
import Foundation
import Testing

@testable import AreaflowParquet

/// Writes edge-case files and has `scripts/parquet-check.py` read them with pyarrow, DuckDB and
/// polars. The script exits non-zero on any mismatch or missing module, which fails this test: an
/// environment without the readers must not look like a passing one.
@Suite("Parquet files read by pyarrow, DuckDB and polars")
struct ParquetInteropTests {
  /// One file to cross-check: the table and the writer settings it is written with.
  struct Case {
    var name: String
    var table: SnapshotTable
    var options: ParquetWriter.Options
  }

  static func cases() -> [Case] {
    let createdBy = ParquetTestSupport.createdBy
    var highCardinality: [String?] = []
    for i in 0..<500 {
      highCardinality.append(i % 9 == 0 ? nil : "unique-\(i)-\(String(repeating: "x", count: i % 40))")
    }
    return [
      Case(name: "edge_cases", table: ParquetTestSupport.edgeCaseTable(), options: .init(createdBy: createdBy)),
      Case(name: "all_null", table: ParquetTestSupport.allNullTable(), options: .init(createdBy: createdBy)),
      Case(
        name: "single_row",
        table: SnapshotTable(
          columns: [
            .string(name: "s", values: ["only"]), .timestamp(name: "t", millis: [1_700_000_000_123]),
            .int64(name: "i", values: [nil]), .double(name: "d", values: [-0.0]),
          ], rowCount: 1),
        options: .init(createdBy: createdBy)),
      Case(
        name: "many_row_groups", table: ParquetTestSupport.snapshotLikeTable(rows: 1_000),
        options: .init(createdBy: createdBy, rowGroupSize: 64, dataPageSize: 256, maxRowsPerPage: 50)),
      Case(
        name: "plain_fallback",
        table: SnapshotTable(
          columns: [
            .string(name: "id", values: highCardinality),
            .timestamp(name: "ts", millis: (0..<500).map { 1_600_000_000_000 - Int64($0) * 60_000 }),
          ], rowCount: 500),
        options: .init(createdBy: createdBy, rowGroupSize: 200, dictionaryPageSizeLimit: 64)),
      Case(
        name: "empty",
        table: SnapshotTable(
          columns: [.string(name: "s", values: []), .timestamp(name: "t", millis: []), .double(name: "d", values: [])],
          rowCount: 0),
        options: .init(createdBy: createdBy)),
      Case(
        name: "nul_bytes",
        table: SnapshotTable(
          columns: [
            .string(name: "s", values: ["a\u{0}b", "\u{0}", nil, "x", "\u{0}"]),
            .timestamp(name: "t", millis: [5, 4, 3, 2, 1]),
          ], rowCount: 5),
        options: .init(createdBy: createdBy)),
      Case(
        name: "special_names",
        table: SnapshotTable(
          columns: [
            .string(name: "with space", values: ["a", "a", "a", "a", "a", "a", "a", "a", "a", "b"]),
            .double(name: "ünï \"quoted\"", values: (0..<10).map { $0 % 3 == 0 ? nil : Double($0) }),
            .timestamp(name: "t", millis: (0..<10).map { Int64($0) }),
          ], rowCount: 10),
        options: .init(createdBy: "areaflow version 0.1.0 (build test)")),
    ]
  }

  /// The sidecar the check script compares against; see the script's docstring for the format.
  static func sidecar(_ table: SnapshotTable, options: ParquetWriter.Options) throws -> Data {
    var columns: [[String: Any]] = []
    for column in table.columns {
      let name: String
      let kind: String
      let values: [Any]
      switch column {
      case .string(let n, let v):
        (name, kind) = (n, "string")
        values = v.map { s -> Any in s.map { $0.utf8.map { String(format: "%02x", $0) }.joined() } ?? NSNull() }
      case .timestamp(let n, let v):
        (name, kind) = (n, "timestamp")
        values = v.map { String($0) }
      case .int64(let n, let v):
        (name, kind) = (n, "int64")
        values = v.map { i -> Any in i.map { String($0) } ?? NSNull() }
      case .double(let n, let v):
        (name, kind) = (n, "double")
        values = v.map { d -> Any in d.map { String($0.bitPattern) } ?? NSNull() }
      }
      columns.append(["name": name, "kind": kind, "values": values])
    }
    let spec: [String: Any] = [
      "createdBy": options.createdBy, "rowGroupSize": options.rowGroupSize, "rowCount": table.rowCount,
      "columns": columns,
    ]
    return try JSONSerialization.data(withJSONObject: spec, options: [.sortedKeys])
  }

  @Test func independentReadersAgree() throws {
    let directory = try ParquetTestSupport.makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    for testCase in Self.cases() {
      let bytes = try ParquetWriter(options: testCase.options).write(testCase.table)
      try Data(bytes).write(to: directory.appendingPathComponent("\(testCase.name).parquet"))
      try Self.sidecar(testCase.table, options: testCase.options)
        .write(to: directory.appendingPathComponent("\(testCase.name).expected.json"))
    }
    let script = try ParquetTestSupport.packageRoot().appendingPathComponent("scripts/parquet-check.py")
    let result = try ParquetTestSupport.runPython(script, [directory.path])
    #expect(result.status == 0, "parquet-check.py failed:\n\(result.output)")
  }
}
