import Testing

@testable import AreaflowCore

@Suite struct BatchDecoderTests {
  func decode(_ text: String, csv: Bool = false, configExtra: String = "") throws -> EventBatch {
    let config = try ConfigLoader(file: "c.yaml").load(
      """
      input:
        format: \(csv ? "csv" : "ndjson")
        time: ts
        lat: lat
        lon: lon
        dimensions: [route]
      areas: [{name: g, geohash: 5}]
      windows: [{name: w, tumbling: 1m}]
      features:
        n: count
        s: {sum: v}
        d: {distinct: id}
      """)
    let decoder = BatchDecoder(config: config, schemes: [GeohashScheme(name: "g", precision: 5)])
    var framer = LineFramer(input: 0, inputName: "in", format: config.input.format, plan: decoder.plan, maxLines: 1000)
    let bytes = Array(text.utf8)
    var chunks = bytes.withUnsafeBytes { try! framer.push($0) }
    chunks += try framer.finish()
    #expect(chunks.count <= 1)
    return decoder.decode(chunks.first ?? LineChunk(input: 0, inputName: "in", bytes: [], firstLine: 1))
  }

  @Test func rejectReasonsFollowPrecedence() throws {
    let lines = [
      #"{"ts":"2026-03-02T08:00:00Z","lat":52.5,"lon":13.4,"v":1}"#,  // ok
      #"{"ts":"2026-03-02T08:00:00Z","lat":52.5,"lon":13.4"#,  // malformed: truncated
      #"["ts"]"#,  // malformed: not an object
      #"{"ts":"nope","lat":95,"lon":13.4}"#,  // bad_time wins over bad_coordinates
      #"{"lat":52.5,"lon":13.4}"#,  // bad_time: missing
      #"{"ts":"2026-03-02T08:00:00Z","lat":95,"lon":13.4}"#,  // bad_coordinates: range
      #"{"ts":"2026-03-02T08:00:00Z","lon":13.4}"#,  // bad_coordinates: missing
      #"{"ts":"2026-03-02T08:00:00Z","lat":"x","lon":13.4}"#,  // bad_coordinates: not a number
      "   ",  // empty: skipped
      #"{"ts":1772438400,"lat":"52.5","lon":13.4,"v":"2.5","extra":{"a":[1,{"b":"}"}]}}"#,  // ok
      #"{"ts":1772438400,"lat":52.5,"lon":13.4} trailing"#,  // malformed
    ]
    let batch = try decode(lines.joined(separator: "\n"))
    #expect(batch.count == 2)
    #expect(batch.emptyLines == 1)
    #expect(batch.lineCount == lines.count)
    #expect(
      batch.rejects.map(\.reason) == [
        .malformed, .malformed, .bad_time, .bad_time, .bad_coordinates, .bad_coordinates, .bad_coordinates, .malformed,
      ])
    #expect(batch.rejects.map(\.lineIndex) == [1, 2, 3, 4, 5, 6, 7, 10])
    #expect(batch.values[0][0] == 1)
    #expect(batch.values[0][1] == 2.5)
  }

  @Test func nullAndNonNumericFeatureValuesAreNull() throws {
    let batch = try decode(
      """
      {"ts":1,"lat":1,"lon":1,"v":null}
      {"ts":1,"lat":1,"lon":1,"v":"abc"}
      {"ts":1,"lat":1,"lon":1,"v":true}
      {"ts":1,"lat":1,"lon":1}
      """)
    #expect(batch.count == 4)
    #expect(batch.values[0].allSatisfy { $0.isNaN })
    #expect(batch.distinctHashes[0].allSatisfy { $0 == 0 })
  }

  @Test func escapedStringsAreUnescaped() throws {
    let batch = try decode(#"{"ts":1,"lat":1,"lon":1,"route":"M\u00e9\"1","id":"a\\b"}"# + "\n")
    #expect(batch.newDimensionLabels.values.first == ["Mé\"1"])
  }

  @Test func csvWithQuotesAndEmbeddedNewlines() throws {
    let text =
      "id,ts,lat,lon,route,v\n\"a,1\",1772438400,52.5,13.4,\"M\"\"1\",3\n\"multi\nline\",1772438400,52.5,13.4,x,\nshort,1\n"
    let batch = try decode(text, csv: true)
    #expect(batch.count == 2)
    #expect(batch.rejects.map(\.reason) == [.malformed])
    #expect(batch.firstLine == 2)
    #expect(batch.lineIndex == [0, 1])
    #expect(batch.rejects[0].lineIndex == 3, "the record after a two-line record starts on the fourth data line")
    #expect(batch.values[0][0] == 3)
    #expect(batch.values[0][1].isNaN)
    #expect(Set(batch.newDimensionLabels.values.map { $0[0] }) == ["M\"1", "x"])
  }

  /// The key-order prediction only saves work: lines whose keys change order, go missing, gain extras, share a
  /// prefix with a predicted key or are escaped decode exactly as each line does alone.
  @Test func keyOrderPredictionNeverChangesResults() throws {
    let lines = [
      #"{"ts":"2026-03-02T08:00:00Z","lat":52.5,"lon":13.4,"route":"a","v":1,"id":"x"}"#,
      #"{"ts":"2026-03-02T08:00:01Z","lat":52.5,"lon":13.4,"route":"a","v":2,"id":"y"}"#,
      #"{"lat":52.6,"ts":"2026-03-02T08:00:02Z","lon":13.5,"v":3,"route":"b"}"#,
      #"{"ts":"2026-03-02T08:00:03Z","lat":52.5,"lon":13.4,"extra":{"v":9},"route":"a","v":4}"#,
      #"{"ts":"2026-03-02T08:00:04Z","lat":52.5,"lon":13.4,"route":"a","vv":5,"v":6}"#,
      #"{"ts":"2026-03-02T08:00:05Z","lat":52.5,"lon":13.4,"rout":"z","route":"c","v":7}"#,
      #"{"ts":"2026-03-02T08:00:06Z","ts":"2026-03-02T08:00:07Z","lat":52.5,"lon":13.4,"v":8}"#,
      #"{"ts":"2026-03-02T08:00:08Z","lat":52.5,"lon":13.4}"#,
      #"{"ts":"2026-03-02T08:00:09Z","lat":52.5,"lon":13.4,"route":"a","v":10,"id":"x"}"#,
      #"{"ts":"2026-03-02T08:00:10Z","lat" :52.5, "lon":13.4,"route":"a","v":11}"#,
    ]
    let together = try decode(lines.joined(separator: "\n") + "\n")
    var alone: [EventBatch] = []
    for line in lines { alone.append(try decode(line + "\n")) }
    #expect(together.count == alone.reduce(0) { $0 + $1.count })
    #expect(together.rejects.count == alone.reduce(0) { $0 + $1.rejects.count })
    var i = 0
    for single in alone where single.count == 1 {
      #expect(together.times[i] == single.times[0], "line \(i) time")
      #expect(together.lats[i] == single.lats[0] && together.lons[i] == single.lons[0], "line \(i) position")
      #expect(together.dimensionKeys[i] == single.dimensionKeys[0], "line \(i) route")
      let (a, b) = (together.values[0][i], single.values[0][0])
      #expect(a == b || (a.isNaN && b.isNaN), "line \(i) value")
      #expect(together.distinctHashes[0][i] == single.distinctHashes[0][0], "line \(i) id")
      #expect(together.areas[0].keys[i] == single.areas[0].keys[0], "line \(i) area")
      i += 1
    }
  }
}
