import AreaflowCore
import Foundation
import Testing

@testable import AreaflowRuntime

/// A followed file hands on every line once, whatever the moments it is read, stopped and resumed at.
@Suite struct FollowedFileTests {
  let reader = FileSourceTests()

  func lines(_ chunks: [LineChunk]) -> [String] {
    chunks.flatMap { String(decoding: $0.bytes, as: UTF8.self).split(separator: "\n").map(String.init) }
  }

  func append(_ bytes: [UInt8], to path: String) {
    let handle = FileHandle(forWritingAtPath: path)!
    handle.seekToEndOfFile()
    handle.write(Data(bytes))
    handle.closeFile()
  }

  /// Frames written one by one, the file read after each half-written frame, and a restart from the position
  /// after every read: the lines come out exactly once, in order, with their line numbers.
  @Test(arguments: [true, false])
  func resumesAtFrameBoundariesExactlyOnce(compressed: Bool) throws {
    let plan = try reader.plan()
    let path = reader.temporaryFile([])
    defer { try? FileManager.default.removeItem(atPath: path) }
    let all = (1...3000).map { "{\"n\":\($0)}" }
    var expected: [String] = []
    var seen: [String] = []
    var lineNumbers: [Int64] = []
    var position: InputPosition?
    for part in stride(from: 0, to: all.count, by: 250) {
      let text = all[part..<min(all.count, part + 250)].joined(separator: "\n") + "\n"
      expected += all[part..<min(all.count, part + 250)]
      let bytes = compressed ? try reader.zstd(text) : Array(text.utf8)
      // Half a frame first: nothing of it may come out yet for zstd, and a half line never does.
      let half = bytes.count / 2
      append(Array(bytes[..<half]), to: path)
      var file = try #require(
        FollowedFile(path: path, input: 0, format: .ndjson, plan: plan, batchLines: 100, position: position))
      var chunks: [LineChunk] = []
      _ = try file.pump(budget: 1 << 30) { chunks.append($0) }
      position = file.position()
      append(Array(bytes[half...]), to: path)
      // A restart between the halves.
      file = try #require(
        FollowedFile(path: path, input: 0, format: .ndjson, plan: plan, batchLines: 100, position: position))
      #expect(file.matches(position!))
      _ = try file.pump(budget: 1 << 30) { chunks.append($0) }
      position = file.position()
      seen += lines(chunks)
      lineNumbers += chunks.map(\.firstLine)
      #expect(position!.consumed == position!.resumeDecompressed || compressed)
    }
    #expect(seen == expected)
    #expect(lineNumbers.first == 1)
    #expect(position!.lines == 3000)
  }

  @Test func truncationIsNoticed() throws {
    let plan = try reader.plan()
    let path = reader.temporaryFile(Array("{\"n\":1}\n{\"n\":2}\n".utf8))
    defer { try? FileManager.default.removeItem(atPath: path) }
    let file = try #require(FollowedFile(path: path, input: 0, format: .ndjson, plan: plan, batchLines: 100))
    var chunks: [LineChunk] = []
    _ = try file.pump(budget: 1 << 30) { chunks.append($0) }
    #expect(!file.wasTruncated)
    truncate(path, 0)
    append(Array("{\"n\":3}\n".utf8), to: path)
    #expect(file.wasTruncated)
    file.restartFromBeginning()
    _ = try file.pump(budget: 1 << 30) { chunks.append($0) }
    #expect(lines(chunks) == ["{\"n\":1}", "{\"n\":2}", "{\"n\":3}"])
  }
}
