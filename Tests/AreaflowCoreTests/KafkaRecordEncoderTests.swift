import Testing

@testable import AreaflowCore

@Suite struct KafkaRecordEncoderTests {
  /// Two rows of a snapshot table: a dimension with a tab and a quote, a null dimension, a non-finite double.
  let table = SnapshotTable(
    columns: [
      .string(name: "window", values: ["1m", "1m"]),
      .timestamp(name: "window_start", millis: [60_000, 120_000]),
      .timestamp(name: "window_end", millis: [120_000, 180_000]),
      .string(name: "area_scheme", values: ["gh5", "gh5"]),
      .string(name: "area", values: ["u336g", "u336h"]),
      .string(name: "route", values: ["N\t\"15\"", nil]),
      .int64(name: "events", values: [6, nil]),
      .double(name: "speed_mean", values: [23.5, .nan]),
    ], rowCount: 2)

  @Test func keysAreTheRowsIdentityAsAJSONArrayAndValuesAreTheNDJSONLines() throws {
    var w = TextWriter()
    KafkaRecordEncoder(dimensions: ["route"]).append(table, to: &w)
    let messages = KafkaRecordEncoder.messages(in: w.bytes)
    #expect(messages.count == 2)
    #expect(
      String(decoding: messages[0].key, as: UTF8.self)
        == #"["1m","1970-01-01T00:01:00.000Z","gh5","u336g","N\t\"15\""]"#)
    #expect(
      String(decoding: messages[1].key, as: UTF8.self) == #"["1m","1970-01-01T00:02:00.000Z","gh5","u336h",null]"#)
    // The value is exactly the NDJSON snapshot line, without its line end.
    let ndjson = try NDJSONSnapshotEncoder().encode(table).split(separator: 10)
    #expect(ndjson.count == 2)
    for (m, line) in zip(messages, ndjson) { #expect(Array(m.value) == Array(line)) }
    #expect(
      String(decoding: messages[1].value, as: UTF8.self)
        == #"{"window":"1m","window_start":"1970-01-01T00:02:00.000Z","window_end":"1970-01-01T00:03:00.000Z","area_scheme":"gh5","area":"u336h","route":null,"events":null,"speed_mean":null}"#
    )
  }

  @Test func theSameRowsGiveTheSameBytesAndAnEmptyTableNoMessage() {
    var a = TextWriter()
    var b = TextWriter()
    KafkaRecordEncoder(dimensions: ["route"]).append(table, to: &a)
    KafkaRecordEncoder(dimensions: ["route"]).append(table, to: &b)
    #expect(a.bytes == b.bytes)
    var empty = TextWriter()
    KafkaRecordEncoder(dimensions: []).append(SnapshotTable(columns: [], rowCount: 0), to: &empty)
    #expect(empty.bytes.isEmpty && KafkaRecordEncoder.messages(in: empty.bytes).isEmpty)
  }

  @Test func outputKafkaIsParsedAndCheckedWithItsPlaceInTheFile() throws {
    let head = """
      input: {format: ndjson, time: {field: ts}, lat: lat, lon: lon}
      areas: [{name: gh5, geohash: 5}]
      windows: [{name: 1m, tumbling: 1m}]
      features: {events: count}
      """
    let ok = try ConfigLoader(file: "c.yaml").load(
      head + "\noutput: {kafka: {brokers: \"b1:9092,b2:9093\", topic: areas, transactions: false}}\n")
    #expect(ok.output.kafka == KafkaOutputConfig(brokers: "b1:9092,b2:9093", topic: "areas", transactions: false))
    #expect(ok.output.kafka?.markerTopic == "areas.areaflow-epochs")
    #expect(
      try ConfigLoader(file: "c.yaml").load(head + "\noutput: {kafka: {brokers: \"b:1\", topic: t}}\n").output.kafka?
        .transactions == true)
    #expect(throws: ConfigError.self) {
      try ConfigLoader(file: "c.yaml").load(head + "\noutput: {kafka: {brokers: b1, topic: t}}\n")
    }
    do {
      _ = try ConfigLoader(file: "c.yaml").load(head + "\noutput:\n  kafka: {brokers: \"b:1\", topic: \"a b\"}\n")
      Issue.record("a bad topic name was accepted")
    } catch {
      #expect(error.key == "output.kafka.topic")
      #expect(error.line == 6)
    }
  }
}
