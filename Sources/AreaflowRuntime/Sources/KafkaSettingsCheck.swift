import AreaflowCore
import CRdKafka

/// `check`'s look at a Kafka URL's librdkafka settings: each is given to librdkafka's own configuration (nothing
/// connects), so a misspelt name or a value out of range is found before a run, in librdkafka's words.
public enum KafkaSettingsCheck {
  /// What librdkafka refuses among `address`'s settings; a setting from the environment is checked with a
  /// placeholder value when its variable is not set here (and its value is never shown).
  public static func problems(_ address: KafkaAddress, environment: [String: String]) -> [String] {
    if let problem = KafkaConsumer.libraryProblem() { return [problem] }
    guard let conf = af_rd_kafka_conf_new()!() else { return [] }
    defer { af_rd_kafka_conf_destroy()!(conf) }
    var problems: [String] = []
    var error = [CChar](repeating: 0, count: 512)
    for s in address.settings {
      let value: String
      switch s.value {
      case .literal(let v): value = v
      case .environment(let variable):
        // `check` may run where the secret is not set; `run` and `replay` refuse a variable that is not set.
        value = environment[variable] ?? "placeholder"
      }
      if af_rd_kafka_conf_set()!(conf, s.name, value, &error, error.count) != RD_KAFKA_CONF_OK {
        problems.append("\(address.name): librdkafka refuses \(s.name): \(KafkaConfiguration.string(error))")
      }
    }
    return problems
  }

  /// The librdkafka this binary uses.
  public static var librdkafkaVersion: String { KafkaConsumer.version }
}
