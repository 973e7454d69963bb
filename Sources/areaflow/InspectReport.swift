import AreaflowCore
import Foundation

/// Renders an inspection as aligned terminal tables or as JSON.
enum InspectReport {
  static func text(_ r: SnapshotInspection, summary: [String: Any]?, dir: String) -> String {
    var out = "\(dir): \(r.files.count) snapshot files, \(r.rows) rows\n\n"
    out += table(
      ["window", "windows", "rows", "first start", "last end"],
      r.windows.map {
        [
          $0.name, "\($0.windows)", "\($0.rows)", CivilDate.rfc3339(millis: $0.firstStart),
          CivilDate.rfc3339(millis: $0.lastEnd),
        ]
      })
    out += "\n" + table(["area scheme", "areas", "rows"], r.schemes.map { [$0.name, "\($0.areas)", "\($0.rows)"] })
    if let f = r.topFeature {
      out += "\ntop areas by \(f) (\(r.topMethod) over the area's rows):\n"
      out += table(
        ["area scheme", "area", r.topMethod, "rows"],
        r.top.map { [$0.scheme, $0.area, format($0.value), "\($0.rows)"] })
    }
    if let s = summary {
      out += "\n"
      var rows: [[String]] = []
      for key in ["lines_read", "events_accepted", "rows_written"] { if let v = s[key] { rows.append([key, "\(v)"]) } }
      for (group, label) in [
        ("rejected", "rejected"), ("late", "late"), ("outside", "outside"), ("privacy", "privacy"),
      ] {
        if let d = s[group] as? [String: Any] {
          for k in d.keys.sorted() { rows.append(["\(label).\(k)", "\(d[k]!)"]) }
        }
      }
      out += table(["_summary.json", "count"], rows)
    }
    out += "\nfiles:\n" + table(["file", "rows"], r.files.map { [$0.path, "\($0.rows)"] })
    return out
  }

  static func json(_ r: SnapshotInspection, summary: [String: Any]?) -> String {
    var object: [String: Any] = [
      "files": r.files.map { ["path": $0.path, "rows": $0.rows] },
      "rows": r.rows,
      "windows": r.windows.map {
        [
          "name": $0.name, "windows": $0.windows, "rows": $0.rows,
          "first_start": CivilDate.rfc3339(millis: $0.firstStart),
          "last_end": CivilDate.rfc3339(millis: $0.lastEnd),
        ] as [String: Any]
      },
      "area_schemes": r.schemes.map { ["name": $0.name, "areas": $0.areas, "rows": $0.rows] as [String: Any] },
      "features": r.features,
    ]
    if let f = r.topFeature {
      object["top"] =
        [
          "feature": f, "method": r.topMethod,
          "areas": r.top.map {
            ["area_scheme": $0.scheme, "area": $0.area, "value": $0.value, "rows": $0.rows] as [String: Any]
          },
        ] as [String: Any]
    }
    if let s = summary {
      for key in ["rejected", "late", "outside", "lines_read", "events_accepted", "privacy"] { object[key] = s[key] }
    }
    let data = (try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])) ?? Data()
    return String(decoding: data, as: UTF8.self)
  }

  static func format(_ v: Double) -> String {
    v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(format: "%.3f", v)
  }

  /// Columns padded to their widest cell; numbers right-aligned.
  static func table(_ header: [String], _ rows: [[String]]) -> String {
    var widths = header.map(\.count)
    for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
    func line(_ cells: [String]) -> String {
      cells.enumerated().map { i, c in
        let pad = String(repeating: " ", count: widths[i] - c.count)
        return Double(c) != nil && i > 0 ? pad + c : c + pad
      }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
    }
    var out = line(header) + "\n" + line(widths.map { String(repeating: "-", count: $0) }) + "\n"
    for row in rows { out += line(row) + "\n" }
    return out
  }
}
