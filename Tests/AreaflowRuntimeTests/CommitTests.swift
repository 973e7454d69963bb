import AreaflowCore
import Dispatch
import Foundation
import Logging
import Testing

@testable import AreaflowRuntime

/// The commit step on its own: a failed commit leaves no listed file behind and keeps its rows, in replay and in
/// `run`, and the next commit after the fault is fixed writes them all.
@Suite struct CommitTests {
  /// Stages holding the closed rows of 300 events (five 1m rows and one 5m row per route), nothing committed yet.
  func stagesWithRows(_ support: RuntimeTestSupport, staging: Bool) -> PipelineStages {
    let stages = PipelineStages(
      config: support.config, schemes: support.schemes, encoder: CSVSnapshotEncoder(),
      outputDirectory: support.directory, threads: 2, maxInFlight: 4, rowsPerCommit: 1_000_000,
      liveInputs: staging ? 1 : 0, staging: staging)
    stages.submit(LineChunk(input: 0, inputName: "t", bytes: Array(RuntimeTestSupport.lines(300).utf8), firstLine: 1))
    stages.drain()
    stages.closeAll()
    return stages
  }

  /// A file where the 5m folder must go: the 1m table is written first, then the 5m one fails.
  func block5m(_ support: RuntimeTestSupport) {
    #expect(FileManager.default.createFile(atPath: "\(support.directory)/5m", contents: Data("x".utf8)))
  }

  func unblock5m(_ support: RuntimeTestSupport) {
    try? FileManager.default.removeItem(atPath: "\(support.directory)/5m")
  }

  @Test func aFailedReplayCommitLeavesNoFileAndKeepsItsRows() throws {
    let support = try RuntimeTestSupport()
    defer { support.remove() }
    let stages = stagesWithRows(support, staging: false)
    block5m(support)
    stages.sinkQueue.sync {
      let rows = stages.sink.bufferedRows
      #expect(rows == 12)
      stages.sink.commit()
      #expect(stages.sink.failure != nil)
      #expect(stages.sink.summary.files.isEmpty)
      #expect(stages.sink.summary.rowsWritten == 0)
      #expect(stages.sink.bufferedRows == rows)
    }
    // Only the obstacle: the 1m part written before the failure is gone.
    #expect(support.files() == ["5m"])
  }

  @Test func aFailedLiveCommitKeepsItsStateAndTheNextOneWritesEverything() throws {
    let support = try RuntimeTestSupport()
    defer { support.remove() }
    let stages = stagesWithRows(support, staging: true)
    let queue = DispatchQueue(label: "test.intake")
    let commit = LiveCommit(
      stages: stages, config: support.config, directory: support.directory, epoch: 0, keepsOpenTables: false,
      pauseMilliseconds: 0, queue: queue, logger: Logger(label: "test"))
    let position = InputPosition(
      input: 0, path: "t", device: 1, inode: 2, fingerprintLength: 3, fingerprint: 4, resumeOffset: 5,
      resumeDecompressed: 5, consumed: 9, lines: 300, csvColumns: nil)
    block5m(support)
    let failed = queue.sync { commit.commit(commit.cut(positions: [position], inputErrors: [])) }
    guard case .failure(let failure) = failed else {
      Issue.record("the commit should fail")
      return
    }
    #expect(failure.description.contains("5m"))
    #expect(commit.epoch == 0)
    #expect(support.files() == ["5m"], "no staged, published or checkpoint file may remain")
    unblock5m(support)
    let done = queue.sync { commit.commit(commit.cut(positions: [position], inputErrors: ["t: an error"])) }
    guard case .success(let committed) = done else {
      Issue.record("the commit should succeed: \(done)")
      return
    }
    #expect(committed.epoch == 1 && commit.epoch == 1)
    #expect(committed.rows == 12)
    #expect(
      support.files() == [
        "1m/g/part-000001.csv", "5m/g/part-000001.csv", "_checkpoint/checkpoint.bin", "_summary.json",
      ])
    let checkpoint = try #require(try CheckpointStore.load(directory: support.directory))
    #expect(checkpoint.epoch == 1)
    #expect(checkpoint.inputs == [position])
    #expect(checkpoint.summary.eventsAccepted == 300)
    #expect(checkpoint.summary.inputErrors == ["t: an error"])
    #expect(checkpoint.configFingerprint == LiveCheckpoint.fingerprint(of: support.config))
  }
}
