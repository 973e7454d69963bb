/// What `scale_out` needs beyond a valid config, checked before anything starts so the error says what to fix.
public enum ScaleOutCheck {
  /// The config-level problem (`check` reports it), or nil.
  public static func problem(_ config: PipelineConfig) -> String? {
    guard config.scaleOut != nil else { return nil }
    if config.input.format != .ndjson {
      return
        "scale_out reads NDJSON message values; input.format \(config.input.format.rawValue) is not supported with scale_out yet"
    }
    return nil
  }

  /// The problem with a `run`'s inputs under `scale_out`, or nil.
  public static func problem(_ config: PipelineConfig, inputs: [String]) -> String? {
    guard let scaleOut = config.scaleOut else { return nil }
    if let problem = problem(config) { return problem }
    guard inputs.count == 1, KafkaAddress.isKafka(inputs[0]) else {
      return """
        scale_out needs exactly one input, kafka://BROKERS/TOPIC?group=NAME (given: \
        \(inputs.isEmpty ? "none" : inputs.joined(separator: " ")))
        """
    }
    guard let address = try? KafkaAddress(inputs[0]), address.group != nil else {
      return "scale_out: the kafka:// input needs ?group=NAME, the group every instance joins"
    }
    if address.topic == scaleOut.topic {
      return "scale_out.topic must differ from the input topic \(address.topic)"
    }
    return nil
  }
}
