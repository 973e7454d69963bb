import AreaflowCore
import Dispatch

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Collects closed rows and side records and commits them as files: snapshot parts per (window, area scheme),
/// `_rejects/` and `_late/` parts, and `_summary.json` after them.
///
/// Confined to the pipeline's sink queue. Rows are buffered up to `rowsPerCommit` so files are few and large.
///
/// Every commit takes one path: build and encode the tables, write each file atomically, and on any failure remove
/// the files this commit wrote and restore its counters, so a failed commit leaves no listed file behind. In replay
/// the files are written under their final names and `_summary.json` after them. In live mode (`staging`) they are
/// written under hidden `.staged` names that no snapshot glob matches; `publish` then lets the caller commit a
/// checkpoint that lists them and only afterwards renames them into place, so a crash at any moment leaves either
/// the old or the new state.
final class SnapshotSink: @unchecked Sendable {
  let directory: String
  let encoder: any SnapshotEncoder
  let assembler: RowAssembler
  let labels: DimensionLabels
  let windows: [WindowSpec]
  let schemes: [any AreaScheme]
  let rowsPerCommit: Int
  let staging: Bool
  /// The sink queue it is confined to; every entry point asserts it.
  private let queue: DispatchQueue
  private var rows: ClosedRows
  private var rejects: [UInt8] = []
  private var late: [UInt8] = []
  /// Part files numbered so far.
  private(set) var partSequence = 0
  private(set) var summary: RunSummary
  /// Staged files not yet published, relative to `directory`.
  private(set) var staged: [(staged: String, final: String)] = []
  /// Live mode with an HTTP view: the tables of the staged files, handed to the view once published.
  var keepsTables = false
  private var stagedTables: [(window: Int, scheme: Int, table: SnapshotTable)] = []
  /// `output.kafka`: every commit also writes the Kafka messages of its rows as a record file in this folder
  /// (relative to `directory`), committed with its part files; `KafkaPublisher` publishes and then deletes it.
  var kafkaRecords: (encoder: KafkaRecordEncoder, folder: String)?
  /// The last write failure. Replay stops taking input once it is set; live mode keeps its rows and retries.
  private(set) var failure: AtomicFile.WriteError?
  /// How part files begin: `part-`, or in scale-out `part-rNN-` so every repartition partition numbers its own.
  var partPrefix = "part-"
  /// How staged names end: `.staged`, or in scale-out `.INSTANCE.staged` so two instances never stage one name.
  var stagedSuffix = ".staged"
  /// `publish` rewrites `_summary.json` from this sink's summary; scale-out writes the sum of its partitions instead.
  var writesSummary = true

  init(
    directory: String, encoder: any SnapshotEncoder, assembler: RowAssembler, labels: DimensionLabels,
    summary: RunSummary, rowsPerCommit: Int, staging: Bool, queue: DispatchQueue
  ) {
    self.queue = queue
    var summary = summary
    if assembler.marksDisclosure, summary.privacy == nil { summary.privacy = (0, 0) }
    self.directory = directory
    self.encoder = encoder
    self.assembler = assembler
    self.labels = labels
    self.windows = assembler.windows
    self.schemes = assembler.schemes
    self.summary = summary
    self.rowsPerCommit = rowsPerCommit
    self.staging = staging
    self.rows = ClosedRows(features: assembler.features)
  }

  /// Rows buffered for the next commit.
  var bufferedRows: Int { rows.count }

  func add(rows closed: ClosedRows) {
    dispatchPrecondition(condition: .onQueue(queue))
    rows.append(contentsOf: closed)
    if rows.count >= rowsPerCommit, failure == nil { commit() }
  }

  /// Side records and the counters as of the batch that produced them.
  func add(rejects r: [UInt8], late l: [UInt8], counters: RunSummary) {
    dispatchPrecondition(condition: .onQueue(queue))
    rejects.append(contentsOf: r)
    late.append(contentsOf: l)
    let (files, rowsWritten, privacy) = (summary.files, summary.rowsWritten, summary.privacy)
    summary = counters
    summary.files = files
    summary.rowsWritten = rowsWritten
    summary.privacy = privacy
    if rejects.count + late.count >= 16 << 20, failure == nil { commit() }
  }

  /// Continues a run from its checkpoint.
  func restore(summary: RunSummary, partSequence: Int) {
    dispatchPrecondition(condition: .onQueue(queue))
    self.summary = summary
    self.partSequence = partSequence
  }

  /// Writes everything buffered (staged in live mode), then, in replay, the summary. On failure nothing of this
  /// commit stays on disk and its rows stay buffered: live mode retries, replay reports the failure and stops.
  func commit() {
    dispatchPrecondition(condition: .onQueue(queue))
    if !staging, failure != nil { return }
    let before = (summary.files.count, summary.rowsWritten, partSequence, staged.count)
    let privacyBefore = summary.privacy
    var written: [String] = []
    var tables: [(window: Int, scheme: Int, table: SnapshotTable)] = []
    do throws(AtomicFile.WriteError) {
      partSequence += 1
      let part = partPrefix + sixDigits(partSequence)
      let snapshot = labels.snapshot()
      let plan = assembler.plan(rows, labels: snapshot)
      // Tables of strings only when something keeps or publishes them; the encoder writes the rest from the plan.
      let needsTables = keepsTables || kafkaRecords != nil
      // Encoding is pure: the pieces go one per core while the shards behind the sink wait. A large part (the
      // 1-minute windows hold three times the rows of the 15-minute ones) is cut into row ranges when the encoder
      // can write them, so one part does not keep one core busy while the other has nothing left.
      let pieceRows = max(Self.minimumPieceRows, rows.count / 8)
      var pieces: [(part: Int, rows: Range<Int>)] = []
      for (i, piece) in plan.parts.enumerated() {
        let n = piece.order.count
        guard !needsTables, encoder.encodesRowRanges, n > pieceRows else {
          pieces.append((i, 0..<n))
          continue
        }
        for start in stride(from: 0, to: n, by: pieceRows) { pieces.append((i, start..<min(n, start + pieceRows))) }
      }
      let built = Self.concurrentMap(pieces.count) {
        k -> (table: SnapshotTable?, bytes: Result<[UInt8], any Error>) in
        let (i, range) = pieces[k]
        guard needsTables else {
          return (nil, Result { try encoder.encode(plan, part: i, rows: range, header: range.lowerBound == 0) })
        }
        let table = plan.table(i)
        return (table, Result { try encoder.encode(table) })
      }
      var files: [(folder: String, name: String, pieces: [[UInt8]])] = []
      var k = 0
      for (i, piece) in plan.parts.enumerated() {
        let (w, s) = (piece.window, piece.scheme)
        let folder = "\(windows[w].name)/\(schemes[s].name)"
        let name = "\(part).\(encoder.fileExtension)"
        var bytes: [[UInt8]] = []
        var table: SnapshotTable?
        while k < pieces.count && pieces[k].part == i {
          switch built[k].bytes {
          case .success(let b): bytes.append(b)
          case .failure(let error):
            throw AtomicFile.WriteError(path: "\(folder)/\(name)", reason: "cannot encode: \(error)")
          }
          table = built[k].table
          k += 1
        }
        files.append((folder, name, bytes))
        summary.files.append("\(folder)/\(name)")
        summary.rowsWritten += Int64(piece.order.count)
        if keepsTables, let table { tables.append((w, s, table)) }
      }
      if let kafka = kafkaRecords {
        // One record file per commit, even an empty one, so that every commit's publication is accounted for.
        var records = TextWriter()
        for case (let table?, _) in built { kafka.encoder.append(table, to: &records) }
        files.append((kafka.folder, "\(part).records", [records.bytes]))
      }
      for (folder, bytes) in [("_rejects", rejects), ("_late", late)] where !bytes.isEmpty {
        files.append((folder, "\(part).jsonl", [bytes]))
      }
      try place(files, written: &written)
      if var privacy = summary.privacy {
        privacy.suppressedGroups += Int64(rows.suppressed.reduce(0) { $0 + ($1 ? 1 : 0) })
        privacy.rolledUpGroups += Int64(rows.levels.reduce(0) { $0 + ($1 > 0 ? 1 : 0) })
        summary.privacy = privacy
      }
      // The summary last: a failure up to here leaves no file of this commit and keeps its rows.
      if !staging { try AtomicFile.write(Array(summary.json().utf8), to: "\(directory)/_summary.json") }
      rows.removeAll()
      rejects = []
      late = []
      failure = nil
      stagedTables += tables
    } catch {
      failure = error
      for path in written { unlink("\(directory)/\(path)") }
      summary.files.removeLast(summary.files.count - before.0)
      summary.privacy = privacyBefore
      summary.rowsWritten = before.1
      partSequence = before.2
      staged.removeLast(staged.count - before.3)
    }
  }

  /// Rows per encoded piece at least: below this, cutting a part costs more (each piece renders its own labels)
  /// than spreading it gains.
  static let minimumPieceRows = 2048

  /// `body(0..<n)` in order, the calls spread over the cores (each writes only its own element).
  static func concurrentMap<T>(_ n: Int, _ body: (Int) -> T) -> [T] {
    guard n > 1 else { return (0..<n).map(body) }
    nonisolated(unsafe) let results = UnsafeMutableBufferPointer<T?>.allocate(capacity: n)
    results.initialize(repeating: nil)
    defer {
      results.deinitialize()
      results.deallocate()
    }
    withoutActuallyEscaping(body) { body in
      nonisolated(unsafe) let body = body
      DispatchQueue.concurrentPerform(iterations: n) { i in results[i] = body(i) }
    }
    return results.map { $0! }
  }

  /// The tables of the last successful `publish` (when `keepsTables`).
  private(set) var published: [(window: Int, scheme: Int, table: SnapshotTable)] = []

  /// Live mode: stages what is buffered, calls `checkpoint` with the staged files (which must commit a checkpoint
  /// listing them), then renames them into place and rewrites `_summary.json`.
  /// - Returns: false when a write failed (see `failure`); everything is kept for the next attempt.
  func publish(
    checkpoint: (_ staged: [(staged: String, final: String)], _ partSequence: Int, _ summary: RunSummary)
      throws(AtomicFile.WriteError) -> Void
  ) -> Bool {
    precondition(staging, "publish is for live mode")
    dispatchPrecondition(condition: .onQueue(queue))
    commit()
    if failure != nil { return false }
    do throws(AtomicFile.WriteError) {
      try checkpoint(staged, partSequence, summary)
      try Self.rollForward(staged, in: directory)
      staged = []
      published = stagedTables
      stagedTables = []
      if writesSummary { try AtomicFile.write(Array(summary.json().utf8), to: "\(directory)/_summary.json") }
    } catch {
      failure = error
      return false
    }
    return true
  }

  /// Renames staged files to their final names (a listed file already renamed is fine), then syncs their folders.
  static func rollForward(_ files: [(staged: String, final: String)], in directory: String) throws(AtomicFile
    .WriteError)
  {
    var folders = Set<String>()
    for f in files {
      let from = "\(directory)/\(f.staged)"
      let to = "\(directory)/\(f.final)"
      if rename(from, to) != 0 {
        let reason = String(cString: strerror(errno))
        if access(to, F_OK) == 0, access(from, F_OK) != 0 { continue }
        // A Kafka record file is deleted once published, which is only after it was renamed into place.
        if f.final.hasPrefix("_kafka/"), access(from, F_OK) != 0 { continue }
        throw AtomicFile.WriteError(path: f.final, reason: reason)
      }
      folders.insert(String(to[..<(to.lastIndex(of: "/") ?? to.endIndex)]))
    }
    for folder in folders { AtomicFile.syncDirectory(folder) }
  }

  /// Writes a commit's files (each from its pieces), in place in replay and under their staging names in live
  /// mode, one per core: every file is synced before its rename, and the syncs of one commit then wait for the disk
  /// together instead of one after another. On a failure every file that was written is listed in `written` (to be
  /// removed) and the first failure in order is thrown.
  private func place(
    _ files: [(folder: String, name: String, pieces: [[UInt8]])], written: inout [String]
  ) throws(AtomicFile.WriteError) {
    var folders = Set<String>()
    for file in files where folders.insert(file.folder).inserted {
      try AtomicFile.makeDirectories("\(directory)/\(file.folder)")
    }
    let stagedSuffix = stagedSuffix
    let paths = files.map { staging ? "\($0.folder)/.\($0.name)\(stagedSuffix)" : "\($0.folder)/\($0.name)" }
    let directory = directory
    let failures = Self.concurrentMap(files.count) { i -> AtomicFile.WriteError? in
      do throws(AtomicFile.WriteError) {
        try AtomicFile.write(pieces: files[i].pieces, to: "\(directory)/\(paths[i])")
        return nil
      } catch {
        return error
      }
    }
    for (path, failure) in zip(paths, failures) where failure == nil { written.append(path) }
    if let failure = failures.lazy.compactMap({ $0 }).first { throw failure }
    if staging {
      for (path, file) in zip(paths, files) { staged.append((path, "\(file.folder)/\(file.name)")) }
    }
  }
}

/// `n` zero-padded to six digits, so part files sort in commit order.
func sixDigits(_ n: Int) -> String {
  let digits = String(n)
  return String(repeating: "0", count: max(0, 6 - digits.count)) + digits
}
