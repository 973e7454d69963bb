import AreaflowCore
import AreaflowRuntime
import ArgumentParser
import Logging

/// `areaflow check`: validate a config and print what it would compute.
struct CheckCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "check",
    abstract: "Validate a config and print what it would compute.",
    discussion: """
      Exit status 0 when the config is valid, 2 with the file, line, column and key of the problem otherwise. \
      INPUTs given are checked too and explained (an mqtt:// URL: broker, subscription, guarantee, session).
      """)

  @Option(name: .long, help: "The YAML config file.")
  var config: String

  @Argument(help: "Inputs to check and explain as run would read them (files, -, tcp://, mqtt://).")
  var inputs: [String] = []

  func run() throws {
    let loaded = try LoadedConfig.load(config)
    _ = try ServingFiles.load(loaded.config.http, configPath: loaded.path, logger: Logger(label: "areaflow.check"))
    if let problem = inputs.isEmpty
      ? ScaleOutCheck.problem(loaded.config) : ScaleOutCheck.problem(loaded.config, inputs: inputs)
    {
      StandardError.write("areaflow: \(loaded.path): \(problem)\n")
      throw ExitCode(2)
    }
    var text = ConfigDescription.text(loaded.config)
    if !inputs.isEmpty {
      text += "\ninputs:"
      for input in inputs {
        do {
          for line in try InputDescription.text(input, input: loaded.config.input) { text += "\n  \(line)" }
        } catch {
          StandardError.write("areaflow: \(error)\n")
          throw ExitCode(2)
        }
      }
    }
    print(text)
  }
}
