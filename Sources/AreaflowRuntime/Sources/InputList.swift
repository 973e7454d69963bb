import Foundation

/// The inputs of a command line, expanded: a directory stands for its files in name order, `-` for standard input.
public struct InputList: Sendable {
  public struct Entry: Sendable, Equatable {
    /// A path, or `-` for standard input.
    public var path: String
    /// Size in bytes when known (regular files), for progress.
    public var size: Int64?
  }
  public var entries: [Entry]

  /// Expands `arguments`. A path that does not exist stays in the list: reading it fails like any unreadable
  /// input (reported, exit 1) while the other inputs are still processed.
  public init(_ arguments: [String]) {
    var entries: [Entry] = []
    let fm = FileManager.default
    for argument in arguments {
      if argument == "-" {
        entries.append(Entry(path: "-", size: nil))
        continue
      }
      var isDirectory: ObjCBool = false
      guard fm.fileExists(atPath: argument, isDirectory: &isDirectory) else {
        entries.append(Entry(path: argument, size: nil))
        continue
      }
      if isDirectory.boolValue {
        let names = (try? fm.contentsOfDirectory(atPath: argument)) ?? []
        for name in names.sorted() where !name.hasPrefix(".") {
          let path = (argument as NSString).appendingPathComponent(name)
          var sub: ObjCBool = false
          if fm.fileExists(atPath: path, isDirectory: &sub), !sub.boolValue {
            entries.append(Entry(path: path, size: Self.size(path)))
          }
        }
      } else {
        entries.append(Entry(path: argument, size: Self.size(argument)))
      }
    }
    self.entries = entries
  }

  static func size(_ path: String) -> Int64? {
    (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value
  }

  /// Total bytes of the inputs whose size is known.
  public var knownBytes: Int64 { entries.reduce(0) { $0 + ($1.size ?? 0) } }
}
