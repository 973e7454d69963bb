import AreaflowCore

/// A readable account of what a config computes, for `check`.
enum ConfigDescription {
  static func text(_ c: PipelineConfig) -> String {
    var lines = ["config '\(c.name)' is valid"]
    let time = "\(c.input.timeField) (\(c.input.timeFormat.rawValue))"
    lines.append(
      "input: \(c.input.format.rawValue) lines; time \(time); position \(c.input.latField), \(c.input.lonField)")
    if !c.input.dimensions.isEmpty { lines.append("dimensions: \(c.input.dimensions.joined(separator: ", "))") }
    lines.append("areas:")
    for a in c.areas {
      switch a.kind {
      case .geohash(let p): lines.append("  \(a.name): geohash precision \(p)")
      case .h3(let r): lines.append("  \(a.name): H3 resolution \(r)")
      case .regions(let path, let id): lines.append("  \(a.name): regions from \(path), id property '\(id)'")
      }
    }
    lines.append("windows:")
    for w in c.windows {
      lines.append(
        w.isTumbling
          ? "  \(w.name): tumbling \(DurationParser.format(w.size))"
          : "  \(w.name): hopping \(DurationParser.format(w.size)) every \(DurationParser.format(w.every)) (each event in \(w.size / w.every) windows)"
      )
    }
    lines.append(
      "watermark: max_out_of_order \(DurationParser.format(c.watermark.maxOutOfOrder)), allowed_lateness \(DurationParser.format(c.watermark.allowedLateness)), idle_timeout \(DurationParser.format(c.watermark.idleTimeout))"
    )
    lines.append(
      "features (output columns after window, window_start, window_end, area_scheme, area\(c.input.dimensions.map { ", " + $0 }.joined())):"
    )
    for f in c.features { lines.append("  \(f.name): \(f.kind.description)") }
    lines.append(
      "output: \(c.output.format.rawValue) snapshots in \(c.output.dir), flush every \(DurationParser.format(c.output.flushEvery)) (run)"
    )
    lines.append("groups: \(c.windows.count) window(s) x \(c.areas.count) area scheme(s) x dimension values")
    return lines.joined(separator: "\n")
  }
}
