import AreaflowCore
import ArgumentParser
import Logging

/// `areaflow check`: validate a config and print what it would compute.
struct CheckCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "check",
    abstract: "Validate a config and print what it would compute.",
    discussion:
      "Exit status 0 when the config is valid, 2 with the file, line, column and key of the problem otherwise.")

  @Option(name: .long, help: "The YAML config file.")
  var config: String

  func run() throws {
    let loaded = try LoadedConfig.load(config)
    _ = try ServingFiles.load(loaded.config.http, configPath: loaded.path, logger: Logger(label: "areaflow.check"))
    print(ConfigDescription.text(loaded.config))
  }
}
