import AreaflowCore
import Foundation
import Testing

@testable import AreaflowRuntime

/// The one decode-and-frame step: the same lines whatever the read sizes, and a cut a restart goes on from exactly.
@Suite struct InputFramerTests {
  let support = FileSourceTests()

  func framed(_ bytes: [UInt8], readSize: Int, resume: InputPosition? = nil) throws -> (String, InputFramer) {
    let framer = InputFramer(input: 0, inputName: "x", format: .ndjson, plan: try support.plan(), batchLines: 7)
    var start = 0
    if let resume {
      framer.resume(from: resume)
      start = Int(resume.resumeOffset)
    }
    var out: [UInt8] = []
    var i = start
    while i < bytes.count {
      let end = min(bytes.count, i + readSize)
      try bytes[i..<end].withUnsafeBytes { try framer.process($0) { out += $0.bytes } }
      i = end
    }
    try framer.finish { out += $0.bytes }
    return (String(decoding: out, as: UTF8.self), framer)
  }

  @Test(arguments: [1, 3, 100, 4096, 1 << 20])
  func readSizesDoNotChangeTheLines(readSize: Int) throws {
    let text = FileSourceTests.text
    #expect(try framed(Array(text.utf8), readSize: readSize).0 == text)
    #expect(try framed(try support.zstd(text), readSize: readSize).0 == text)
    #expect(try framed(try support.gzip(text), readSize: readSize).0 == text)
  }

  /// A stream shorter than a magic number, cut off (a client that hangs up): its bytes are still handed on.
  @Test func aTinyStreamIsNotLost() throws {
    let framer = InputFramer(input: 0, inputName: "x", format: .ndjson, plan: try support.plan(), batchLines: 7)
    var out: [UInt8] = []
    try Array("{}\n".utf8).withUnsafeBytes { try framer.process($0) { out += $0.bytes } }
    #expect(out.isEmpty)
    framer.salvage { out += $0.bytes }
    #expect(out == Array("{}\n".utf8))
  }

  /// A cut taken after part of a zstd stream of many frames resumes on a frame boundary and hands on exactly the
  /// lines after the cut.
  @Test func aCutResumesExactly() throws {
    let lines = FileSourceTests.text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
    var bytes: [UInt8] = []
    for part in stride(from: 0, to: lines.count, by: 400) {
      bytes += try support.zstd(lines[part..<min(lines.count, part + 400)].joined(separator: "\n") + "\n")
    }
    let framer = InputFramer(input: 0, inputName: "x", format: .ndjson, plan: try support.plan(), batchLines: 7)
    var before: [UInt8] = []
    let half = bytes.count / 2
    try bytes[0..<half].withUnsafeBytes { try framer.process($0) { before += $0.bytes } }
    let cut = framer.cut()
    #expect(cut.consumed == Int64(before.count))
    #expect(cut.resumeOffset > 0 && cut.resumeOffset <= Int64(half))
    let position = InputPosition(
      input: 0, path: "x", device: 0, inode: 0, fingerprintLength: 0, fingerprint: 0, resumeOffset: cut.resumeOffset,
      resumeDecompressed: cut.resumeDecompressed, consumed: cut.consumed, lines: cut.lines, csvColumns: nil)
    let (after, _) = try framed(bytes, readSize: 999, resume: position)
    #expect(String(decoding: before, as: UTF8.self) + after == FileSourceTests.text)
  }
}
