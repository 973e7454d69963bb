import Testing

@testable import AreaflowCore

@Suite struct LineFramerTests {
  func plan() throws -> FieldPlan {
    let config = try ConfigLoader(file: "c.yaml").load(
      "input: {format: csv, time: ts, lat: lat, lon: lon}\nareas: [{name: g, geohash: 5}]\nwindows: [{name: w, tumbling: 1m}]\nfeatures: {n: count}\n"
    )
    return FieldPlan(config: config)
  }

  /// Frames `text` fed in pieces of `piece` bytes; returns every chunk.
  func frame(_ text: String, format: InputConfig.Format, maxLines: Int, piece: Int) throws -> [LineChunk] {
    var framer = LineFramer(
      input: 0, inputName: "x", format: format, plan: try plan(), maxLines: maxLines, maxBytes: 64)
    var chunks: [LineChunk] = []
    let bytes = Array(text.utf8)
    var offset = 0
    while offset < bytes.count {
      let end = min(bytes.count, offset + piece)
      chunks += try bytes[offset..<end].withUnsafeBytes { try framer.push($0) }
      offset = end
    }
    chunks += try framer.finish()
    return chunks
  }

  // Pieces larger than a chunk, smaller and about equal: chunks are then copied out, moved out with the rest
  // copied, or both within one push.
  @Test(arguments: [(1, 1), (2, 3), (1000, 7), (3, 1000), (5, 200), (40, 64), (2, 5000), (7, 61)])
  func linesAndNumbersSurviveAnyChunking(maxLines: Int, piece: Int) throws {
    let lines = (1...50).map { "line \($0) " + String(repeating: "x", count: $0 % 13) }
    let text = lines.joined(separator: "\n")  // no final newline: the last line still counts
    let chunks = try frame(text, format: .ndjson, maxLines: maxLines, piece: piece)
    var seen: [String] = []
    var nextLine: Int64 = 1
    for chunk in chunks {
      #expect(chunk.firstLine == nextLine)
      let parts = String(decoding: chunk.bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
      let chunkLines = parts.last == "" ? parts.dropLast() : parts[...]
      #expect(chunkLines.count <= maxLines)
      seen += chunkLines.map(String.init)
      nextLine += Int64(chunkLines.count)
    }
    #expect(seen == lines)
  }

  @Test func csvHeaderIsReadAndQuotedNewlinesStayInTheirRecord() throws {
    let text = "ts,lat,lon\n1,\"2\n3\",4\n5,6,7\n"
    let chunks = try frame(text, format: .csv, maxLines: 1, piece: 2)
    #expect(chunks.count == 2)
    #expect(chunks[0].firstLine == 2)
    #expect(String(decoding: chunks[0].bytes, as: UTF8.self) == "1,\"2\n3\",4\n")
    #expect(chunks[1].firstLine == 4)
    #expect(chunks[0].csvColumns == [0, 1, 2])
  }

  @Test func csvHeaderAfterAByteOrderMarkIsRead() throws {
    let chunks = try frame("\u{FEFF}ts,lat,lon\n1,2,3\n", format: .csv, maxLines: 10, piece: 3)
    #expect(chunks.count == 1)
    #expect(chunks[0].csvColumns == [0, 1, 2])
  }

  @Test func csvHeaderWithoutTheTimeFieldIsAnError() throws {
    #expect(throws: LineFramer.HeaderError.self) {
      _ = try frame("when,lat,lon\n1,2,3\n", format: .csv, maxLines: 10, piece: 100)
    }
  }
}
