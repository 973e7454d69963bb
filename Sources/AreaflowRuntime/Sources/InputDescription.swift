import AreaflowCore
import Foundation

/// What a command-line INPUT is, in words, for `check`; and whether replay can read it to an end.
public enum InputDescription {
  /// A problem with an INPUT that is known before anything is read (a malformed `mqtt://` URL).
  public struct InputError: Error, CustomStringConvertible {
    public let description: String
  }

  /// True for inputs that never end (`tcp://`, `mqtt://`, `mqtts://`): `replay` refuses them.
  public static func isEndless(_ argument: String) -> Bool {
    argument.hasPrefix("tcp://") || MQTTOptions.isMQTT(argument)
  }

  /// One or more lines saying how `run` reads `argument`.
  /// - Throws: `InputError` when an `mqtt://` or `kafka://` URL or one of its options is wrong.
  public static func text(_ argument: String, input: InputConfig) throws(InputError) -> [String] {
    if argument == "-" { return ["\(argument): standard input, read as it comes"] }
    if argument.hasPrefix("tcp://") {
      return ["\(argument): listens for newline-delimited \(input.format.rawValue) events from any number of clients"]
    }
    if KafkaAddress.isKafka(argument) {
      let address: KafkaAddress
      do { address = try KafkaAddress(argument) } catch { throw InputError(description: error.description) }
      let problems = KafkaSettingsCheck.problems(address, environment: ProcessInfo.processInfo.environment)
      if !problems.isEmpty { throw InputError(description: problems.joined(separator: "\n")) }
      return address.explanation + [
        "  message values are \(input.format.rawValue) lines; replay reads each partition up to its end at start "
          + "(librdkafka \(KafkaSettingsCheck.librdkafkaVersion))"
      ]
    }
    guard MQTTOptions.isMQTT(argument) else {
      return ["\(argument): a file or directory, followed like tail -F (replay reads it once)"]
    }
    let options: MQTTOptions
    do { options = try MQTTOptions(parsing: argument) } catch { throw InputError(description: error.description) }
    var lines = ["\(MQTTOptions.displayName(argument)): \(options.summary)"]
    let format =
      input.format == .csv
      ? "each message a CSV document with its header row" : "each message one or more NDJSON lines"
    lines.append("  \(format); nothing is read again after a crash (positions are not checkpointed)")
    if let field = input.topicField { lines.append("  topic written into each object line as '\(field)'") }
    for level in input.topicLevels {
      lines.append("  topic level field \(level.field): level \(level.level) of the topic split at '/'")
    }
    return lines
  }
}
