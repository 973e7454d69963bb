import AreaflowCore
import Foundation

/// The checkpoint file of a live output directory, `DIR/_checkpoint/checkpoint.bin`, and the recovery that runs
/// before a restart: roll forward the renames the last checkpoint lists, delete staged and temporary files no
/// checkpoint covers (a flush interrupted before its commit point), rewrite `_summary.json` from the checkpoint.
public enum CheckpointStore {
  public static func file(in directory: String) -> String { "\(directory)/_checkpoint/checkpoint.bin" }

  /// A checkpoint that cannot be used, with what to do about it.
  public struct Unusable: Error, CustomStringConvertible {
    public let description: String
  }

  /// Reads the checkpoint of `directory`, or nil when there is none.
  public static func load(directory: String) throws(Unusable) -> LiveCheckpoint? {
    let path = file(in: directory)
    guard FileManager.default.fileExists(atPath: path) else { return nil }
    guard let data = FileManager.default.contents(atPath: path) else {
      throw Unusable(description: "cannot read the checkpoint \(path)")
    }
    do {
      return try LiveCheckpoint.decode([UInt8](data))
    } catch {
      throw Unusable(description: "the checkpoint \(path) is damaged (\(error)); pass --reset to start over")
    }
  }

  /// Commits `checkpoint`: the commit point of a flush.
  static func write(_ checkpoint: LiveCheckpoint, directory: String) throws(AtomicFile.WriteError) {
    try AtomicFile.makeDirectories("\(directory)/_checkpoint")
    try AtomicFile.write(checkpoint.encode(), to: file(in: directory))
  }

  /// Brings `directory` to exactly the state `checkpoint` committed (or to empty output when there is none).
  /// - Returns: the staged or temporary files removed, relative to `directory`.
  public static func recover(directory: String, checkpoint: LiveCheckpoint?) throws -> [String] {
    if let checkpoint, !checkpoint.pendingFiles.isEmpty {
      try SnapshotSink.rollForward(checkpoint.pendingFiles, in: directory)
    }
    var removed: [String] = []
    let fm = FileManager.default
    if let walker = fm.enumerator(atPath: directory) {
      for case let relative as String in walker {
        let name = (relative as NSString).lastPathComponent
        guard name.hasPrefix("."), name.hasSuffix(".staged") || name.contains(".tmp-") else { continue }
        try? fm.removeItem(atPath: "\(directory)/\(relative)")
        removed.append(relative)
      }
    }
    if let checkpoint {
      try AtomicFile.write(Array(checkpoint.summary.json().utf8), to: "\(directory)/_summary.json")
    }
    return removed
  }
}
