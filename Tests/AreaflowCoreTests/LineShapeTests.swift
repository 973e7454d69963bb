import AreaflowGenerate
import Testing

@testable import AreaflowCore

/// `LineShape`, `NumberLayout` and the predicted string length against the general code they stand in for: the
/// token path of `BatchDecoder`, `NumberParser.parseDouble` and `JSONLineScanner.scanString`.
@Suite struct LineShapeTests {
  static let config = """
    input:
      format: ndjson
      time: ts
      lat: lat
      lon: lon
      dimensions: [route]
    areas: [{name: g, geohash: 5}]
    windows: [{name: w, tumbling: 1m}]
    features:
      n: count
      s: {sum: v}
      m: {mean: w}
      d: {distinct: id}
    """

  func decoder(shapes: Bool) throws -> BatchDecoder {
    let config = try ConfigLoader(file: "c.yaml").load(Self.config)
    var decoder = BatchDecoder(config: config, schemes: [GeohashScheme(name: "g", precision: 5)])
    decoder.compilesLineShapes = shapes
    return decoder
  }

  /// One value of a line: usually the feed's own, now and then a variation the shape must hand back or read right.
  func value(_ key: String, _ r: inout SeededRandom, usual: String) -> String {
    let variations: [String]
    switch key {
    case "ts":
      variations = [
        #""2026-03-02T08:00:0\#(r.below(10)).5Z""#, #""2026-03-02T08:00:00+01:00""#, "1772438400", "null",
        #""2026-02-30T00:00:00Z""#, #""2026-03-02\u005408:00:00Z""#, #""bad""#, "17724384e2",
      ]
    case "lat", "lon":
      variations = [
        "-\(r.below(90)).\(r.below(100_000))", "1e1", "5.", "-0", "00012.5", #""52.5""#, #""5\u0032.5""#, "null",
        "123.4567", "91", "-180.0000001", "52.1234567890123456789", "true", "-", "4.", "-.5",
      ]
    case "v", "w":
      variations = [
        "\(r.below(1000))", "-\(r.below(1000))", "\(r.below(100)).\(r.below(10))", "1e-3", "1.5E+2", #""7.25""#,
        #""x""#, "null", "{\"a\":1}", "[1,2]", "12345678901234567890", "0.000000001", "-0.0", "99999999", "1.2.3",
      ]
    default:
      variations = [
        #""r\#(r.below(30))""#, #""a\"b""#, #""\u00e9t\u00e9""#, "null", "42", "-7.5", "true", #""""#,
        #""a long route name of many bytes""#, "{}",
      ]
    }
    return r.below(5) == 0 ? variations[r.below(variations.count)] : usual
  }

  /// Lines of the feed's usual shape with varied values, spaces, keys in another order, missing and extra keys,
  /// CRLF, blank and broken lines.
  func chunk(_ seed: UInt64, lines: Int) -> [UInt8] {
    var r = SeededRandom(seed: seed)
    var text = ""
    var keys = ["ts", "id", "route", "lat", "lon", "v", "w"]
    for n in 0..<lines {
      if r.below(50) == 0 { keys.shuffle(using: &r) }
      let usual = [
        "ts": #""2026-03-02T08:0\#(n / 600 % 10):\#(10 + n / 10 % 50).\#(100 + r.below(900))Z""#,
        "id": #""bus-\#(1000 + r.below(50))""#, "route": #""\#(["B16", "M17", "N5", "X9"][r.below(4)])""#,
        "lat": "52.\(10_000 + r.below(90_000))", "lon": "13.\(10_000 + r.below(90_000))",
        "v": "\(r.below(40)).\(r.below(10))", "w": r.below(2) == 0 ? "\(r.below(200))" : "-\(r.below(200))",
      ]
      var fields: [String] = []
      for key in keys where r.below(40) != 0 {
        let space = r.below(30) == 0 ? " " : ""
        fields.append("\"\(key)\"\(space):\(space)\(value(key, &r, usual: usual[key]!))")
      }
      if r.below(30) == 0 { fields.insert(#""extra":{"lat":[1,{"x":"}"}]}"#, at: r.below(fields.count + 1)) }
      if r.below(40) == 0, let first = fields.first { fields.append(first) }
      var line = "{" + fields.joined(separator: ",") + "}"
      switch r.below(60) {
      case 0: line = ""
      case 1: line = "  "
      case 2: line.removeLast()
      case 3: line += "x"
      case 4: line = " " + line + " "
      case 5: line += "\r"
      case 6: line = "[" + line + "]"
      default: break
      }
      text += line + "\n"
    }
    if r.below(2) == 0 { text.removeLast() }
    return Array(text.utf8)
  }

  func expectSame(_ a: EventBatch, _ b: EventBatch, _ seed: UInt64) {
    #expect(a.lineCount == b.lineCount && a.emptyLines == b.emptyLines && a.count == b.count, "seed \(seed)")
    #expect(a.times == b.times, "seed \(seed) times")
    #expect(a.lats.map(\.bitPattern) == b.lats.map(\.bitPattern), "seed \(seed) lats")
    #expect(a.lons.map(\.bitPattern) == b.lons.map(\.bitPattern), "seed \(seed) lons")
    #expect(a.dimensionKeys == b.dimensionKeys, "seed \(seed) dimensions")
    #expect(a.values.map { $0.map(\.bitPattern) } == b.values.map { $0.map(\.bitPattern) }, "seed \(seed) values")
    #expect(a.distinctHashes == b.distinctHashes, "seed \(seed) distinct")
    #expect(a.lineIndex == b.lineIndex && a.lineStart == b.lineStart && a.lineEnd == b.lineEnd, "seed \(seed)")
    #expect(a.rejects.count == b.rejects.count, "seed \(seed) rejects")
    for (x, y) in zip(a.rejects, b.rejects) {
      #expect(
        x.lineIndex == y.lineIndex && x.reason == y.reason && x.start == y.start && x.end == y.end,
        "seed \(seed) reject at line \(x.lineIndex)")
    }
    #expect(a.newDimensionLabels == b.newDimensionLabels, "seed \(seed) labels")
    #expect(a.areas.map(\.keys) == b.areas.map(\.keys) && a.outside == b.outside, "seed \(seed) areas")
  }

  /// Whole chunks decoded with compiled shapes and with the token path alone give the same batch.
  @Test func compiledShapesGiveTheTokenPathsBatch() throws {
    let fast = try decoder(shapes: true)
    let general = try decoder(shapes: false)
    for seed: UInt64 in 1...60 {
      let chunk = LineChunk(input: 0, inputName: "in", bytes: chunk(seed, lines: 400), firstLine: 1)
      let a = fast.decode(chunk)
      let b = general.decode(chunk)
      #expect(a.count > 100, "seed \(seed): the usual lines are accepted")
      expectSame(a, b, seed)
    }
  }

  /// The shape compiled from one line takes the next line of that shape, so the comparison above does compare.
  @Test func compiledShapeTakesTheUsualLine() throws {
    let decoder = try decoder(shapes: true)
    let plan = decoder.plan
    let first = Array(
      #"{"ts":"2026-03-02T08:00:00.100Z","id":"bus-1","route":"B16","lat":52.5,"lon":13.25,"v":3.5,"w":-7}"#.utf8)
    let next = Array(
      #"{"ts":"2026-03-02T08:00:01.250Z","id":"bus-22","route":"M1","lat":52.75,"lon":13.5,"v":12,"w":8}"#.utf8)
    let tokens = UnsafeMutableBufferPointer<FieldToken>.allocate(capacity: plan.names.count)
    tokens.initialize(repeating: FieldToken())
    defer { tokens.deallocate() }
    var order = KeyOrder()
    first.withUnsafeBufferPointer { b in
      #expect(JSONLineScanner.scanLine(b.baseAddress!, 0, b.count, plan: plan, tokens: tokens, order: &order) != nil)
    }
    var shape = LineShape(plan: plan, enabled: true)
    defer { shape.deallocate() }
    shape.compile(order)
    #expect(shape.ready)
    var columns = DecodeColumns(valueColumns: 2, distinctColumns: 1, capacity: 16)
    defer { columns.deallocate() }
    var days = TimeParser.DayCache()
    // A line after it: the shape reads words, and hands the chunk's last bytes to the token path.
    let bytes = next + Array("\n".utf8) + first
    bytes.withUnsafeBufferPointer { b in
      let outcome = shape.decode(
        b.baseAddress!, 0, b.count, row: 0, into: &columns, tokens: tokens, timeParser: decoder.timeParser,
        days: &days)
      #expect(outcome.end == next.count && outcome.reason == nil)
      #expect(columns.lats[0] == 52.75 && columns.lons[0] == 13.5)
      #expect(columns.values[0][0] == 12 && columns.values[1][0] == 8)
      #expect(columns.times[0] == decoder.timeParser.parse(b.baseAddress!, 7, 31))
    }
  }

  /// Number texts of every form: a layout exists exactly for `[-]digits[.digits]` of at most eight bytes, it takes
  /// the text it was learned from, and whatever text it takes (learned from another) gets `parseDouble`'s value.
  @Test func numberLayoutsGiveParseDouble() {
    var r = SeededRandom(seed: 31)
    let alphabet = Array("0123456789012345678901234567890123456789.-+eE".utf8)
    var texts: [[UInt8]] = ["8", "-0", "5.", "-.5", "0.0", "52.63283", "-1234567", "12345678", "123456789", "-", "."]
      .map { Array($0.utf8) }
    for _ in 0..<40_000 {
      texts.append((0..<1 + r.below(10)).map { _ in alphabet[r.below(alphabet.count)] })
    }
    func isLayout(_ t: [UInt8]) -> Bool {
      var body = t[...]
      if body.first == 45 { body = body.dropFirst() }
      return t.count <= 8 && body.contains { $0 &- 48 < 10 } && body.filter { $0 == 46 }.count <= 1
        && body.allSatisfy { $0 &- 48 < 10 || $0 == 46 }
    }
    // A few bytes of the line before the number, the number, and a separator and more after it (a layout reads a
    // word from the number's start and wants the byte after it too).
    func withLine(_ t: [UInt8], _ body: (UnsafePointer<UInt8>, Int, Int, Int) -> Void) {
      let line = Array(#"{"v":"#.utf8) + t + Array(#","w":1}"#.utf8) + Array(repeating: 32, count: 8)
      line.withUnsafeBufferPointer { body($0.baseAddress!, 5, 5 + t.count, line.count) }
    }
    var learned: [Int: [NumberLayout]] = [:]
    for t in texts {
      withLine(t) { p, start, end, limit in
        let layout = NumberLayout(p, start, end, readableTo: limit)
        #expect((layout.length > 0) == isLayout(t), "\(String(decoding: t, as: UTF8.self))")
        #expect(NumberLayout().value(p, start, limit) == nil)
        if layout.length > 0 {
          let value = layout.value(p, start, limit)
          let expected = NumberParser.parseDouble(p, start, end, readableFrom: 0)
          #expect(value != nil && value?.bitPattern == expected?.bitPattern, "\(String(decoding: t, as: UTF8.self))")
          learned[t.count, default: []].append(layout)
        }
      }
    }
    var taken = 0
    for t in texts where t.first == 45 || t.first.map({ $0 &- 48 < 10 }) == true {
      withLine(t) { p, start, _, limit in
        let end = JSONLineScanner.numberEnd(p, start, limit)
        for layout in (learned[t.count] ?? []).prefix(20) {
          guard let value = layout.value(p, start, limit) else {
            #expect(layout.value(p, start, limit, terminator: 44) == nil)
            continue
          }
          #expect(layout.value(p, start, limit, terminator: 44)?.bitPattern == value.bitPattern)
          taken += 1
          #expect(start + layout.length == end, "\(String(decoding: t, as: UTF8.self))")
          let expected = NumberParser.parseDouble(p, start, end, readableFrom: 0)
          #expect(value.bitPattern == expected?.bitPattern, "\(String(decoding: t, as: UTF8.self))")
        }
      }
    }
    #expect(taken > 10_000)
  }

  /// Values of up to eight bytes hashed from one word: the hash `ByteHasher.hash` gives their bytes.
  @Test func wordHashesAreByteHashes() {
    var r = SeededRandom(seed: 8)
    for _ in 0..<5_000 {
      let bytes = (0..<r.below(24)).map { _ in UInt8(truncatingIfNeeded: r.next()) }
      bytes.withUnsafeBufferPointer { b in
        let p = b.baseAddress!
        let start = r.below(b.count + 1)
        let end = start + r.below(b.count - start + 1)
        #expect(LineShape.hash(p, start, end, b.count) == ByteHasher.hash(p, start, end))
      }
    }
  }

  /// Strings with quotes, escapes and control bytes at every place: a predicted length is taken exactly when the
  /// general scan ends the string there without escapes.
  @Test func predictedStringLengthsAgreeWithTheScan() {
    var r = SeededRandom(seed: 5)
    let alphabet = Array("abcdefgh-0123456789 ".utf8) + [34, 92, 9, 10, 0xC3, 0xA9]
    var agreed = 0
    for _ in 0..<20_000 {
      var content = (0..<r.below(30)).map { _ in alphabet[r.below(alphabet.count - 6)] }
      if r.below(3) == 0, !content.isEmpty { content[r.below(content.count)] = alphabet[r.below(alphabet.count)] }
      let line = [34] + content + Array(#"","x":1}"#.utf8) + Array(repeating: 32, count: r.below(12))
      line.withUnsafeBufferPointer { b in
        let p = b.baseAddress!
        let scanned = JSONLineScanner.scanString(p, 1, b.count)
        for length in [content.count, content.count - 1, content.count + 1, r.below(32)] where length >= 0 {
          let plain = LineShape.plainString(p, 1, length: length, b.count)
          if plain {
            agreed += 1
            #expect(scanned?.0 == 1 + length && scanned?.1 == false, "\(String(decoding: content, as: UTF8.self))")
          } else if scanned?.0 == 1 + length, scanned?.1 == false {
            // Refused only near the end of the bytes, where the word reads would pass them.
            #expect(1 + length + 8 > b.count, "\(String(decoding: content, as: UTF8.self))")
          }
        }
      }
    }
    #expect(agreed > 5_000)
  }
}
