import AreaflowCore
import Foundation
import Logging
import Testing

@testable import AreaflowRuntime

/// Recovery before a restart: the renames the checkpoint lists are rolled forward, files of a commit that never
/// reached its checkpoint are removed, and a directory that cannot be continued is refused with what to do.
@Suite struct CheckpointRecoveryTests {
  let logger = Logger(label: "test")

  func write(_ text: String, _ relative: String, in support: RuntimeTestSupport) throws {
    let path = "\(support.directory)/\(relative)"
    try FileManager.default.createDirectory(
      atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    #expect(FileManager.default.createFile(atPath: path, contents: Data(text.utf8)))
  }

  func checkpoint(_ config: PipelineConfig, pending: [(staged: String, final: String)]) -> LiveCheckpoint {
    LiveCheckpoint(
      configFingerprint: LiveCheckpoint.fingerprint(of: config), epoch: 3, shardCount: 1, partSequence: 2,
      stamper: WatermarkStamper.State(maxTime: 0, inputMaxTimes: [], floor: 0),
      summary: RunSummary(windows: config.windows.map(\.name), regionSchemes: []), labels: [:],
      shards: [WindowStore(config: config, plan: FieldPlan(config: config)).checkpoint()], inputs: [],
      pendingFiles: pending)
  }

  @Test func recoveryFinishesTheCommittedRenamesAndRemovesTheRest() throws {
    let support = try RuntimeTestSupport()
    defer { support.remove() }
    try write("committed", "1m/g/.part-000002.csv.staged", in: support)
    try write("uncommitted", "1m/g/.part-000003.csv.staged", in: support)
    try write("temporary", "5m/g/.part-000003.csv.tmp-42", in: support)
    try write("old", "1m/g/part-000001.csv", in: support)
    let saved = checkpoint(
      support.config, pending: [(staged: "1m/g/.part-000002.csv.staged", final: "1m/g/part-000002.csv")])
    try CheckpointStore.write(saved, directory: support.directory)
    let restored = try #require(
      try CheckpointRecovery.prepare(support.directory, config: support.config, reset: false, logger: logger))
    #expect(restored.epoch == 3)
    #expect(
      support.files() == [
        "1m/g/part-000001.csv", "1m/g/part-000002.csv", "_checkpoint/checkpoint.bin", "_summary.json",
      ])
    #expect(support.text("1m/g/part-000002.csv") == "committed")
  }

  @Test func aCheckpointOfAnotherConfigIsRefusedWithWhatToDo() throws {
    let support = try RuntimeTestSupport()
    defer { support.remove() }
    try CheckpointStore.write(checkpoint(support.config, pending: []), directory: support.directory)
    try write("{}", "_summary.json", in: support)
    let other = try ConfigLoader(file: "c.yaml").load(
      RuntimeTestSupport.configText.replacingOccurrences(of: "geohash: 5", with: "geohash: 6"))
    #expect {
      _ = try CheckpointRecovery.prepare(support.directory, config: other, reset: false, logger: logger)
    } throws: { error in
      "\(error)".contains("different config") && "\(error)".contains("--reset")
    }
    // --reset starts over with an empty directory.
    #expect(try CheckpointRecovery.prepare(support.directory, config: other, reset: true, logger: logger) == nil)
    #expect(support.files().isEmpty)
  }

  @Test func filesWithoutACheckpointAreSomeoneElsesOutput() throws {
    let support = try RuntimeTestSupport()
    defer { support.remove() }
    try write("a,b\n", "notes.csv", in: support)
    #expect {
      _ = try CheckpointRecovery.prepare(support.directory, config: support.config, reset: false, logger: logger)
    } throws: { error in
      "\(error)".contains("no checkpoint") && "\(error)".contains("--reset")
    }
    #expect(support.files() == ["notes.csv"])
  }
}
