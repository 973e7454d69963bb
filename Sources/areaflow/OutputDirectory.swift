import AreaflowRuntime
import ArgumentParser
import Foundation

/// Prepares the output directory of a replay: refuses a non-empty one unless `--overwrite`, and even then only
/// when it holds a previous areaflow output (a `_summary.json`), so a mistyped `--out` never empties a home folder.
enum OutputDirectory {
  static func prepare(_ path: String, overwrite: Bool) throws {
    let fm = FileManager.default
    var isDirectory: ObjCBool = false
    if fm.fileExists(atPath: path, isDirectory: &isDirectory) {
      guard isDirectory.boolValue else {
        StandardError.write("areaflow: output \(path) exists and is not a directory\n")
        throw ExitCode(2)
      }
      let contents = (try? fm.contentsOfDirectory(atPath: path)) ?? []
      if !contents.isEmpty {
        guard overwrite else {
          StandardError.write(
            "areaflow: output directory \(path) is not empty; pass --overwrite to replace a previous output, or choose another --out\n"
          )
          throw ExitCode(2)
        }
        guard contents.contains("_summary.json") else {
          StandardError.write(
            "areaflow: output directory \(path) is not empty and holds no _summary.json, so it does not look like an areaflow output; refusing to delete it even with --overwrite\n"
          )
          throw ExitCode(2)
        }
        for name in contents { try? fm.removeItem(atPath: (path as NSString).appendingPathComponent(name)) }
      }
    }
    do {
      try fm.createDirectory(atPath: path, withIntermediateDirectories: true)
    } catch {
      StandardError.write("areaflow: cannot create output directory \(path): \(error.localizedDescription)\n")
      throw ExitCode(2)
    }
  }
}
