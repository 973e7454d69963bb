import Testing

@testable import AreaflowCore

/// A message's payload becomes whole lines of the input stream, the topic written into every object line.
@Suite struct MessageLinesTests {
  func lines(_ payload: String, topic: String = "/hfp/v2/journey/ongoing/vp/bus/0022", _ m: MessageLines) -> String {
    var out: [UInt8] = []
    Array(payload.utf8).withUnsafeBytes { m.append(payload: $0, topic: topic, to: &out) }
    return String(decoding: out, as: UTF8.self)
  }

  let plain = MessageLines(topicField: nil, topicLevels: [])
  let withTopic = MessageLines(topicField: "topic", topicLevels: [])

  @Test func aPayloadWithoutANewlineIsOneLine() {
    #expect(lines(#"{"a":1}"#, plain) == "{\"a\":1}\n")
    #expect(lines("{\"a\":1}\n", plain) == "{\"a\":1}\n")
    #expect(lines("{\"a\":1}\n{\"a\":2}", plain) == "{\"a\":1}\n{\"a\":2}\n")
  }

  @Test func anEmptyPayloadIsNoLine() {
    #expect(lines("", withTopic).isEmpty)
  }

  @Test func theTopicIsTheFirstFieldOfEveryObjectLine() {
    #expect(
      lines("{\"a\":1}\n  { \"b\":2}\r\n", topic: "t/1", withTopic)
        == "{\"topic\":\"t/1\",\"a\":1}\n  {\"topic\":\"t/1\", \"b\":2}\r\n")
  }

  @Test func anEmptyObjectTakesTheFieldWithoutAComma() {
    #expect(lines("{ }", topic: "t", withTopic) == "{\"topic\":\"t\" }\n")
  }

  @Test func linesThatAreNotObjectsStayAsTheyAre() {
    #expect(lines("[1,2]\n\nnot json", topic: "t", withTopic) == "[1,2]\n\nnot json\n")
  }

  @Test func theTopicIsJSONEscaped() {
    #expect(lines("{}", topic: "a\"b\\c\u{1}ä", withTopic) == "{\"topic\":\"a\\\"b\\\\c\\u0001ä\"}\n")
  }

  @Test func topicLevelsAreFieldsAndMissingLevelsAreLeftOut() {
    let m = MessageLines(
      topicField: nil, topicLevels: [TopicLevel(field: "mode", level: 6), TopicLevel(field: "x", level: 40)])
    #expect(lines("{\"a\":1}", topic: "/hfp/v2/journey/ongoing/vp/bus/0022", m) == "{\"mode\":\"bus\",\"a\":1}\n")
  }

  @Test func topicFieldsAreReadLikeAnyOtherField() throws {
    let config = try ConfigLoader(file: "t.yaml").load(
      """
      input: {format: ndjson, time: VP.tst, lat: VP.lat, lon: VP.long, dimensions: [mode], topic_field: topic,
              topic_levels: {mode: 6}}
      areas: [{name: gh5, geohash: 5}]
      windows: [{name: 1m, tumbling: 1m}]
      features: {events: count, topics: {distinct: topic}}
      """)
    #expect(config.input.topicField == "topic")
    #expect(config.input.topicLevels == [TopicLevel(field: "mode", level: 6)])
  }

  @Test func topicFieldsNeedNDJSON() {
    #expect(throws: ConfigError.self) {
      try ConfigLoader(file: "t.yaml").load(
        """
        input: {format: csv, time: t, lat: lat, lon: lon, topic_field: topic}
        areas: [{name: gh5, geohash: 5}]
        windows: [{name: 1m, tumbling: 1m}]
        features: {events: count}
        """)
    }
  }
}
