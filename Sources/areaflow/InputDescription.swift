import AreaflowCore
import AreaflowRuntime
import Foundation

/// What `check` says about the command line's inputs: how each is read, and for a Kafka URL, what its options do.
enum InputDescription {
  static func text(_ inputs: [String], format: InputConfig.Format) -> String {
    var lines = ["inputs:"]
    for input in inputs {
      if KafkaAddress.isKafka(input), let address = try? KafkaAddress(input) {
        lines += address.explanation.map { "  " + $0 }
        lines.append(
          "    message values are \(format.rawValue) lines; replay reads each partition up to its end at start "
            + "(librdkafka \(KafkaSettingsCheck.librdkafkaVersion))")
      } else if input == "-" {
        lines.append("  -: standard input")
      } else if input.hasPrefix("tcp://") {
        lines.append("  \(input): newline-delimited \(format.rawValue) from TCP clients (run)")
      } else {
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: input, isDirectory: &isDirectory)
        let what =
          !exists ? "does not exist (yet)" : isDirectory.boolValue ? "a directory: its files in name order" : "a file"
        lines.append("  \(input): \(what)")
      }
    }
    return lines.joined(separator: "\n")
  }
}
