/// The counters of a run, written as `_summary.json` at every commit; they always add up:
/// `lines_read = events_accepted + Σ rejected + empty_lines`.
public struct RunSummary: Sendable, Equatable {
  public var linesRead: Int64 = 0
  public var emptyLines: Int64 = 0
  public var eventsAccepted: Int64 = 0
  /// By `RejectReason.rawValue`.
  public var rejected: [Int64] = Array(repeating: 0, count: RejectReason.allCases.count)
  /// Per window name, in config order.
  public var late: [(String, Int64)]
  /// Per regions scheme: accepted events inside no region.
  public var outside: [(String, Int64)]
  public var rowsWritten: Int64 = 0
  /// Snapshot files relative to the output directory, in commit order.
  public var files: [String] = []
  /// Inputs that could not be read to their end, with the reason.
  public var inputErrors: [String] = []
  /// The watermark (ns) after the last event, for `inspect` and resumption; nil before any event.
  public var watermark: Int64?
  /// `privacy`: rows written suppressed, and rolled-up parent rows written (nil without `privacy`).
  public var privacy: (suppressedGroups: Int64, rolledUpGroups: Int64)?
  /// `input.format: gtfs-rt`: messages and entities beyond the lines (nil for other formats).
  public var feed: FeedSummary?

  public init(windows: [String], regionSchemes: [String]) {
    late = windows.map { ($0, 0) }
    outside = regionSchemes.map { ($0, 0) }
  }

  public static func == (a: RunSummary, b: RunSummary) -> Bool {
    a.json() == b.json()
  }

  /// The `_summary.json` text.
  public func json() -> String {
    var w = TextWriter()
    w.write("{\n  \"lines_read\": \(linesRead),\n  \"empty_lines\": \(emptyLines),\n")
    w.write("  \"events_accepted\": \(eventsAccepted),\n  \"rejected\": {")
    for (i, reason) in RejectReason.allCases.filter({ $0.alwaysListed || rejected[$0.rawValue] > 0 }).enumerated() {
      w.write("\(i > 0 ? ", " : "")\"\(reason.name)\": \(rejected[reason.rawValue])")
    }
    w.write("},\n  \"late\": {")
    for (i, (name, n)) in late.enumerated() {
      if i > 0 { w.write(", ") }
      w.write(jsonString: name)
      w.write(": \(n)")
    }
    w.write("},\n  \"outside\": {")
    for (i, (name, n)) in outside.enumerated() {
      if i > 0 { w.write(", ") }
      w.write(jsonString: name)
      w.write(": \(n)")
    }
    w.write("},\n  \"rows_written\": \(rowsWritten),\n")
    if let privacy {
      w.write(
        "  \"privacy\": {\"suppressed_groups\": \(privacy.suppressedGroups), \"rolled_up_groups\": \(privacy.rolledUpGroups)},\n"
      )
    }
    if let feed { w.write("  \"gtfs_rt\": \(feed.json()),\n") }
    if let watermark {
      w.write("  \"watermark\": ")
      w.write(jsonString: CivilDate.rfc3339(millis: WindowMath.floorDiv(watermark, 1_000_000)))
      w.write(",\n")
    }
    w.write("  \"input_errors\": [")
    for (i, e) in inputErrors.enumerated() {
      if i > 0 { w.write(", ") }
      w.write(jsonString: e)
    }
    w.write("],\n  \"files\": [")
    for (i, f) in files.enumerated() {
      w.write(i > 0 ? ",\n    " : "\n    ")
      w.write(jsonString: f)
    }
    w.write(files.isEmpty ? "]\n}\n" : "\n  ]\n}\n")
    return String(decoding: w.bytes, as: UTF8.self)
  }
}
