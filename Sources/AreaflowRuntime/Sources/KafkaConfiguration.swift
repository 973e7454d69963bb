import AreaflowCore
import CRdKafka

/// librdkafka configurations and messages, shared by the consumer, the publisher and `check`.
enum KafkaConfiguration {
  /// Why a configuration could not be made: the library is missing, or it refuses a setting (the message names the
  /// setting and librdkafka's reason, never the value, which may be a secret).
  struct Refusal: Error, CustomStringConvertible {
    let description: String
  }

  /// A new `rd_kafka_conf_t` holding `settings`, owned by the caller (or by `rd_kafka_new` once it succeeds).
  /// - Throws: `Refusal` when librdkafka cannot be opened or refuses a setting.
  static func make(_ settings: [(String, String)]) throws(Refusal) -> OpaquePointer {
    if let problem = KafkaConsumer.libraryProblem() { throw Refusal(description: problem) }
    guard let conf = af_rd_kafka_conf_new()!() else { throw Refusal(description: "out of memory") }
    var error = [CChar](repeating: 0, count: 512)
    for (name, value) in settings
    where af_rd_kafka_conf_set()!(conf, name, value, &error, error.count) != RD_KAFKA_CONF_OK {
      af_rd_kafka_conf_destroy()!(conf)
      throw Refusal(description: "librdkafka refuses \(name): \(string(error))")
    }
    return conf
  }

  /// A `kafka://` URL's librdkafka settings with their secrets read from the environment.
  /// - Parameter skipping: settings left out (consumer settings, for a producer).
  /// - Returns: the settings, or the message naming the setting whose environment variable is not set.
  static func resolve(_ settings: [KafkaAddress.Setting], environment: [String: String], skipping: Set<String> = [])
    -> Result<[(String, String)], Refusal>
  {
    var resolved: [(String, String)] = []
    for s in settings where !skipping.contains(s.name) {
      switch s.value {
      case .literal(let v): resolved.append((s.name, v))
      case .environment(let variable):
        guard let v = environment[variable] else {
          return .failure(
            Refusal(description: "\(s.name)_env names the environment variable \(variable), which is not set"))
        }
        resolved.append((s.name, v))
      }
    }
    return .success(resolved)
  }

  /// A new producer (`rd_kafka_t`) holding `settings`, whose delivery reports go to `delivered` with `opaque`.
  /// - Throws: `Refusal` when a setting is refused or librdkafka cannot make the producer.
  static func producer(
    _ settings: [(String, String)], opaque: UnsafeMutableRawPointer,
    delivered: @convention(c) (OpaquePointer?, UnsafePointer<rd_kafka_message_t>?, UnsafeMutableRawPointer?) -> Void
  ) throws(Refusal) -> OpaquePointer {
    let conf = try make(settings)
    var error = [CChar](repeating: 0, count: 512)
    af_rd_kafka_conf_set_opaque()!(conf, opaque)
    af_rd_kafka_conf_set_dr_msg_cb()!(conf, delivered)
    guard let made = af_rd_kafka_new()!(RD_KAFKA_PRODUCER, conf, &error, error.count) else {
      af_rd_kafka_conf_destroy()!(conf)
      throw Refusal(description: "cannot make a producer: \(string(error))")
    }
    return made
  }

  /// A C string in a fixed buffer (librdkafka's error buffers).
  static func string(_ buffer: [CChar]) -> String {
    String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }

  /// librdkafka's words for an error code.
  static func text(_ err: rd_kafka_resp_err_t) -> String { String(cString: af_rd_kafka_err2str()!(err)!) }
}
