import Dispatch
import Foundation

/// Prepares the output directory of a replay: refuses a non-empty one unless `--overwrite`, and even then only
/// when it holds a previous areaflow output (a `_summary.json`), so a mistyped `--out` never empties a home folder.
public enum OutputDirectory {
  /// A directory that must not be written to, with what to do about it (a usage error: exit 2).
  public struct Refused: Error, CustomStringConvertible {
    public let description: String
  }

  /// The deletion of a replaced output, running in the background; `wait` returns once it is done.
  public final class Removal: Sendable {
    private let group = DispatchGroup()

    init(_ paths: [String]) {
      let group = self.group
      DispatchQueue.global(qos: .utility).async(group: group) {
        for path in paths { try? FileManager.default.removeItem(atPath: path) }
      }
    }

    /// Blocks until the replaced output is deleted (a replay waits before it exits).
    public func wait() { group.wait() }
  }

  /// Empties (or creates) the output directory and waits until what it held is deleted.
  public static func prepare(_ path: String, overwrite: Bool) throws(Refused) {
    try prepareReplacing(path, overwrite: overwrite)?.wait()
  }

  /// Empties (or creates) the output directory; what it held is deleted in the background.
  ///
  /// Deleting a previous output (tens of files, tens of megabytes of page cache to drop) took about 30 ms of wall
  /// time before a replay could start, mostly waiting in the kernel. Its entries are instead moved at once (a rename
  /// each) into a hidden sibling directory, `.NAME.replaced-PID`, which is deleted while the replay runs: the output
  /// directory itself is empty from the start, and readers of it never see old files. Siblings left by a process
  /// that died before deleting its own are deleted too. When a rename cannot be done (the output is a mount point
  /// or a symbolic link to another file system), the entries are deleted in place first, as before.
  /// - Returns: the background deletion to wait for before exiting, or nil when there was nothing to delete.
  public static func prepareReplacing(_ path: String, overwrite: Bool) throws(Refused) -> Removal? {
    let fm = FileManager.default
    var isDirectory: ObjCBool = false
    var removal: Removal?
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
        removal = moveAside(path, contents: contents)
      }
    }
    do {
      try fm.createDirectory(atPath: path, withIntermediateDirectories: true)
    } catch {
      throw Refused(description: "cannot create output directory \(path): \(error.localizedDescription)")
    }
    return removal
  }

  /// Moves `contents` of `path` into a fresh hidden sibling and returns the deletion of it and of any earlier
  /// such sibling; entries that cannot be moved are deleted in place before returning.
  private static func moveAside(_ path: String, contents: [String]) -> Removal {
    let fm = FileManager.default
    let url = URL(fileURLWithPath: path).standardizedFileURL
    let parent = url.deletingLastPathComponent().path
    let prefix = ".\(url.lastPathComponent).replaced-"
    let leftovers = ((try? fm.contentsOfDirectory(atPath: parent)) ?? []).filter { $0.hasPrefix(prefix) }.map {
      (parent as NSString).appendingPathComponent($0)
    }
    let aside = (parent as NSString).appendingPathComponent(prefix + String(ProcessInfo.processInfo.processIdentifier))
    let made = (try? fm.createDirectory(atPath: aside, withIntermediateDirectories: false)) != nil
    for name in contents {
      let from = (path as NSString).appendingPathComponent(name)
      if made, rename(from, (aside as NSString).appendingPathComponent(name)) == 0 { continue }
      try? fm.removeItem(atPath: from)
    }
    return Removal((made ? [aside] : []) + leftovers.filter { $0 != aside })
  }
}
