import AreaflowCore
import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The scale-out state in the shared output directory (`DIR/_checkpoint/`), which every instance reads and writes:
///
/// - `r-NN/epoch-NNNNNNNN.bin`: the commit points of repartition partition NN (`PartitionCheckpoint`). A commit
///   creates the next epoch's file with `link`, which fails when the file exists: of two instances that both believe
///   they own a partition (one of them paused past its session, a zombie), only one commits each epoch, and the
///   other learns it lost the partition. The newest epoch is the partition's state; the two before it are kept.
/// - `r-NN/summary.bin`: that partition's counters, from which `_summary.json` is summed after every commit.
/// - `intake/p-NNNN.bin`: where the intake of source partition NNNN stands (`IntakePosition`).
///
/// Why a shared directory, not Kafka: a partition's rows are files, and the files and the state that says which rows
/// are done must commit together. The existing atomic commit (stage the files, commit a checkpoint listing them,
/// rename) does exactly that on one filesystem; a changelog topic would need a two-phase commit between Kafka and the
/// files. The directory must be one filesystem visible to every instance (local disk for instances on one machine,
/// NFS or similar across machines), with atomic `rename` and `link`.
struct ScaleOutStore: Sendable {
  let directory: String
  let instance: String

  struct Unusable: Error, CustomStringConvertible {
    let description: String
  }

  static func label(_ r: Int) -> String { r < 10 ? "r0\(r)" : "r\(r)" }
  func folder(_ r: Int) -> String { "\(directory)/_checkpoint/\(Self.label(r))" }
  func intakeFile(_ p: Int32) -> String { "\(directory)/_checkpoint/intake/p-\(p).bin" }

  /// The epochs committed for `r`, ascending.
  func epochs(_ r: Int) -> [Int] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: folder(r))) ?? []
    return names.compactMap { name -> Int? in
      guard name.hasPrefix("epoch-"), name.hasSuffix(".bin") else { return nil }
      return Int(name.dropFirst(6).dropLast(4))
    }.sorted()
  }

  private func epochFile(_ r: Int, _ epoch: Int) -> String {
    let digits = String(epoch)
    return "\(folder(r))/epoch-\(String(repeating: "0", count: max(0, 8 - digits.count)))\(digits).bin"
  }

  /// Brings `r`'s files to its newest epoch (its renames rolled forward, its other staged files deleted) and
  /// returns that epoch's checkpoint, or nil for a partition never committed.
  func recover(_ r: Int, fingerprint: String) throws(Unusable) -> PartitionCheckpoint? {
    var checkpoint: PartitionCheckpoint?
    if let newest = epochs(r).last {
      let path = epochFile(r, newest)
      guard let data = FileManager.default.contents(atPath: path) else {
        throw Unusable(description: "cannot read \(path)")
      }
      do {
        checkpoint = try PartitionCheckpoint.decode([UInt8](data))
      } catch {
        throw Unusable(description: "\(path) is damaged (\(error))")
      }
      guard checkpoint?.fingerprint == fingerprint else {
        throw Unusable(
          description: """
            \(path) was written for a different config or repartition topic; use another output directory, or delete \
            it (and the group's offsets) to start over
            """)
      }
    }
    if let checkpoint, !checkpoint.pendingFiles.isEmpty {
      do {
        try SnapshotSink.rollForward(checkpoint.pendingFiles, in: directory)
      } catch {
        throw Unusable(description: error.description)
      }
    }
    sweep(r, epoch: checkpoint?.epoch ?? 0, partSequence: checkpoint?.partSequence ?? 0)
    if let checkpoint { try? writeSummary(r, checkpoint.summary) }
    return checkpoint
  }

  /// Deletes what no commit of `r` can list any more, left by instances killed while committing: staged part files
  /// (and their temporaries) of `r` that are this instance's, or numbered at or below `partSequence`, the newest
  /// epoch's (that number is taken: whoever staged it lost its epoch), or abandoned for `abandonedAfter`; and epoch
  /// temporaries at or below `epoch`, the newest. Another instance's fresh staged files beyond the newest epoch are left alone: it
  /// may still hold `r` (paused past its session) and be about to commit them; if it loses that commit it deletes
  /// them itself.
  func sweep(_ r: Int, epoch newest: Int, partSequence: Int, abandonedAfter seconds: Double = 900) {
    let prefix = "part-\(Self.label(r))-"
    let own = ".\(instance).staged"
    let now = Date()
    func age(_ path: String) -> Double {
      let modified = (try? FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date) ?? nil
      return now.timeIntervalSince(modified ?? now)
    }
    if let walker = FileManager.default.enumerator(atPath: directory) {
      for case let relative as String in walker {
        let name = (relative as NSString).lastPathComponent
        guard name.hasPrefix("."), name.contains(".staged") else { continue }
        let bare = name.drop { $0 == "." }
        guard bare.hasPrefix(prefix) else { continue }
        let sequence = Int(bare.dropFirst(prefix.count).prefix { $0.isNumber }) ?? Int.max
        let path = "\(directory)/\(relative)"
        if name.hasSuffix(own) || sequence <= partSequence || age(path) > seconds { unlink(path) }
      }
    }
    let folder = folder(r)
    for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] where name.hasPrefix(".") {
      let bare = name.drop { $0 == "." }
      let path = "\(folder)/\(name)"
      if bare.hasPrefix("epoch-") {
        let epoch = Int(bare.dropFirst(6).prefix { $0.isNumber }) ?? Int.max
        if epoch <= newest || age(path) > seconds { unlink(path) }
      } else if age(path) > 10 {
        unlink(path)
      }
    }
  }

  /// Deletes temporaries of the shared files (`_summary.json`, intake positions) left by a killed instance: a write
  /// takes milliseconds, so one older than ten seconds is abandoned.
  func sweepShared() {
    let now = Date()
    for folder in [directory, "\(directory)/_checkpoint/intake"] {
      for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] where name.contains(".tmp-") {
        let path = "\(folder)/\(name)"
        let modified = (try? FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date) ?? nil
        if now.timeIntervalSince(modified ?? now) > 10 { unlink(path) }
      }
    }
  }

  /// Commits `checkpoint` as `r`'s next epoch.
  /// - Returns: false when that epoch exists already: another instance committed the partition meanwhile.
  func commit(_ checkpoint: PartitionCheckpoint, partition r: Int) throws(AtomicFile.WriteError) -> Bool {
    let folder = folder(r)
    try AtomicFile.makeDirectories(folder)
    let temporary = "\(folder)/.epoch-\(checkpoint.epoch).\(instance).\(getpid()).pending"
    try AtomicFile.write(checkpoint.encode(), to: temporary)
    defer { unlink(temporary) }
    let target = epochFile(r, checkpoint.epoch)
    if link(temporary, target) != 0 {
      if errno == EEXIST { return false }
      throw AtomicFile.WriteError(path: target, reason: String(cString: strerror(errno)))
    }
    AtomicFile.syncDirectory(folder)
    for old in epochs(r) where old < checkpoint.epoch - 2 { unlink(epochFile(r, old)) }
    return true
  }

  func writeSummary(_ r: Int, _ summary: RunSummary) throws(AtomicFile.WriteError) {
    try AtomicFile.write(summary.stateBytes(), to: "\(folder(r))/summary.bin")
  }

  /// Rewrites `_summary.json` as the sum of every partition's counters.
  func writeTotal(template: RunSummary) throws(AtomicFile.WriteError) {
    let root = "\(directory)/_checkpoint"
    let names = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).filter { $0.hasPrefix("r") }
      .sorted()
    var summaries: [RunSummary] = []
    for name in names {
      guard let data = FileManager.default.contents(atPath: "\(root)/\(name)/summary.bin"),
        let s = try? RunSummary.fromState([UInt8](data))
      else { continue }
      summaries.append(s)
    }
    let total = PartitionCheckpoint.total(summaries, template: template)
    try AtomicFile.write(Array(total.json().utf8), to: "\(directory)/_summary.json")
  }

  func loadIntake(_ p: Int32, fingerprint: String) throws(Unusable) -> IntakePosition? {
    let path = intakeFile(p)
    guard let data = FileManager.default.contents(atPath: path) else { return nil }
    do {
      return try IntakePosition.decode([UInt8](data), fingerprint: fingerprint)
    } catch {
      throw Unusable(description: "\(path): \(error)")
    }
  }

  func saveIntake(_ position: IntakePosition, fingerprint: String) throws(AtomicFile.WriteError) {
    try AtomicFile.makeDirectories("\(directory)/_checkpoint/intake")
    try AtomicFile.write(position.encode(fingerprint: fingerprint), to: intakeFile(position.partition))
  }
}
