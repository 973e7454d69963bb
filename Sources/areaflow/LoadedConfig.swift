import AreaflowCore
import AreaflowRuntime
import ArgumentParser
import Foundation

/// A config read from disk, validated, with its area schemes built: the shared first step of every command.
struct LoadedConfig {
  let path: String
  let config: PipelineConfig
  let schemes: [any AreaScheme]

  /// Loads `path`; on any problem prints it and exits 2 before anything is written.
  static func load(_ path: String) throws -> LoadedConfig {
    guard let data = FileManager.default.contents(atPath: path) else {
      StandardError.write("areaflow: \(path): cannot read the config file\n")
      throw ExitCode(2)
    }
    let text = String(decoding: data, as: UTF8.self)
    do {
      let config = try ConfigLoader(file: path).load(text)
      let schemes = try AreaSchemeFactory.make(config, configFile: path) { file in
        guard let bytes = FileManager.default.contents(atPath: file) else {
          throw ConfigError(file: path, line: 0, column: 0, key: "areas", message: "cannot read \(file)")
        }
        return [UInt8](bytes)
      }
      return LoadedConfig(path: path, config: config, schemes: schemes)
    } catch let error as ConfigError {
      StandardError.write("areaflow: config error: \(error)\n")
      throw ExitCode(2)
    } catch {
      StandardError.write("areaflow: config error: \(path): \(error)\n")
      throw ExitCode(2)
    }
  }
}
