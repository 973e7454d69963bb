import Foundation
import Yams

/// Reads a YAML config into a validated `PipelineConfig`, rejecting unknown keys and naming the line and column of
/// every problem.
///
/// The loader is pure: it takes the text and the file's path (for messages and for resolving relative paths) and
/// never touches the file system, so every config error can be tested from a string.
public struct ConfigLoader {
  public let file: String
  private let baseDirectory: String

  /// - Parameter file: the config's path as the user wrote it; relative paths inside resolve against its directory.
  public init(file: String) {
    self.file = file
    let dir = (file as NSString).deletingLastPathComponent
    self.baseDirectory = dir.isEmpty ? "." : dir
  }

  /// Parses and validates `text`.
  /// - Throws: `ConfigError` naming file, line, column, key and what was expected.
  public func load(_ text: String) throws(ConfigError) -> PipelineConfig {
    let root: Node
    switch compose(text) {
    case .success(let node?): root = node
    case .success(nil): throw ConfigError(file: file, line: 0, column: 0, key: "", message: "the config is empty")
    case .failure(let e): throw e
    }
    let top = try mapping(
      root, key: "",
      allowed: ["name", "input", "areas", "windows", "watermark", "features", "output", "http", "privacy", "scale_out"])
    var name = defaultName()
    if let n = top["name"] { name = try identifier(n, key: "name") }
    guard let inputNode = top["input"] else { throw missing("input", in: root, expected: "the input mapping") }
    let input = try parseInput(inputNode)
    guard let areasNode = top["areas"] else { throw missing("areas", in: root, expected: "a list of area schemes") }
    let areas = try parseAreas(areasNode)
    guard let windowsNode = top["windows"] else { throw missing("windows", in: root, expected: "a list of windows") }
    let windows = try parseWindows(windowsNode)
    let watermark = try parseWatermark(top["watermark"])
    guard let featuresNode = top["features"] else {
      throw missing("features", in: root, expected: "a mapping of output column names to aggregates")
    }
    let features = try parseFeatures(featuresNode, dimensions: input.dimensions)
    let output = try parseOutput(top["output"], name: name)
    let http = try top["http"].map { n throws(ConfigError) in try parseHTTP(n) } ?? HTTPConfig()
    var config = PipelineConfig(
      name: name, input: input, areas: areas, windows: windows, watermark: watermark, features: features,
      output: output, baseDirectory: baseDirectory)
    config.http = http
    if let node = top["scale_out"] {
      let m = try mapping(node, key: "scale_out", allowed: ["topic"])
      guard let topicNode = m["topic"] else {
        throw missing("scale_out.topic", in: node, expected: "the repartition topic's name")
      }
      config.scaleOut = ScaleOutConfig(topic: try topicName(topicNode, key: "scale_out.topic"))
      if output.kafka != nil {
        throw error(node, key: "scale_out", "scale_out cannot be combined with output.kafka yet; remove one of them")
      }
    }
    if let p = top["privacy"] {
      config.privacy = try parsePrivacy(p, input: input)
      // A pseudonymised object would leave the fields read inside it raw, and a pseudonymised field inside a read
      // object would be read raw through it: only whole fields can be pseudonymised.
      let read =
        [input.timeField, input.latField, input.lonField] + input.dimensions + features.compactMap(\.kind.field)
        + [config.privacy?.contributorField].compactMap { $0 }
      for f in config.privacy?.pseudonymisedFields ?? [] {
        if let g = read.first(where: { $0.hasPrefix(f + ".") || f.hasPrefix($0 + ".") }) {
          throw error(
            p, key: "privacy.pseudonymise.fields",
            "'\(f)' and '\(g)' are one inside the other; pseudonymise the field that is read ('\(g.count > f.count ? g : f)')"
          )
        }
      }
    }
    if config.privacy?.contributorField == nil, let f = features.first(where: { $0.minContributors != nil }),
      let featuresNode = top["features"]
    {
      throw error(
        featuresNode, key: "features.\(f.name).min_contributors",
        "a feature's min_contributors needs privacy.min_contributors: {field: NAME, k: N}")
    }
    return config
  }

  private func parsePrivacy(_ node: Node, input: InputConfig) throws(ConfigError) -> PrivacyConfig {
    let m = try mapping(
      node, key: "privacy",
      allowed: ["min_contributors", "small_groups", "roll_up_levels", "round_counts", "pseudonymise", "raw_lines"])
    var privacy = PrivacyConfig()
    if let c = m["min_contributors"] {
      let cm = try mapping(c, key: "privacy.min_contributors", allowed: ["field", "k"])
      guard let f = cm["field"] else {
        throw missing("privacy.min_contributors.field", in: c, expected: "the field that names a contributor")
      }
      guard let kNode = cm["k"] else {
        throw missing("privacy.min_contributors.k", in: c, expected: "the distinct contributors a group needs")
      }
      privacy.contributorField = try string(f, key: "privacy.min_contributors.field")
      privacy.k = try integer(kNode, key: "privacy.min_contributors.k", range: 2...PrivacyConfig.maxK)
    }
    if let g = m["small_groups"] {
      privacy.smallGroups = try enumValue(g, key: "privacy.small_groups", PrivacyConfig.SmallGroups.self)
      if privacy.contributorField == nil {
        throw error(g, key: "privacy.small_groups", "small_groups needs min_contributors: {field: NAME, k: N}")
      }
    }
    if let l = m["roll_up_levels"] {
      privacy.rollUpLevels = try integer(l, key: "privacy.roll_up_levels", range: 1...11)
      if privacy.smallGroups != .roll_up {
        throw error(l, key: "privacy.roll_up_levels", "roll_up_levels belongs with small_groups: roll_up")
      }
    }
    if let r = m["round_counts"] { privacy.roundCounts = try integer(r, key: "privacy.round_counts", range: 1...1000) }
    if let p = m["pseudonymise"] {
      let pm = try mapping(p, key: "privacy.pseudonymise", allowed: ["fields", "key_env", "key_file"])
      guard let fieldsNode = pm["fields"], case .sequence(let items) = fieldsNode, !items.isEmpty else {
        throw missing("privacy.pseudonymise.fields", in: p, expected: "a non-empty list of field names")
      }
      for item in items {
        let field = try string(item, key: "privacy.pseudonymise.fields")
        if [input.timeField, input.latField, input.lonField].contains(field) {
          throw error(
            item, key: "privacy.pseudonymise.fields",
            "'\(field)' is the time or a coordinate; only identifiers can be pseudonymised")
        }
        privacy.pseudonymisedFields.append(field)
      }
      switch (pm["key_env"], pm["key_file"]) {
      case (let e?, nil):
        privacy.keySource = .environment(try string(e, key: "privacy.pseudonymise.key_env"))
      case (nil, let f?):
        privacy.keySource = .file(resolve(try string(f, key: "privacy.pseudonymise.key_file")))
      default:
        throw error(
          p, key: "privacy.pseudonymise",
          "expected exactly one of key_env: VARIABLE or key_file: PATH (the key itself never goes in the config)")
      }
    }
    if let raw = m["raw_lines"] {
      switch raw.scalar?.string {
      case "true": privacy.rawLines = true
      case "false": privacy.rawLines = false
      default: throw error(raw, key: "privacy.raw_lines", "expected true or false")
      }
    }
    return privacy
  }

  // MARK: - Sections

  private func parseInput(_ node: Node) throws(ConfigError) -> InputConfig {
    let m = try mapping(
      node, key: "input",
      allowed: ["format", "time", "lat", "lon", "dimensions", "lookup", "poll_every", "topic_field", "topic_levels"])
    let format =
      try m["format"].map { n throws(ConfigError) in
        try enumValue(n, key: "input.format", InputConfig.Format.self)
      } ?? .ndjson
    guard let timeNode = m["time"] else {
      throw missing("input.time", in: node, expected: "{field: NAME, format: auto}")
    }
    var timeField: String
    var timeFormat = TimeFormat.auto
    if case .scalar = timeNode {
      timeField = try string(timeNode, key: "input.time")
    } else {
      let t = try mapping(timeNode, key: "input.time", allowed: ["field", "format"])
      guard let f = t["field"] else {
        throw missing("input.time.field", in: timeNode, expected: "the time field's name")
      }
      timeField = try string(f, key: "input.time.field")
      if let fmt = t["format"] { timeFormat = try enumValue(fmt, key: "input.time.format", TimeFormat.self) }
    }
    guard let latNode = m["lat"] else { throw missing("input.lat", in: node, expected: "the latitude field's name") }
    guard let lonNode = m["lon"] else { throw missing("input.lon", in: node, expected: "the longitude field's name") }
    var dimensions: [String] = []
    if let d = m["dimensions"] {
      guard case .sequence(let seq) = d else {
        throw error(d, key: "input.dimensions", "expected a list of field names")
      }
      for item in seq {
        let dim = try string(item, key: "input.dimensions")
        if dimensions.contains(dim) { throw error(item, key: "input.dimensions", "dimension '\(dim)' is listed twice") }
        if Self.fixedColumns.contains(dim) {
          throw error(item, key: "input.dimensions", "'\(dim)' clashes with an output column of the same name")
        }
        dimensions.append(dim)
      }
    }
    var input = InputConfig(
      format: format, timeField: timeField, timeFormat: timeFormat, latField: try string(latNode, key: "input.lat"),
      lonField: try string(lonNode, key: "input.lon"), dimensions: dimensions)
    if let l = m["lookup"] { input.lookup = try parseLookup(l) }
    if let p = m["poll_every"] {
      guard format == .gtfsRT else {
        throw error(p, key: "input.poll_every", "only for format gtfs-rt, whose http:// and https:// inputs it paces")
      }
      input.pollEvery = try positiveDuration(p, key: "input.poll_every")
    }
    try parseTopicFields(m, into: &input)
    return input
  }

  /// `input.topic_field` and `input.topic_levels`: fields a message source writes into each JSON object line, so
  /// only NDJSON input can have them (a CSV record's columns are fixed by its header).
  private func parseTopicFields(_ m: [String: Node], into input: inout InputConfig) throws(ConfigError) {
    if let t = m["topic_field"] {
      input.topicField = try string(t, key: "input.topic_field")
      if input.format != .ndjson {
        throw error(t, key: "input.topic_field", "only ndjson input can carry the topic as a field")
      }
    }
    guard let levels = m["topic_levels"] else { return }
    guard case .mapping(let map) = levels, !map.isEmpty, input.format == .ndjson else {
      throw error(
        levels, key: "input.topic_levels",
        input.format == .ndjson
          ? "expected a mapping of field name to topic level, such as {mode: 6, route: 9}"
          : "only ndjson input can carry topic levels as fields")
    }
    for (k, v) in map {
      let name = try string(k, key: "input.topic_levels")
      if name == input.topicField || input.topicLevels.contains(where: { $0.field == name }) {
        throw error(k, key: "input.topic_levels.\(name)", "the field '\(name)' is written twice")
      }
      input.topicLevels.append(
        TopicLevel(field: name, level: try integer(v, key: "input.topic_levels.\(name)", range: 0...1000)))
    }
    input.topicLevels.sort { $0.field < $1.field }
  }

  private func parseLookup(_ node: Node) throws(ConfigError) -> LookupSpec {
    let m = try mapping(node, key: "input.lookup", allowed: ["table", "key", "on", "fields"])
    let example = "{table: probes.csv, key: probe_id, on: id, fields: [lat, lon]}"
    guard let t = m["table"] else { throw missing("input.lookup.table", in: node, expected: example) }
    guard let k = m["key"] else { throw missing("input.lookup.key", in: node, expected: example) }
    guard let o = m["on"] else { throw missing("input.lookup.on", in: node, expected: example) }
    guard let f = m["fields"], case .sequence(let items) = f, !items.isEmpty else {
      throw missing("input.lookup.fields", in: node, expected: "a non-empty list of the table's columns to add")
    }
    let table = try string(t, key: "input.lookup.table")
    guard table.lowercased().hasSuffix(".csv") || table.lowercased().hasSuffix(".parquet") else {
      throw error(
        t, key: "input.lookup.table",
        "expected a CSV file with a header row (FILE.csv) or a Parquet file (FILE.parquet)")
    }
    var fields: [String] = []
    for item in items {
      let name = try string(item, key: "input.lookup.fields")
      if fields.contains(name) { throw error(item, key: "input.lookup.fields", "'\(name)' is listed twice") }
      fields.append(name)
    }
    let key = try string(k, key: "input.lookup.key")
    if fields.contains(key) {
      throw error(f, key: "input.lookup.fields", "the key field '\(key)' cannot also be a field the table adds")
    }
    return LookupSpec(table: resolve(table), key: key, on: try string(o, key: "input.lookup.on"), fields: fields)
  }

  private func parseAreas(_ node: Node) throws(ConfigError) -> [AreaSpec] {
    guard case .sequence(let seq) = node, !seq.isEmpty else {
      throw error(node, key: "areas", "expected a non-empty list such as [{name: gh6, geohash: 6}]")
    }
    var result: [AreaSpec] = []
    for item in seq {
      let m = try mapping(
        item, key: "areas", allowed: ["name", "geohash", "h3", "regions", "id_property", "parent_property"])
      guard let nameNode = m["name"] else { throw missing("areas[].name", in: item, expected: "a scheme name") }
      let name = try identifier(nameNode, key: "areas[].name")
      let key = "areas.\(name)"
      if result.contains(where: { $0.name == name }) {
        throw error(nameNode, key: key, "area scheme name is used twice")
      }
      let kinds = ["geohash", "h3", "regions"].filter { m[$0] != nil }
      guard kinds.count == 1 else {
        throw error(item, key: key, "expected exactly one of geohash: PRECISION, h3: RESOLUTION, regions: FILE")
      }
      let kind: AreaSpec.Kind
      switch kinds[0] {
      case "geohash":
        kind = .geohash(precision: try integer(m["geohash"]!, key: "\(key).geohash", range: 1...12))
      case "h3":
        kind = .h3(resolution: try integer(m["h3"]!, key: "\(key).h3", range: 0...15))
      default:
        let path = try string(m["regions"]!, key: "\(key).regions")
        guard let idNode = m["id_property"] else {
          throw missing("\(key).id_property", in: item, expected: "the GeoJSON property that names each region")
        }
        kind = .regions(path: resolve(path), idProperty: try string(idNode, key: "\(key).id_property"))
      }
      if kinds[0] != "regions", let idNode = m["id_property"] {
        throw error(idNode, key: "\(key).id_property", "id_property belongs to a regions scheme only")
      }
      let place = kinds[0] == "regions" ? m["regions"]! : item
      var spec = AreaSpec(name: name, kind: kind, line: place.mark?.line ?? 0, column: place.mark?.column ?? 0)
      if let parent = m["parent_property"] {
        guard kinds[0] == "regions" else {
          throw error(parent, key: "\(key).parent_property", "parent_property belongs to a regions scheme only")
        }
        spec.parentProperty = try string(parent, key: "\(key).parent_property")
      }
      result.append(spec)
    }
    return result
  }

  private func parseWindows(_ node: Node) throws(ConfigError) -> [WindowSpec] {
    guard case .sequence(let seq) = node, !seq.isEmpty else {
      throw error(node, key: "windows", "expected a non-empty list such as [{name: 1m, tumbling: 1m}]")
    }
    var result: [WindowSpec] = []
    for item in seq {
      let m = try mapping(item, key: "windows", allowed: ["name", "tumbling", "hopping", "every"])
      guard let nameNode = m["name"] else { throw missing("windows[].name", in: item, expected: "a window name") }
      let name = try identifier(nameNode, key: "windows[].name")
      let key = "windows.\(name)"
      if result.contains(where: { $0.name == name }) { throw error(nameNode, key: key, "window name is used twice") }
      if let t = m["tumbling"] {
        if m["hopping"] != nil || m["every"] != nil {
          throw error(item, key: key, "a tumbling window takes no hopping or every")
        }
        let size = try positiveDuration(t, key: "\(key).tumbling")
        result.append(WindowSpec(name: name, size: size, every: size))
      } else if let h = m["hopping"] {
        let size = try positiveDuration(h, key: "\(key).hopping")
        guard let e = m["every"] else {
          throw missing("\(key).every", in: item, expected: "how often a hopping window starts")
        }
        let every = try positiveDuration(e, key: "\(key).every")
        if every > size {
          throw error(
            e, key: "\(key).every",
            "every (\(DurationParser.format(every))) must not exceed the window size (\(DurationParser.format(size)))")
        }
        result.append(WindowSpec(name: name, size: size, every: every))
      } else {
        throw error(item, key: key, "expected tumbling: DURATION or hopping: DURATION with every: DURATION")
      }
    }
    return result
  }

  /// The `watermark` section, or its defaults when the config has none (each stated here only).
  private func parseWatermark(_ node: Node?) throws(ConfigError) -> WatermarkConfig {
    let m =
      try node.map { n throws(ConfigError) in
        try mapping(n, key: "watermark", allowed: ["max_out_of_order", "allowed_lateness", "idle_timeout"])
      } ?? [:]
    return WatermarkConfig(
      maxOutOfOrder: try m["max_out_of_order"].map { n throws(ConfigError) in
        try duration(n, key: "watermark.max_out_of_order")
      } ?? 0,
      allowedLateness: try m["allowed_lateness"].map { n throws(ConfigError) in
        try duration(n, key: "watermark.allowed_lateness")
      } ?? 0,
      idleTimeout: try m["idle_timeout"].map { n throws(ConfigError) in
        try positiveDuration(n, key: "watermark.idle_timeout")
      }
        ?? 60_000_000_000)
  }

  private func parseFeatures(_ node: Node, dimensions: [String]) throws(ConfigError) -> [FeatureSpec] {
    guard case .mapping(let map) = node, !map.isEmpty else {
      throw error(node, key: "features", "expected a mapping such as {events: count, speed_mean: {mean: speed_kmh}}")
    }
    var result: [FeatureSpec] = []
    for (keyNode, value) in map {
      let name = try identifier(keyNode, key: "features")
      let key = "features.\(name)"
      if result.contains(where: { $0.name == name }) { throw error(keyNode, key: key, "feature name is used twice") }
      if Self.fixedColumns.contains(name) || dimensions.contains(name) {
        throw error(keyNode, key: key, "'\(name)' clashes with another output column")
      }
      var feature = FeatureSpec(name: name, kind: try parseFeatureKind(value, key: key))
      if case .mapping(let entry) = value, let n = entry["min_contributors"] {
        feature.minContributors = try integer(n, key: "\(key).min_contributors", range: 2...PrivacyConfig.maxK)
      }
      result.append(feature)
    }
    return result
  }

  /// Reads one feature's entry: its shape is checked against `AggregateSchema`, then the aggregate it names reads
  /// its own options.
  private func parseFeatureKind(_ node: Node, key: String) throws(ConfigError) -> FeatureSpec.Kind {
    if case .scalar(let s) = node {
      guard let aggregate = AggregateSchema.named(s.string), aggregate.syntax == .bare else {
        throw error(node, key: key, AggregateSchema.usage)
      }
      return FeatureSpec.Kind(
        try aggregate.parse(FeatureEntry(key: key, field: "", node: node, entries: [:], loader: self)))
    }
    let m = try mapping(node, key: key, allowed: AggregateSchema.entryKeys.union(["min_contributors"]))
    let named = AggregateSchema.all.filter { m[$0.name] != nil }
    guard named.count == 1, let aggregate = named.first else { throw error(node, key: key, AggregateSchema.usage) }
    let op = aggregate.name
    if aggregate.syntax == .bare {
      throw error(node, key: key, "\(op) takes no field: write `\(key.split(separator: ".").last!): \(op)`")
    }
    let field = try string(m[op]!, key: "\(key).\(op)")
    for other in AggregateSchema.all where other.name != op {
      for option in other.syntax.options where !aggregate.syntax.options.contains(option) {
        if let n = m[option] {
          throw error(n, key: "\(key).\(option)", "\(option) belongs to a \(other.name) feature only")
        }
      }
    }
    return FeatureSpec.Kind(
      try aggregate.parse(FeatureEntry(key: key, field: field, node: node, entries: m, loader: self)))
  }

  /// The `output` section, or its defaults when the config has none (each stated here only).
  private func parseOutput(_ node: Node?, name: String) throws(ConfigError) -> OutputConfig {
    let m =
      try node.map { n throws(ConfigError) in
        try mapping(n, key: "output", allowed: ["dir", "format", "flush_every", "kafka"])
      } ?? [:]
    var output = OutputConfig(
      dir: resolve(try m["dir"].map { n throws(ConfigError) in try string(n, key: "output.dir") } ?? "out/\(name)"),
      format: try m["format"].map { n throws(ConfigError) in
        try enumValue(n, key: "output.format", OutputConfig.Format.self)
      } ?? .csv,
      flushEvery: try m["flush_every"].map { n throws(ConfigError) in try positiveDuration(n, key: "output.flush_every")
      } ?? 10_000_000_000)
    if let node = m["kafka"] { output.kafka = try parseKafkaOutput(node) }
    return output
  }

  /// `output.kafka: {brokers: "HOST:PORT,…", topic: NAME, transactions: true|false}`.
  private func parseKafkaOutput(_ node: Node) throws(ConfigError) -> KafkaOutputConfig {
    let m = try mapping(node, key: "output.kafka", allowed: ["brokers", "topic", "transactions"])
    guard let brokersNode = m["brokers"] else {
      throw missing("output.kafka.brokers", in: node, expected: "\"HOST:PORT[,HOST:PORT…]\"")
    }
    guard let topicNode = m["topic"] else { throw missing("output.kafka.topic", in: node, expected: "a topic name") }
    let brokers = try string(brokersNode, key: "output.kafka.brokers")
    for broker in brokers.split(separator: ",", omittingEmptySubsequences: false) {
      let parts = broker.split(separator: ":", omittingEmptySubsequences: false)
      guard parts.count == 2, !parts[0].isEmpty, let port = Int(parts[1]), (1...65535).contains(port) else {
        throw error(
          brokersNode, key: "output.kafka.brokers",
          "'\(broker)' is not HOST:PORT (list brokers as \"HOST:PORT,HOST:PORT\")")
      }
    }
    let topic = try topicName(topicNode, key: "output.kafka.topic")
    var transactions = true
    if let t = m["transactions"] {
      guard case .scalar(let s) = t, ["true", "false"].contains(s.string) else {
        throw error(t, key: "output.kafka.transactions", "expected true or false")
      }
      transactions = s.string == "true"
    }
    return KafkaOutputConfig(brokers: brokers, topic: topic, transactions: transactions)
  }

  /// A Kafka topic name: letters, digits, `.`, `_`, `-`, at most 200 bytes.
  private func topicName(_ node: Node, key: String) throws(ConfigError) -> String {
    let topic = try string(node, key: key)
    let legal =
      topic.utf8.count <= 200
      && topic.utf8.allSatisfy { b in
        (b >= 48 && b <= 57) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || b == 95 || b == 45 || b == 46
      }
    guard legal, topic != ".", topic != ".." else {
      throw error(node, key: key, "'\(topic)' is not a Kafka topic name (letters, digits, '.', '_', '-', at most 200)")
    }
    return topic
  }

  // MARK: - Node helpers

  /// Output columns that precede the dimensions and features; names that would clash with them are refused.
  static let fixedColumns: Set<String> = ["window", "window_start", "window_end", "area_scheme", "area"]

  private func defaultName() -> String {
    let base = ((file as NSString).lastPathComponent as NSString).deletingPathExtension
    return base.isEmpty ? "areaflow" : base
  }

  func resolve(_ path: String) -> String {
    path.hasPrefix("/") ? path : (baseDirectory == "." ? path : "\(baseDirectory)/\(path)")
  }

  func error(_ node: Node, key: String, _ message: String) -> ConfigError {
    ConfigError(file: file, line: node.mark?.line ?? 0, column: node.mark?.column ?? 0, key: key, message: message)
  }

  func missing(_ key: String, in node: Node, expected: String) -> ConfigError {
    error(node, key: key, "missing; expected \(expected)")
  }

  /// The YAML node tree, scalars untagged (`Resolver.basic`): the loader reads every scalar from its text
  /// (`Int(s.string)`, `"true"`), and the default resolver compiles its regular expressions with ICU on first use,
  /// about 2 ms of every start.
  private func compose(_ text: String) -> Result<Node?, ConfigError> {
    do {
      return .success(try Yams.compose(yaml: text, .basic))
    } catch let error as YamlError {
      return .failure(yamlSyntaxError(error))
    } catch {
      return .failure(ConfigError(file: file, line: 0, column: 0, key: "", message: "cannot parse YAML: \(error)"))
    }
  }

  private func yamlSyntaxError(_ e: YamlError) -> ConfigError {
    switch e {
    case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
      .composer(_, let problem, let mark, _):
      return ConfigError(file: file, line: mark.line, column: mark.column, key: "", message: "YAML syntax: \(problem)")
    default:
      return ConfigError(file: file, line: 0, column: 0, key: "", message: "YAML syntax: \(e)")
    }
  }

  /// A mapping's entries by key, refusing keys outside `allowed` so typos never pass silently.
  func mapping(_ node: Node, key: String, allowed: Set<String>) throws(ConfigError) -> [String: Node] {
    guard case .mapping(let map) = node else {
      throw error(node, key: key, "expected a mapping with keys \(allowed.sorted().joined(separator: ", "))")
    }
    var result: [String: Node] = [:]
    for (k, v) in map {
      guard case .scalar(let s) = k else { throw error(k, key: key, "expected a plain key") }
      let path = key.isEmpty ? s.string : "\(key).\(s.string)"
      guard allowed.contains(s.string) else {
        throw error(k, key: path, "unknown key; expected one of \(allowed.sorted().joined(separator: ", "))")
      }
      if result[s.string] != nil { throw error(k, key: path, "key appears twice") }
      result[s.string] = v
    }
    return result
  }

  func string(_ node: Node, key: String) throws(ConfigError) -> String {
    guard case .scalar(let s) = node, !s.string.isEmpty else {
      throw error(node, key: key, "expected a non-empty string")
    }
    return s.string
  }

  /// Names become directory names and column names, so they are kept to a portable alphabet.
  private func identifier(_ node: Node, key: String) throws(ConfigError) -> String {
    let s = try string(node, key: key)
    let ok = s.utf8.allSatisfy { b in
      (b >= 48 && b <= 57) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || b == 95 || b == 45 || b == 46
    }
    guard ok, !s.hasPrefix("."), !s.hasPrefix("_") else {
      throw error(node, key: key, "'\(s)' must use letters, digits, '_', '-', '.' and not start with '.' or '_'")
    }
    return s
  }

  func integer(_ node: Node, key: String, range: ClosedRange<Int>) throws(ConfigError) -> Int {
    guard case .scalar(let s) = node, let v = Int(s.string), range.contains(v) else {
      throw error(node, key: key, "expected an integer in \(range.lowerBound)...\(range.upperBound)")
    }
    return v
  }

  func number(_ node: Node, key: String) throws(ConfigError) -> Double {
    guard case .scalar(let s) = node, let v = Double(s.string), v.isFinite else {
      throw error(node, key: key, "expected a number")
    }
    return v
  }

  func duration(_ node: Node, key: String) throws(ConfigError) -> Int64 {
    guard case .scalar(let s) = node, let d = DurationParser.parse(s.string) else {
      throw error(node, key: key, "expected a duration such as 500ms, 30s, 5m, 1h or 1d")
    }
    return d
  }

  func positiveDuration(_ node: Node, key: String) throws(ConfigError) -> Int64 {
    let d = try duration(node, key: key)
    guard d > 0 else { throw error(node, key: key, "expected a duration greater than zero") }
    return d
  }

  private func enumValue<E: RawRepresentable & CaseIterable>(_ node: Node, key: String, _ type: E.Type)
    throws(ConfigError) -> E where E.RawValue == String
  {
    let s = try string(node, key: key)
    guard let v = E(rawValue: s) else {
      throw error(node, key: key, "'\(s)' is not one of \(E.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    return v
  }
}
