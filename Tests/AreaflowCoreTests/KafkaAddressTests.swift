import AreaflowCore
import Testing

@Suite struct KafkaAddressTests {
  @Test func readsBrokersTopicAndOptions() throws {
    let a = try KafkaAddress(
      "kafka://b1:9092,b2:9093/transport.v1?group=areaflow&start=latest&client_id=af-1&security.protocol=SASL_SSL"
        + "&sasl.password_env=KAFKA_PW")
    #expect(a.brokers == "b1:9092,b2:9093")
    #expect(a.topic == "transport.v1")
    #expect(a.group == "areaflow")
    #expect(a.start == .latest)
    #expect(a.clientID == "af-1")
    #expect(
      a.settings == [
        .init(name: "security.protocol", value: .literal("SASL_SSL")),
        .init(name: "sasl.password", value: .environment("KAFKA_PW")),
      ])
    #expect(a.name == "kafka://b1:9092,b2:9093/transport.v1")
  }

  @Test func startDefaultsToEarliestAndTakesAnRFC3339Time() throws {
    #expect(try KafkaAddress("kafka://h:1/t").start == .earliest)
    #expect(try KafkaAddress("kafka://h:1/t?start=1970-01-01T00:01:00Z").start == .time(60_000_000_000))
    #expect(try KafkaAddress("kafka://h:1/t?group=a%26b").group == "a&b")
  }

  @Test(arguments: [
    ("kafka://h:1/t?grup=x", "unknown option 'grup'"),
    ("kafka://h/t", "'h' is not HOST:PORT"),
    ("kafka://h:70000/t", "is not HOST:PORT"),
    ("kafka://:1/t", "is not HOST:PORT"),
    ("kafka://h:1", "no topic"),
    ("kafka://h:1/", "is not a Kafka topic name"),
    ("kafka://h:1/a/b", "is not a Kafka topic name"),
    ("kafka://h:1/t?group", "has no value"),
    ("kafka://h:1/t?group=", "is empty"),
    ("kafka://h:1/t?group=a&group=b", "given twice"),
    ("kafka://h:1/t?start=soon", "start 'soon'"),
    ("kafka://h:1/t?group.id=x", "set by areaflow"),
    ("kafka://h:1/t?enable.auto.commit=true", "set by areaflow"),
    ("kafka://h:1/t?sasl.password=hunter2", "sasl.password_env=VARIABLE"),
    ("kafka://h:1/t?ssl.key.password=x", "ssl.key.password_env=VARIABLE"),
  ])
  func refusesWhatItCannotUse(url: String, words: String) {
    do {
      _ = try KafkaAddress(url)
      Issue.record("\(url) was accepted")
    } catch {
      #expect(error.description.contains(words), "\(error.description)")
      #expect(error.description.hasPrefix(url))
    }
  }

  @Test func aPartitionPositionRoundTripsThroughTheCheckpointBesideFiles() throws {
    let file = InputPosition(
      input: 0, path: "/feeds/a.ndjson", device: 3, inode: 44, fingerprintLength: 1024, fingerprint: 0xdead,
      resumeOffset: 100, resumeDecompressed: 100, consumed: 100, lines: 7, csvColumns: nil)
    let partition = InputPosition.kafka(
      input: 9, topic: "transport", partition: 3, offset: 123_456_789_012, lines: 40, csvColumns: [1, -1, 0])
    let checkpoint = LiveCheckpoint(
      configFingerprint: "fp", epoch: 2, shardCount: 1, partSequence: 0,
      stamper: WatermarkStamper.State(maxTime: 1, inputMaxTimes: [1, 2], floor: 0),
      summary: RunSummary(windows: [], regionSchemes: []), labels: [:], shards: [[]], inputs: [file, partition],
      pendingFiles: [])
    let decoded = try LiveCheckpoint.decode(checkpoint.encode())
    #expect(decoded.inputs == [file, partition])
    #expect(decoded.inputs[0].kafkaPartition == nil)
    let k = try #require(decoded.inputs[1].kafkaPartition)
    #expect(k.topic == "transport" && k.partition == 3 && k.offset == 123_456_789_012)
    #expect(decoded.inputs[1].lines == 40 && decoded.inputs[1].csvColumns == [1, -1, 0])
  }
}
