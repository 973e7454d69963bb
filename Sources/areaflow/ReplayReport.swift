import AreaflowCore
import AreaflowRuntime

/// The short human summary printed at the end of a replay.
enum ReplayReport {
  static func text(_ r: ReplayResult, directory: String) -> String {
    let s = r.summary
    let rate = r.seconds > 0 ? Double(s.eventsAccepted) / r.seconds : 0
    var lines: [String] = []
    lines.append(
      "areaflow: read \(grouped(s.linesRead)) lines (\(megabytes(r.bytesRead))) in \(seconds(r.seconds)): \(grouped(Int64(rate))) events/s"
    )
    let rejected = s.rejected.reduce(0, +)
    var detail = "  accepted \(grouped(s.eventsAccepted)), rejected \(grouped(rejected))"
    if rejected > 0 {
      detail +=
        " ("
        + RejectReason.allCases.filter({ $0.alwaysListed || s.rejected[$0.rawValue] > 0 }).map {
          "\($0.name) \(grouped(s.rejected[$0.rawValue]))"
        }.joined(separator: ", ") + ")"
    }
    if s.emptyLines > 0 { detail += ", empty \(grouped(s.emptyLines))" }
    lines.append(detail)
    lines.append("  late: " + s.late.map { "\($0.0) \(grouped($0.1))" }.joined(separator: ", "))
    if !s.outside.isEmpty {
      lines.append("  outside: " + s.outside.map { "\($0.0) \(grouped($0.1))" }.joined(separator: ", "))
    }
    lines.append("  wrote \(grouped(s.rowsWritten)) rows in \(s.files.count) files to \(directory)")
    if rejected > 0 || s.late.contains(where: { $0.1 > 0 }) {
      lines.append("  rejected and late lines are kept in \(directory)/_rejects and \(directory)/_late")
    }
    return lines.joined(separator: "\n") + "\n"
  }

  static func grouped(_ n: Int64) -> String {
    let digits = String(n.magnitude)
    var out = ""
    for (i, c) in digits.enumerated() {
      if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
      out.append(c)
    }
    return (n < 0 ? "-" : "") + out
  }

  static func seconds(_ s: Double) -> String { "\(Double(Int(s * 100)) / 100) s" }

  static func megabytes(_ b: Int64) -> String { "\(Double(Int(Double(b) / 104_857.6)) / 10) MiB" }
}
