import AreaflowCore
import Foundation
import Logging

/// A file or directory input of `run`, followed like `tail -F`.
///
/// - A file path: appended bytes are read as they come; when the path is renamed away and recreated (rotation),
///   the old file is read to its end and then the new one from its start; a file truncated below what was read
///   (copytruncate) is reread from the start; a path that does not exist yet is waited for.
/// - A directory: every file in it (not hidden) is followed, in name order, and new files are picked up. Files are
///   followed by identity, so a rotation inside the directory (`app.log` → `app.log.1`) is not read twice.
///
/// Used only from the driver's intake queue, which asserts it where it calls in. Files are polled: Linux has no
/// readiness events for regular files, and a short poll interval costs one `pread` per file when nothing has changed.
final class FollowedPathSource: Source {
  let index: Int
  let path: String
  var name: String { path }
  let isDirectory: Bool
  private let format: InputConfig.Format
  private let plan: FieldPlan
  private let batchLines: Int
  private let feedState: FeedState?
  private let logger: Logger
  /// Followed files in reading order; for a file path, a rotated file being finished comes before the current one.
  private(set) var files: [FollowedFile] = []
  /// Checkpointed positions not yet matched to a file.
  private var pending: [InputPosition]
  private var warnedMissing = false
  /// Files that exist but could not be opened, reported once.
  private var unreadable: Set<FileIdentity> = []
  /// `--once`: a missing file is an error, not something to wait for.
  private let once: Bool
  /// A file that failed (corrupt data) is not read again; its identity is remembered.
  private var failed: Set<FileIdentity> = []
  /// Errors to report in the summary.
  private(set) var errors: [String] = []
  /// The last poll found nothing to read anywhere (the end of `run --once`).
  private(set) var isExhausted = false

  init(
    index: Int, path: String, isDirectory: Bool, format: InputConfig.Format, plan: FieldPlan, batchLines: Int,
    positions: [InputPosition], once: Bool, feedState: FeedState? = nil, logger: Logger
  ) {
    self.once = once
    self.feedState = feedState
    self.index = index
    self.path = path
    self.isDirectory = isDirectory
    self.format = format
    self.plan = plan
    self.batchLines = batchLines
    self.logger = logger
    pending = positions
    if !isDirectory { resumeRotated() }
  }

  /// A file path whose checkpointed file was rotated away while areaflow was stopped: finds it next to the path by
  /// identity and finishes it first.
  private func resumeRotated() {
    guard !pending.isEmpty else { return }
    let current = FileIdentity.of(path: path)?.0
    let folder = (path as NSString).deletingLastPathComponent
    let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder.isEmpty ? "." : folder)) ?? []).sorted()
    for position in pending {
      let identity = FileIdentity(device: position.device, inode: position.inode)
      if identity == current { continue }
      for name in names {
        let candidate = folder.isEmpty ? name : "\(folder)/\(name)"
        guard FileIdentity.of(path: candidate)?.0 == identity,
          let file = open(candidate, position: position), file.matches(position)
        else { continue }
        logger.info(
          "resuming a rotated file",
          metadata: ["input": "\(path)", "file": "\(candidate)", "offset": "\(position.resumeOffset)"])
        files.append(file)
        pending.removeAll { $0 == position }
        break
      }
    }
  }

  private func open(_ file: String, position: InputPosition?) -> FollowedFile? {
    FollowedFile(
      path: file, input: index, format: format, plan: plan, batchLines: batchLines, position: position,
      feedState: feedState)
  }

  /// Opens `file` at its checkpointed position when one matches it, else from its start.
  private func follow(_ file: String) -> FollowedFile? {
    guard let fresh = open(file, position: nil) else { return nil }
    if let position = pending.first(where: { fresh.matches($0) }) {
      pending.removeAll { $0 == position }
      logger.info(
        "resuming", metadata: ["file": "\(file)", "offset": "\(position.resumeOffset)", "line": "\(position.lines)"])
      return open(file, position: position)
    }
    if !pending.isEmpty, !isDirectory {
      for p in pending where p.path == file {
        logger.warning(
          "the checkpointed file is gone (replaced while areaflow was stopped); reading the new file from its start",
          metadata: ["file": "\(file)", "lost_after_offset": "\(p.resumeOffset)"])
      }
      pending.removeAll()
    }
    return fresh
  }

  /// Looks for new, rotated, truncated and deleted files.
  private func refresh(deliver: (LineChunk) -> Void) {
    if isDirectory {
      let names = ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).filter { !$0.hasPrefix(".") }
        .sorted()
      var ordered: [FollowedFile] = []
      var seen = Set<FileIdentity>()
      for name in names {
        let full = "\(path)/\(name)"
        guard let (identity, _, isDir) = FileIdentity.of(path: full), !isDir, !failed.contains(identity) else {
          continue
        }
        seen.insert(identity)
        if let existing = files.first(where: { $0.identity == identity }) {
          existing.renamed(to: full)
          ordered.append(existing)
        } else if let file = follow(full) {
          logger.info("following a new file", metadata: ["file": "\(full)"])
          ordered.append(file)
        }
      }
      for gone in files where !seen.contains(gone.identity) {
        // Deleted or moved out: read what is left through the open descriptor, then let it go.
        finish(gone, deliver: deliver)
      }
      files = ordered
      return
    }
    guard let (identity, _, _) = FileIdentity.of(path: path) else {
      if files.isEmpty, !warnedMissing {
        warnedMissing = true
        if once {
          errors.append("\(path): cannot open: no such file")
          logger.error("input error; the other inputs go on", metadata: ["error": "\(path): no such file"])
        } else {
          logger.warning("waiting for the input file to appear", metadata: ["file": "\(path)"])
        }
      }
      return
    }
    warnedMissing = false
    if files.last?.identity != identity, !failed.contains(identity) {
      guard let file = follow(path) else {
        // It exists but cannot be opened (permissions): reported once, retried at every poll.
        if !unreadable.contains(identity) {
          unreadable.insert(identity)
          let message = "\(path): cannot open: \(String(cString: strerror(errno)))"
          errors.append(message)
          logger.error("input error; the other inputs go on", metadata: ["error": "\(message)"])
        }
        return
      }
      if !files.isEmpty {
        logger.info("the input file was rotated; finishing the old one", metadata: ["file": "\(path)"])
      }
      files.append(file)
    }
  }

  private func finish(_ file: FollowedFile, deliver: (LineChunk) -> Void) {
    do {
      _ = try file.pump(budget: Int.max, deliver: deliver)
      try file.finish(deliver: deliver)
    } catch {
      report(file, error)
    }
  }

  private func report(_ file: FollowedFile, _ error: Error) {
    let message = "\(file.path): \(error)"
    logger.error("input error; the other inputs go on", metadata: ["error": "\(message)"])
    errors.append(message)
    failed.insert(file.identity)
  }

  /// Reads what is available, in order, up to `budget` bytes.
  func read(budget: Int, deliver: (LineChunk) -> Void) -> SourceRead {
    let (bytes, more) = poll(budget: budget, deliver: deliver)
    isExhausted = bytes == 0 && !more
    return SourceRead(bytes: bytes, status: more ? .more : .caughtUp)
  }

  /// Reads what is available, in order, up to `budget` bytes.
  /// - Returns: the bytes read and whether the budget ran out before every file was at its end.
  private func poll(budget: Int, deliver: (LineChunk) -> Void) -> (bytes: Int, more: Bool) {
    refresh(deliver: deliver)
    var total = 0
    var keep: [FollowedFile] = []
    var more = false
    for (k, file) in files.enumerated() {
      if more || failed.contains(file.identity) {
        if !failed.contains(file.identity) { keep.append(file) }
        continue
      }
      if file.wasTruncated {
        logger.warning(
          "the input file was truncated; reading it again from the start", metadata: ["file": "\(file.path)"])
        try? file.finish(deliver: deliver)
        file.restartFromBeginning()
      }
      do {
        let (result, n) = try file.pump(budget: budget - total, deliver: deliver)
        total += n
        if result == .more { more = true }
      } catch {
        report(file, error)
        continue
      }
      // A rotated-away file (not the last for a file path) is done once read to its end.
      let rotatedAway = !isDirectory && k < files.count - 1
      if rotatedAway, !more {
        finish(file, deliver: deliver)
        logger.info("finished the rotated file", metadata: ["file": "\(file.path)"])
        continue
      }
      keep.append(file)
    }
    files = keep
    return (total, more)
  }

  /// At the end of `run --once`: hands on every last unterminated line.
  /// The files stay listed, so the checkpoint records their ends and a later `run` reads only what is appended.
  func finish(deliver: (LineChunk) -> Void) {
    for file in files { finish(file, deliver: deliver) }
  }

  /// Positions of every followed file, plus checkpointed ones not seen again yet (so they survive a restart).
  func positions() -> [InputPosition] {
    files.filter { !failed.contains($0.identity) }.map { $0.position() } + pending
  }
}
