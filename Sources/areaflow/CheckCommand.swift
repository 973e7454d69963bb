import AreaflowCore
import AreaflowRuntime
import ArgumentParser
import Foundation

/// `areaflow check`: validate a config and print what it would compute.
struct CheckCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "check",
    abstract: "Validate a config and print what it would compute.",
    discussion: """
      Exit status 0 when the config is valid, 2 with the file, line, column and key of the problem otherwise. INPUTs \
      given after the config are checked too (a kafka:// URL's brokers, topic and options) and explained.
      """)

  @Option(name: .long, help: "The YAML config file.")
  var config: String

  @Argument(help: "Inputs to check and explain (files, directories, -, tcp://, kafka://).")
  var inputs: [String] = []

  func validate() throws {
    for input in inputs where KafkaAddress.isKafka(input) {
      let address: KafkaAddress
      do { address = try KafkaAddress(input) } catch { throw ValidationError(error.description) }
      let problems = KafkaSettingsCheck.problems(address, environment: ProcessInfo.processInfo.environment)
      if !problems.isEmpty { throw ValidationError(problems.joined(separator: "\n")) }
    }
  }

  func run() throws {
    let loaded = try LoadedConfig.load(config)
    print(ConfigDescription.text(loaded.config))
    if !inputs.isEmpty { print(InputDescription.text(inputs, format: loaded.config.input.format)) }
  }
}
