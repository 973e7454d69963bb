import AreaflowCore
import Foundation
import Testing

@testable import AreaflowRuntime

/// The stages on their own, fed chunks directly: the rows and counters do not depend on the shard count or on how
/// the lines are cut into chunks, and they equal an exact count of the events.
@Suite struct PipelineStagesTests {
  /// Runs `text` through fresh stages in chunks of `linesPerChunk` lines, closes every window and commits.
  func replay(_ text: String, threads: Int, linesPerChunk: Int, support: RuntimeTestSupport) throws -> RunSummary {
    let stages = PipelineStages(
      config: support.config, schemes: support.schemes, encoder: CSVSnapshotEncoder(),
      outputDirectory: support.directory, threads: threads, maxInFlight: 4, rowsPerCommit: 1_000_000)
    let lines = text.split(separator: "\n").map { $0 + "\n" }
    for start in stride(from: 0, to: lines.count, by: linesPerChunk) {
      let bytes = Array(lines[start..<min(lines.count, start + linesPerChunk)].joined().utf8)
      stages.submit(LineChunk(input: 0, inputName: "t", bytes: bytes, firstLine: Int64(start + 1)))
    }
    stages.drain()
    stages.closeAll()
    return stages.sinkQueue.sync {
      stages.sink.add(rejects: [], late: [], counters: stages.currentCounters())
      stages.sink.commit()
      #expect(stages.sink.failure == nil)
      return stages.sink.summary
    }
  }

  /// (window start, route, n) of every row of `relative`, sorted.
  func rows(_ relative: String, support: RuntimeTestSupport) -> [String] {
    let lines = support.text(relative).split(separator: "\n").map(String.init)
    guard let header = lines.first?.split(separator: ",").map(String.init) else { return [] }
    let start = header.firstIndex(of: "window_start")!
    let route = header.firstIndex(of: "route")!
    let n = header.firstIndex(of: "n")!
    return lines.dropFirst().map { line in
      let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
      return "\(f[start]) \(f[route]) \(f[n])"
    }.sorted()
  }

  @Test(arguments: [(1, 1), (2, 7), (2, 1000), (3, 64)])
  func rowsEqualAnExactCount(threads: Int, linesPerChunk: Int) throws {
    let support = try RuntimeTestSupport()
    defer { support.remove() }
    let summary = try replay(
      RuntimeTestSupport.lines(300), threads: threads, linesPerChunk: linesPerChunk, support: support)
    #expect(summary.eventsAccepted == 300)
    #expect(summary.linesRead == 300)
    #expect(support.files().contains("_summary.json"))
    // One event a second from 08:00:00, routes alternating: 30 per route and minute, 150 per route in 5 minutes.
    var expected: [String] = []
    for minute in 0..<5 {
      for route in ["R0", "R1"] { expected.append("2026-03-02T08:0\(minute):00.000Z \(route) 30") }
    }
    #expect(rows("1m/g/part-000001.csv", support: support) == expected.sorted())
    #expect(
      rows("5m/g/part-000001.csv", support: support) == [
        "2026-03-02T08:00:00.000Z R0 150", "2026-03-02T08:00:00.000Z R1 150",
      ]
    )
  }
}
