import Testing

@testable import AreaflowCore

/// `scale_out:` in a config and what `run` and `check` require of it.
@Suite struct ScaleOutConfigTests {
  func load(_ extra: String) throws(ConfigError) -> PipelineConfig {
    try ConfigLoader(file: "dir/c.yaml").load(ConfigLoaderTests.valid + "\n" + extra)
  }

  @Test func topicIsReadAndChecked() throws {
    #expect(
      try load("scale_out: {topic: t.areaflow-repartition}\n").scaleOut
        == ScaleOutConfig(topic: "t.areaflow-repartition"))
    #expect(try load("").scaleOut == nil)
    for (text, key) in [
      ("scale_out: {}\n", "scale_out.topic"), ("scale_out: {topic: 'a b'}\n", "scale_out.topic"),
      ("scale_out: {topic: t, partitions: 3}\n", "scale_out.partitions"),
    ] {
      do {
        _ = try load(text)
        Issue.record("\(text) was accepted")
      } catch {
        #expect(error.key == key, "\(text): \(error)")
      }
    }
  }

  @Test func runNeedsOneKafkaInputWithAGroup() throws {
    let config = try load("scale_out: {topic: rep}\n")
    #expect(ScaleOutCheck.problem(config) == nil)
    #expect(ScaleOutCheck.problem(config, inputs: ["kafka://h:9092/src?group=g"]) == nil)
    #expect(ScaleOutCheck.problem(config, inputs: [])?.contains("exactly one input") == true)
    #expect(ScaleOutCheck.problem(config, inputs: ["a.ndjson"])?.contains("kafka://") == true)
    #expect(
      ScaleOutCheck.problem(config, inputs: ["kafka://h:9092/src?group=g", "kafka://h:9092/x?group=g"])?.contains(
        "exactly one input") == true)
    #expect(ScaleOutCheck.problem(config, inputs: ["kafka://h:9092/src"])?.contains("group") == true)
    #expect(ScaleOutCheck.problem(config, inputs: ["kafka://h:9092/rep?group=g"])?.contains("differ") == true)
    var csv = config
    csv.input.format = .csv
    #expect(ScaleOutCheck.problem(csv)?.contains("NDJSON") == true)
    #expect(ScaleOutCheck.problem(try load("")) == nil)
  }
}
