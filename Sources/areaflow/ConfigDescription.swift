import AreaflowCore

/// A readable account of what a config computes, for `check`.
enum ConfigDescription {
  static func text(_ c: PipelineConfig) -> String {
    var lines = ["config '\(c.name)' is valid"]
    let time = "\(c.input.timeField) (\(c.input.timeFormat.rawValue))"
    if c.input.format == .gtfsRT {
      lines += gtfsRealtime(c.input, time: time)
    } else {
      lines.append(
        "input: \(c.input.format.rawValue) lines; time \(time); position \(c.input.latField), \(c.input.lonField)")
    }
    if !c.input.dimensions.isEmpty { lines.append("dimensions: \(c.input.dimensions.joined(separator: ", "))") }
    if let field = c.input.topicField {
      lines.append("topic: a message's topic (MQTT) is written into each of its object lines as '\(field)'")
    }
    if !c.input.topicLevels.isEmpty {
      let levels = c.input.topicLevels.map { "\($0.field): level \($0.level)" }.joined(separator: ", ")
      lines.append("topic levels (split at '/', 0-based) written as fields: \(levels)")
    }
    lines += fieldPaths(c)
    if let l = c.input.lookup { lines += lookup(l) }
    lines.append("areas:")
    for a in c.areas {
      switch a.kind {
      case .geohash(let p): lines.append("  \(a.name): geohash precision \(p)")
      case .h3(let r): lines.append("  \(a.name): H3 resolution \(r)")
      case .regions(let path, let id):
        let parent = a.parentProperty.map { ", parent property '\($0)'" } ?? ""
        lines.append("  \(a.name): regions from \(path), id property '\(id)'\(parent)")
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
    for f in c.features {
      let k = f.minContributors.map { "; published only with at least \($0) contributors" } ?? ""
      lines.append("  \(f.name): \(f.kind.description)\(k)")
    }
    lines.append(
      "output: \(c.output.format.rawValue) snapshots in \(c.output.dir), flush every \(DurationParser.format(c.output.flushEvery)) (run)"
    )
    if let k = c.output.kafka {
      lines.append(
        "output.kafka: every final row also published to Kafka topic '\(k.topic)' on \(k.brokers), keyed by window, "
          + "window_start, area_scheme, area\(c.input.dimensions.map { ", " + $0 }.joined()); "
          + (k.transactions
            ? "one transaction per commit with its marker on '\(k.markerTopic)': exactly once for read_committed consumers"
            : "no transactions: at least once, a compacted topic converges to one message per row"))
    }
    if let s = c.scaleOut {
      lines.append(
        "scale_out: instances sharing the kafka input's group send stamped events through '\(s.topic)' (keyed by "
          + "scheme and area; consumer group GROUP.aggregate) and commit part-rNN files into one shared output directory"
      )
    }
    lines.append("groups: \(c.windows.count) window(s) x \(c.areas.count) area scheme(s) x dimension values")
    if let p = c.privacy { lines += privacy(p) }
    lines += http(c.http)
    return lines.joined(separator: "\n")
  }

  /// The dotted names read as paths into nested objects (SPEC section 7), so a typo in a path is easy to see.
  static func fieldPaths(_ c: PipelineConfig) -> [String] {
    var names = [c.input.timeField, c.input.latField, c.input.lonField] + c.input.dimensions
    names += c.features.compactMap(\.kind.field)
    if let l = c.input.lookup { names.append(l.key) }
    var seen = Set<String>()
    let paths = names.filter { $0.contains(".") && seen.insert($0).inserted }
    guard !paths.isEmpty else { return [] }
    return [
      "field paths (read inside nested objects; null where a step is missing, an array or not an object; a flat key "
        + "spelled the same also matches): \(paths.joined(separator: ", "))"
    ]
  }

  /// What the lookup table adds, in words.
  static func lookup(_ l: LookupSpec) -> [String] {
    let rows = l.loaded.map { " (\($0.count) rows)" } ?? ""
    let kind = l.table.lowercased().hasSuffix(".parquet") ? "Parquet" : "CSV"
    return [
      "lookup: \(kind) table \(l.table)\(rows), joined where \(l.key) = \(l.on), adds \(l.fields.joined(separator: ", "))",
      "  an event whose \(l.key) is missing or not in the table is rejected as unknown_key; run reloads the table "
        + "when its file changes",
    ]
  }

  /// How `run --http` serves, in words; only where the files are, never what they hold.
  static func http(_ h: HTTPConfig) -> [String] {
    var lines = ["http (run --http): keeps \(h.retain) final windows per window"]
    if let tls = h.tls {
      lines.append("  HTTPS only, certificate \(tls.cert), key \(tls.key); reloaded on change or SIGHUP")
    }
    if let users = h.usersFile {
      lines.append(
        "  every path but /healthz needs credentials from \(users) (basic auth or bearer token, scopes read/metrics)")
    } else {
      lines.append("  open to anyone who can reach the port (no http.users_file)")
    }
    lines.append(h.corsOrigins.isEmpty ? "  CORS off" : "  CORS for \(h.corsOrigins.joined(separator: ", "))")
    let l = h.limits
    lines.append(
      "  limits: \(l.rate.formatted()) requests/s per client (burst \(l.burst)), \(l.sseClients) stream clients, idle timeout "
        + "\(DurationParser.format(l.idleTimeout)), at most \(l.maxHeaders) headers of \(l.maxHeaderBytes) bytes")
    return lines
  }

  /// What a GTFS-Realtime input reads, for `check`.
  static func gtfsRealtime(_ input: InputConfig, time: String) -> [String] {
    [
      "input: gtfs-rt (GTFS-Realtime FeedMessages: one per file, or several length-delimited; zstd, gzip or plain)",
      "  each FeedEntity with a vehicle (VehiclePosition) is one event; field paths start at the VehiclePosition",
      "  (timestamp, position.latitude, position.longitude, position.speed, position.bearing, trip.route_id,",
      "  trip.trip_id, trip.direction_id, vehicle.id, vehicle.label, occupancy_status, congestion_level,",
      "  current_status, stop_id; enums by their proto names); trip updates and alerts are counted, not events",
      "  time \(time); position \(input.latField), \(input.lonField)",
      "  a position already handed on (same vehicle.id and timestamp) is counted as repeated_positions and dropped,",
      "  across files, inputs and restarts; a message that does not decode is a malformed reject",
      "  http:// and https:// inputs (run): fetched every \(DurationParser.format(input.pollEvery)) (input.poll_every) "
        + "with If-None-Match / If-Modified-Since; errors are logged and retried with backoff",
    ]
  }

  /// What `privacy` publishes, in words; the key itself is never shown, only where it is read from.
  static func privacy(_ p: PrivacyConfig) -> [String] {
    var lines = ["privacy:"]
    if let field = p.contributorField {
      let small =
        p.smallGroups == .roll_up
        ? "rolled up into parent areas (up to \(p.rollUpLevels) level(s)), their own rows suppressed"
        : "suppressed (rows kept with null features)"
      lines.append("  a group is published only with at least \(p.k) distinct \(field); smaller groups are \(small)")
      lines.append("  rows end with the columns disclosure (published, suppressed, rolled_up) and area_level")
    }
    if p.roundCounts > 1 { lines.append("  counts and distinct counts rounded to the nearest \(p.roundCounts)") }
    if !p.pseudonymisedFields.isEmpty {
      let source: String
      switch p.keySource {
      case .environment(let name)?: source = "the environment variable \(name)"
      case .file(let path)?: source = "the file \(path)"
      case nil: source = "nowhere"
      }
      lines.append(
        "  pseudonymised (HMAC-SHA-256): \(p.pseudonymisedFields.joined(separator: ", ")); key read from \(source)")
    }
    if !p.rawLines { lines.append("  side outputs keep input, line and reason only (raw_lines: false)") }
    return lines
  }
}
