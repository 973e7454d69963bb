/// The text that says what saved window state means: the config settings it depends on, written out one by one.
///
/// A checkpoint carries it and a restart compares it, so a checkpoint is never continued under a config that would
/// read its state differently. Each part is written here explicitly, in a fixed order and form, never by reflecting
/// a config value: a field added to a config type changes nothing until it is written here on purpose. A change of
/// this form refuses every earlier checkpoint, so `StateFingerprintTests` pins it.
///
/// The form mirrors the config: `section[item,item]`, each item `NAME(key=value,…)`. Names of windows, area schemes
/// and features are identifiers and stand bare; fields, paths and other free text are quoted with `"` and `\`
/// escaped; durations are nanoseconds; numbers are the shortest decimal that reads back as the same `Double`.
enum StateFingerprint {
  /// What a live checkpoint depends on: the window-state layout, how lines become events (the input positions and
  /// dimension labels it holds are read that way), the area schemes, the windows, the watermark and the features.
  /// Output directory, format and flush interval, the HTTP settings and `idle_timeout` may change between runs.
  static func of(_ config: PipelineConfig) -> String {
    let input = config.input
    let inputItems =
      [
        "format=\(input.format.rawValue)", "time=\(quoted(input.timeField))",
        "time_format=\(input.timeFormat.rawValue)", "lat=\(quoted(input.latField))", "lon=\(quoted(input.lonField))",
        "dimensions=[\(input.dimensions.map(quoted).joined(separator: ","))]",
      ]
      // Written only when present, so fingerprints of configs without a lookup stay as they were.
      + (input.lookup.map { l in
        [
          "lookup=(table=\(quoted(l.table)),key=\(quoted(l.key)),on=\(quoted(l.on)),fields=[\(l.fields.map(quoted).joined(separator: ","))])"
        ]
      } ?? [])
    let watermark = [
      "max_out_of_order=\(config.watermark.maxOutOfOrder)", "allowed_lateness=\(config.watermark.allowedLateness)",
    ]
    var parts = [
      "state[\(WindowStore.checkpointFormat)]", section("input", inputItems), section("areas", config.areas.map(area)),
      section("windows", config.windows.map(window)), section("watermark", watermark),
      section("features", config.features.map(feature)),
    ]
    // Only a config with `privacy` has this part, so fingerprints of configs without it stay as they were.
    if let privacy = config.privacy { parts.append(section("privacy", privacyItems(privacy))) }
    return parts.joined(separator: " ")
  }

  /// What the state depends on in `privacy`: the hidden contributor counters in every group, the routing of areas
  /// to shards by their top roll-up ancestor, and which fields reach the state as pseudonyms. Rounding and raw
  /// lines only change what is written. The key is never part of it.
  private static func privacyItems(_ p: PrivacyConfig) -> [String] {
    var items = [
      "contributors=\(p.contributorField.map(quoted) ?? "none")", "k=\(p.k)", "small_groups=\(p.smallGroups.rawValue)",
      "roll_up_levels=\(p.rollUpLevels)", "pseudonymise=[\(p.pseudonymisedFields.map(quoted).joined(separator: ","))]",
    ]
    // Another key makes other pseudonyms, so the state's distinct counts and labels would mix two identities for
    // one id. The key is identified by the pseudonym of a fixed text, which says nothing about the key itself.
    if let key = p.key, !p.pseudonymisedFields.isEmpty {
      items.append("key_check=\(Pseudonymiser(key: key.bytes).pseudonym("areaflow checkpoint key check").prefix(16))")
    }
    return items
  }

  /// What one shard's window state depends on: the windows, the allowed lateness and the features.
  static func windowState(windows: [WindowSpec], allowedLateness: Int64, features: [FeatureSpec]) -> String {
    [
      section("windows", windows.map(window)), section("lateness", ["\(allowedLateness)"]),
      section("features", features.map(feature)),
    ].joined(separator: " ")
  }

  private static func section(_ name: String, _ items: [String]) -> String {
    "\(name)[\(items.joined(separator: ","))]"
  }

  private static func window(_ w: WindowSpec) -> String { "\(w.name)(size=\(w.size),every=\(w.every))" }

  private static func area(_ a: AreaSpec) -> String {
    switch a.kind {
    case .geohash(let precision): "\(a.name)(geohash=\(precision))"
    case .h3(let resolution): "\(a.name)(h3=\(resolution))"
    case .regions(let path, let idProperty):
      "\(a.name)(regions=\(quoted(path)),id_property=\(quoted(idProperty))"
        + (a.parentProperty.map { ",parent_property=\(quoted($0))" } ?? "") + ")"
    }
  }

  /// `NAME(aggregate=FIELD,option=value,…)`, or `NAME(aggregate)` for one that reads no field.
  private static func feature(_ f: FeatureSpec) -> String {
    let head = f.kind.field.map { "\(f.kind.name)=\(quoted($0))" } ?? f.kind.name
    let options = f.kind.options.map { "\($0.key)=\($0.value.description)" }
    return "\(f.name)(\(([head] + options).joined(separator: ",")))"
  }

  /// `s` in double quotes, with `"`, `\` and control characters escaped, so no value can forge a separator.
  static func quoted(_ s: String) -> String {
    var out = "\""
    for scalar in s.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case _ where scalar.value < 0x20:
        let hex = String(scalar.value, radix: 16)
        out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
      default: out.unicodeScalars.append(scalar)
      }
    }
    return out + "\""
  }
}
