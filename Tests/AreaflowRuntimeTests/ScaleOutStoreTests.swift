import AreaflowCore
import Foundation
import Testing

@testable import AreaflowRuntime

/// The shared directory of scale-out: one commit per epoch whoever tries (the fence against a zombie instance), and
/// recovery that finishes the newest epoch's renames and removes only its own partition's staged files.
@Suite struct ScaleOutStoreTests {
  func checkpoint(_ support: RuntimeTestSupport, epoch: Int, owner: String, pending: [(String, String)] = [])
    -> PartitionCheckpoint
  {
    PartitionCheckpoint(
      fingerprint: "f", epoch: epoch, owner: owner, partSequence: epoch,
      summary: RunSummary(windows: support.config.windows.map(\.name), regionSchemes: []),
      pendingFiles: pending.map { (staged: $0.0, final: $0.1) }, aggregate: [1, 2, 3])
  }

  @Test func onlyOneInstanceCommitsAnEpoch() throws {
    let support = try RuntimeTestSupport()
    defer { support.remove() }
    let a = ScaleOutStore(directory: support.directory, instance: "a")
    let b = ScaleOutStore(directory: support.directory, instance: "b")
    #expect(try a.commit(checkpoint(support, epoch: 1, owner: "a"), partition: 3))
    #expect(try !b.commit(checkpoint(support, epoch: 1, owner: "b"), partition: 3))
    #expect(try b.commit(checkpoint(support, epoch: 2, owner: "b"), partition: 3))
    #expect(try !a.commit(checkpoint(support, epoch: 2, owner: "a"), partition: 3))
    // Another partition has epochs of its own.
    #expect(try a.commit(checkpoint(support, epoch: 1, owner: "a"), partition: 4))
    let newest = try #require(try a.recover(3, fingerprint: "f"))
    #expect(newest.epoch == 2 && newest.owner == "b")
    for epoch in 3...6 { #expect(try b.commit(checkpoint(support, epoch: epoch, owner: "b"), partition: 3)) }
    #expect(b.epochs(3) == [4, 5, 6])
  }

  @Test func recoveryRollsTheNewestEpochForwardAndRemovesOnlyItsStagedFiles() throws {
    let support = try RuntimeTestSupport()
    defer { support.remove() }
    let store = ScaleOutStore(directory: support.directory, instance: "a")
    let dir = support.directory
    try FileManager.default.createDirectory(atPath: "\(dir)/1m/gh5", withIntermediateDirectories: true)
    for name in [
      ".part-r03-000001.csv.a.staged", ".part-r03-000002.csv.a.staged", ".part-r03-000002.csv.b.staged",
      ".part-r03-000003.csv.c.staged", ".part-r04-000001.csv.a.staged", "..part-r03-000001.csv.b.staged.tmp-9",
    ] {
      #expect(FileManager.default.createFile(atPath: "\(dir)/1m/gh5/\(name)", contents: Data("x\n".utf8)))
    }
    // c's staged file was abandoned long ago; b's is fresh (b may still be committing it).
    try FileManager.default.setAttributes(
      [.modificationDate: Date(timeIntervalSinceNow: -3600)],
      ofItemAtPath: "\(dir)/1m/gh5/.part-r03-000003.csv.c.staged")
    let listed = checkpoint(
      support, epoch: 1, owner: "a", pending: [("1m/gh5/.part-r03-000001.csv.a.staged", "1m/gh5/part-r03-000001.csv")])
    #expect(try store.commit(listed, partition: 3))
    // A killed instance's epoch temporary at or below the newest epoch, and b's fresh one above it.
    #expect(FileManager.default.createFile(atPath: "\(dir)/_checkpoint/r03/..epoch-1.b.9.pending.tmp-9", contents: nil))
    #expect(FileManager.default.createFile(atPath: "\(dir)/_checkpoint/r03/.epoch-2.b.9.pending", contents: nil))
    #expect(try store.recover(3, fingerprint: "f")?.epoch == 1)
    let left = try FileManager.default.contentsOfDirectory(atPath: "\(dir)/1m/gh5").sorted()
    // Epoch 1 has part sequence 1: b's part 1 lost; b's part 2 may still be committed by b, c's is abandoned.
    #expect(left == [".part-r03-000002.csv.b.staged", ".part-r04-000001.csv.a.staged", "part-r03-000001.csv"])
    let state = try FileManager.default.contentsOfDirectory(atPath: "\(dir)/_checkpoint/r03").sorted()
    #expect(state == [".epoch-2.b.9.pending", "epoch-00000001.bin", "summary.bin"])
    #expect(throws: ScaleOutStore.Unusable.self) { try store.recover(3, fingerprint: "another config") }
  }

  @Test func intakePositionsAreKeptPerPartitionAndConfig() throws {
    let support = try RuntimeTestSupport()
    defer { support.remove() }
    let store = ScaleOutStore(directory: support.directory, instance: "a")
    #expect(try store.loadIntake(2, fingerprint: "f") == nil)
    let position = IntakePosition(partition: 2, offset: 41, lines: 40, maxTime: 1_000)
    try store.saveIntake(position, fingerprint: "f")
    #expect(try store.loadIntake(2, fingerprint: "f") == position)
    #expect(throws: ScaleOutStore.Unusable.self) { try store.loadIntake(2, fingerprint: "g") }
  }
}
