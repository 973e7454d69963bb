import AreaflowCore
import Foundation
import Logging

/// Prepares the output directory of `run`: recovers it to its last checkpoint, refuses a checkpoint of another
/// config or a directory holding some other output, and starts over with `--reset`.
public enum CheckpointRecovery {
  /// - Returns: the checkpoint to resume from, or nil for a fresh start.
  /// - Throws: `OutputDirectory.Refused` with what to do, when the directory cannot be continued (exit 2).
  public static func prepare(_ directory: String, config: PipelineConfig, reset: Bool, logger: Logger)
    throws(OutputDirectory.Refused) -> LiveCheckpoint?
  {
    let fm = FileManager.default
    if reset {
      try OutputDirectory.prepare(directory, overwrite: true)
      logger.notice("--reset: started over with an empty output directory", metadata: ["dir": "\(directory)"])
      return nil
    }
    let checkpoint: LiveCheckpoint?
    do {
      checkpoint = try CheckpointStore.load(directory: directory)
    } catch {
      throw OutputDirectory.Refused(description: error.description)
    }
    if let checkpoint {
      let expected = LiveCheckpoint.fingerprint(of: config)
      guard checkpoint.configFingerprint == expected else {
        throw OutputDirectory.Refused(
          description: """
            the checkpoint in \(directory)/_checkpoint was written with a different config (its input, areas, \
            windows, watermark or features differ) or by an areaflow that kept its window state in another layout, \
            so its state cannot be continued.
              checkpoint: \(checkpoint.configFingerprint)
              this config: \(expected)
            Run with the config it was written with, choose another --out, or pass --reset to discard the checkpoint \
            and the snapshots in \(directory) and start over.
            """)
      }
    }
    do {
      try fm.createDirectory(atPath: directory, withIntermediateDirectories: true)
      let removed = try CheckpointStore.recover(directory: directory, checkpoint: checkpoint)
      if !removed.isEmpty {
        logger.notice(
          "removed files of a flush interrupted before its commit", metadata: ["files": "\(removed.count)"])
      }
    } catch {
      throw OutputDirectory.Refused(description: "cannot prepare output directory \(directory): \(error)")
    }
    if checkpoint == nil {
      // Folders left empty by a first flush that never reached its commit are not someone else's output.
      let enumerator = fm.enumerator(atPath: directory)
      while let relative = enumerator?.nextObject() as? String {
        var isDirectory: ObjCBool = false
        if fm.fileExists(atPath: "\(directory)/\(relative)", isDirectory: &isDirectory), !isDirectory.boolValue {
          throw OutputDirectory.Refused(
            description:
              "output directory \(directory) holds files but no checkpoint of a run; pass --reset to replace a previous areaflow output, or choose another --out"
          )
        }
      }
    }
    return checkpoint
  }
}
