import Foundation
import Testing

@testable import AreaflowRuntime

/// `--overwrite` replaces a previous output: the directory is empty as soon as `prepareReplacing` returns, the old
/// entries are gone once its removal is waited for (with no hidden sibling left), siblings left by a process that
/// died mid-deletion go too, and what was refused before is still refused.
@Suite struct OutputDirectoryTests {
  let parent = NSTemporaryDirectory() + "areaflow-out-\(UUID().uuidString)"
  var out: String { parent + "/out" }

  func write(_ path: String, _ text: String = "x") throws {
    try FileManager.default.createDirectory(
      atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try text.write(toFile: path, atomically: false, encoding: .utf8)
  }

  func entries(_ path: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
  }

  func previousOutput() throws {
    try write(out + "/_summary.json", "{}")
    for part in 1...20 { try write(out + "/1m/gh6/part-\(part).csv", String(repeating: "row\n", count: 1000)) }
    try write(out + "/_late/part-1.jsonl")
  }

  @Test func aReplacedOutputIsEmptyAtOnceAndDeletedInTheBackground() throws {
    defer { try? FileManager.default.removeItem(atPath: parent) }
    try previousOutput()
    let removal = try OutputDirectory.prepareReplacing(out, overwrite: true)
    #expect(removal != nil)
    #expect(entries(out).isEmpty, "no old entry stays in the output")
    removal?.wait()
    #expect(entries(parent) == ["out"], "the hidden sibling is deleted: \(entries(parent))")
  }

  @Test func siblingsLeftByAnEarlierProcessAreDeletedToo() throws {
    defer { try? FileManager.default.removeItem(atPath: parent) }
    try previousOutput()
    try write(parent + "/.out.replaced-99999999/1m/gh6/part-1.csv")
    try write(parent + "/.other.replaced-1/keep.csv")
    try OutputDirectory.prepare(out, overwrite: true)
    #expect(entries(out).isEmpty)
    #expect(entries(parent) == [".other.replaced-1", "out"], "only this output's leftovers go: \(entries(parent))")
  }

  @Test func nothingToReplaceMeansNothingToWaitFor() throws {
    defer { try? FileManager.default.removeItem(atPath: parent) }
    #expect(try OutputDirectory.prepareReplacing(out, overwrite: true) == nil)
    #expect(FileManager.default.fileExists(atPath: out))
    try FileManager.default.createDirectory(atPath: out + "-empty", withIntermediateDirectories: true)
    #expect(try OutputDirectory.prepareReplacing(out + "-empty", overwrite: false) == nil)
  }

  @Test func refusalsStand() throws {
    defer { try? FileManager.default.removeItem(atPath: parent) }
    try previousOutput()
    #expect(throws: OutputDirectory.Refused.self) { try OutputDirectory.prepareReplacing(out, overwrite: false) }
    #expect(entries(out) == ["1m", "_late", "_summary.json"], "a refused output is untouched")
    try write(parent + "/notours/data.csv")
    #expect(throws: OutputDirectory.Refused.self) {
      try OutputDirectory.prepareReplacing(parent + "/notours", overwrite: true)
    }
    #expect(entries(parent + "/notours") == ["data.csv"])
  }
}
