import AreaflowCore
import Foundation
import Testing

@testable import AreaflowRuntime

@Suite struct FileSourceTests {
  static let text =
    (1...5000).map { "{\"n\":\($0),\"pad\":\"\(String(repeating: "p", count: $0 % 50))\"}" }
    .joined(separator: "\n") + "\n"

  func plan() throws -> FieldPlan {
    FieldPlan(
      config: try ConfigLoader(file: "c.yaml").load(
        "input: {time: ts, lat: lat, lon: lon}\nareas: [{name: g, geohash: 5}]\nwindows: [{name: w, tumbling: 1m}]\nfeatures: {n: count}\n"
      ))
  }

  func temporaryFile(_ bytes: [UInt8]) -> String {
    let path = NSTemporaryDirectory() + "areaflow-test-\(UUID().uuidString)"
    _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
    return path
  }

  func zstd(_ text: String) throws -> [UInt8] {
    let path = NSTemporaryDirectory() + "areaflow-z-\(UUID().uuidString)"
    let writer = try CompressedFileWriter(path: path, zstd: true)
    try writer.write(Array(text.utf8))
    try writer.finish()
    defer { try? FileManager.default.removeItem(atPath: path) }
    return [UInt8](FileManager.default.contents(atPath: path)!)
  }

  func gzip(_ text: String) throws -> [UInt8] { try gzip(Array(text.utf8)) }

  func gzip(_ bytes: [UInt8]) throws -> [UInt8] {
    let path = temporaryFile(bytes)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/gzip")
    process.arguments = ["-f", "-k", path]
    try process.run()
    process.waitUntilExit()
    defer { try? FileManager.default.removeItem(atPath: path + ".gz") }
    return [UInt8](FileManager.default.contents(atPath: path + ".gz")!)
  }

  /// Reads a file and returns the text delivered and the error, if any.
  func read(_ bytes: [UInt8]) throws -> (String, String?) {
    let path = temporaryFile(bytes)
    defer { try? FileManager.default.removeItem(atPath: path) }
    let source = FileSource(
      index: 0, entry: InputList.Entry(path: path, size: Int64(bytes.count)), format: .ndjson, plan: try plan(),
      batchLines: 100)
    var out: [UInt8] = []
    var expectedLine: Int64 = 1
    source.finish { chunk in
      #expect(chunk.firstLine == expectedLine)
      expectedLine += Int64(chunk.bytes.filter { $0 == 10 }.count)
      out += chunk.bytes
    }
    return (String(decoding: out, as: UTF8.self), source.errors.first)
  }

  @Test func plainGzipAndZstdReadTheSame() throws {
    #expect(try read(Array(Self.text.utf8)) == (Self.text, nil))
    #expect(try read(try gzip(Self.text)) == (Self.text, nil))
    #expect(try read(try zstd(Self.text)) == (Self.text, nil))
  }

  @Test func severalFramesAndSkippableFramesAreOneStream() throws {
    let half = Self.text.index(Self.text.startIndex, offsetBy: Self.text.count / 2)
    let skippable: [UInt8] = [0x50, 0x2A, 0x4D, 0x18, 5, 0, 0, 0, 1, 2, 3, 4, 5]
    let bytes = skippable + (try zstd(String(Self.text[..<half]))) + skippable + (try zstd(String(Self.text[half...])))
    #expect(try read(bytes) == (Self.text, nil))
  }

  @Test func truncatedZstdKeepsWhatCameBeforeAndNamesTheOffset() throws {
    let full = try zstd(Self.text + Self.text)
    let (text, error) = try read(Array(full[0..<(full.count * 2 / 3)]))
    #expect(error?.contains("truncated zstd") == true)
    #expect(error?.contains("byte offset") == true)
    #expect(text.count > 1000)
    #expect(Self.text.hasPrefix(String(text.prefix(1000))))
  }

  @Test func corruptZstdNamesFileAndOffset() throws {
    var bytes = try zstd(Self.text)
    for i in 20..<60 { bytes[i] ^= 0x5A }
    let (_, error) = try read(bytes)
    #expect(error?.contains("corrupt zstd data") == true, "\(String(describing: error))")
    #expect(error?.contains("areaflow-test-") == true)
  }

  @Test func missingInputIsAnErrorNotACrash() throws {
    let source = FileSource(
      index: 0, entry: InputList.Entry(path: "/nonexistent/x.zst", size: nil), format: .ndjson, plan: try plan(),
      batchLines: 10)
    source.finish { _ in }
    let error = source.errors.first
    #expect(error?.contains("/nonexistent/x.zst: cannot open") == true)
  }
}
