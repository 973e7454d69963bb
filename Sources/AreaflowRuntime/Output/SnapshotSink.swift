import AreaflowCore

/// Collects closed rows and side records and commits them as files: snapshot parts per (window, area scheme),
/// `_rejects/` and `_late/` parts, and `_summary.json` after them.
///
/// Confined to the pipeline's sink queue. Rows are buffered up to `rowsPerCommit` so files are few and large.
final class SnapshotSink: @unchecked Sendable {
  let directory: String
  let encoder: any SnapshotEncoder
  let assembler: RowAssembler
  let labels: DimensionLabels
  let windows: [WindowSpec]
  let schemes: [any AreaScheme]
  let rowsPerCommit: Int
  private var rows: ClosedRows
  private var rejects: [UInt8] = []
  private var late: [UInt8] = []
  private var sequence = 0
  private(set) var summary: RunSummary
  /// The first write failure; the pipeline stops taking input once set.
  private(set) var failure: AtomicFile.WriteError?

  init(
    directory: String, encoder: any SnapshotEncoder, assembler: RowAssembler, labels: DimensionLabels,
    summary: RunSummary, rowsPerCommit: Int = 200_000
  ) {
    self.directory = directory
    self.encoder = encoder
    self.assembler = assembler
    self.labels = labels
    self.windows = assembler.windows
    self.schemes = assembler.schemes
    self.summary = summary
    self.rowsPerCommit = rowsPerCommit
    self.rows = ClosedRows(features: assembler.features)
  }

  func add(rows closed: ClosedRows) {
    rows.append(contentsOf: closed)
    if rows.count >= rowsPerCommit { commit() }
  }

  /// Side records and the counters as of the batch that produced them.
  func add(rejects r: [UInt8], late l: [UInt8], counters: RunSummary) {
    rejects.append(contentsOf: r)
    late.append(contentsOf: l)
    let files = summary.files
    let rowsWritten = summary.rowsWritten
    summary = counters
    summary.files = files
    summary.rowsWritten = rowsWritten
    if rejects.count + late.count >= 16 << 20 { commit() }
  }

  /// Writes everything buffered, then the summary.
  func commit() {
    guard failure == nil else { return }
    do throws(AtomicFile.WriteError) {
      sequence += 1
      let part = "part-" + sixDigits(sequence)
      let ready = rows
      rows = ClosedRows(features: assembler.features)
      for (w, s, table) in assembler.tables(ready, labels: labels.snapshot()) {
        let relative = "\(windows[w].name)/\(schemes[s].name)/\(part).\(encoder.fileExtension)"
        try AtomicFile.makeDirectories("\(directory)/\(windows[w].name)/\(schemes[s].name)")
        let bytes: [UInt8]
        do {
          bytes = try encoder.encode(table)
        } catch {
          throw AtomicFile.WriteError(path: relative, reason: "cannot encode: \(error)")
        }
        try AtomicFile.write(bytes, to: "\(directory)/\(relative)")
        summary.files.append(relative)
        summary.rowsWritten += Int64(table.rowCount)
      }
      for (name, bytes) in [("_rejects", rejects), ("_late", late)] where !bytes.isEmpty {
        try AtomicFile.makeDirectories("\(directory)/\(name)")
        try AtomicFile.write(bytes, to: "\(directory)/\(name)/\(part).jsonl")
      }
      rejects = []
      late = []
      try AtomicFile.write(Array(summary.json().utf8), to: "\(directory)/_summary.json")
    } catch {
      failure = error
    }
  }
}

/// `n` zero-padded to six digits, so part files sort in commit order.
func sixDigits(_ n: Int) -> String {
  let digits = String(n)
  return String(repeating: "0", count: max(0, 6 - digits.count)) + digits
}
