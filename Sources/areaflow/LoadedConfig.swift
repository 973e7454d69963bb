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
      var config = try ConfigLoader(file: path).load(text)
      if let source = config.privacy?.keySource { config.privacy?.key = try readKey(source, configFile: path) }
      if let lookup = config.input.lookup {
        guard let bytes = FileManager.default.contents(atPath: lookup.table) else {
          throw ConfigError(
            file: path, line: 0, column: 0, key: "input.lookup.table", message: "cannot read \(lookup.table)")
        }
        do {
          config.input.lookup?.loaded = try LookupTable.load([UInt8](bytes), spec: lookup)
        } catch {
          throw ConfigError(
            file: path, line: 0, column: 0, key: "input.lookup.table", message: "\(lookup.table): \(error)")
        }
      }
      let schemes = try AreaSchemeFactory.make(config, configFile: path) { file in
        guard let bytes = FileManager.default.contents(atPath: file) else {
          throw ConfigError(file: path, line: 0, column: 0, key: "areas", message: "cannot read \(file)")
        }
        return [UInt8](bytes)
      }
      return LoadedConfig(path: path, config: config, schemes: schemes)
    } catch let error as KeyError {
      StandardError.write("areaflow: config error: \(path): privacy.pseudonymise: \(error.description)\n")
      throw ExitCode(2)
    } catch let error as ConfigError {
      StandardError.write("areaflow: config error: \(error)\n")
      throw ExitCode(2)
    } catch {
      StandardError.write("areaflow: config error: \(path): \(error)\n")
      throw ExitCode(2)
    }
  }

  /// A pseudonymisation key that cannot be read: the message names where it was looked for, never a key.
  struct KeyError: Error, CustomStringConvertible {
    let description: String
  }

  /// Reads the pseudonymisation key from the environment or a file. A file's trailing line break is not part of
  /// the key (`echo KEY > file` is the usual way to write one).
  static func readKey(_ source: PrivacyConfig.KeySource, configFile: String) throws -> SecretKey {
    switch source {
    case .environment(let name):
      guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else {
        throw KeyError(
          description:
            "the environment variable \(name) (key_env) is not set or empty; set it to the key before starting areaflow"
        )
      }
      return SecretKey(Array(value.utf8))
    case .file(let file):
      guard var bytes = FileManager.default.contents(atPath: file).map({ [UInt8]($0) }) else {
        throw KeyError(description: "cannot read the key file \(file) (key_file)")
      }
      while let last = bytes.last, last == 10 || last == 13 { bytes.removeLast() }
      guard !bytes.isEmpty else { throw KeyError(description: "the key file \(file) (key_file) is empty") }
      return SecretKey(bytes)
    }
  }
}
