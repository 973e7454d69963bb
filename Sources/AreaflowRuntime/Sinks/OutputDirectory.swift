import Foundation

/// Prepares the output directory of a replay: refuses a non-empty one unless `--overwrite`, and even then only
/// when it holds a previous areaflow output (a `_summary.json`), so a mistyped `--out` never empties a home folder.
public enum OutputDirectory {
  /// A directory that must not be written to, with what to do about it (a usage error: exit 2).
  public struct Refused: Error, CustomStringConvertible {
    public let description: String
  }

  public static func prepare(_ path: String, overwrite: Bool) throws(Refused) {
    let fm = FileManager.default
    var isDirectory: ObjCBool = false
    if fm.fileExists(atPath: path, isDirectory: &isDirectory) {
      guard isDirectory.boolValue else { throw Refused(description: "output \(path) exists and is not a directory") }
      let contents = (try? fm.contentsOfDirectory(atPath: path)) ?? []
      if !contents.isEmpty {
        guard overwrite else {
          throw Refused(
            description:
              "output directory \(path) is not empty; pass --overwrite to replace a previous output, or choose another --out"
          )
        }
        guard contents.contains("_summary.json") else {
          throw Refused(
            description:
              "output directory \(path) is not empty and holds no _summary.json, so it does not look like an areaflow output; refusing to delete it even with --overwrite"
          )
        }
        for name in contents { try? fm.removeItem(atPath: (path as NSString).appendingPathComponent(name)) }
      }
    }
    do {
      try fm.createDirectory(atPath: path, withIntermediateDirectories: true)
    } catch {
      throw Refused(description: "cannot create output directory \(path): \(error.localizedDescription)")
    }
  }
}
