import AreaflowCore

/// The JSON texts of the HTTP API (SPEC section 6), rendered straight from snapshot tables: the same values, with
/// the same formatting, as the NDJSON snapshot files.
enum ViewJSON {
  /// `{"window":…, "window_start":…, "window_end":…, "final":…, "rows":[{"area":…, <dimensions>, <features>}]}`
  static func aggregates(_ view: WindowView, scheme: Int, rows: [Int]) -> [UInt8] {
    var w = TextWriter()
    header(view, into: &w)
    w.write(",\"rows\":[")
    if let table = view.tables[scheme] {
      let columns = rowColumns(table)
      for (k, row) in rows.enumerated() {
        if k > 0 { w.write(byte: 44) }
        w.write(byte: 123)
        writeFields(table, columns: columns, row: row, into: &w)
        w.write(byte: 125)
      }
    }
    w.write("]}")
    return w.bytes
  }

  /// A GeoJSON FeatureCollection of the rows, each with its area's polygon, plus the window fields as foreign
  /// members.
  static func geojson(_ view: WindowView, scheme: Int, rows: [Int], geometry: AreaGeometry) -> [UInt8] {
    var w = TextWriter()
    w.write("{\"type\":\"FeatureCollection\",")
    var h = TextWriter()
    header(view, into: &h)
    w.bytes.append(contentsOf: h.bytes.dropFirst())
    w.write(",\"features\":[")
    if let table = view.tables[scheme], let areaColumn = column(table, "area") {
      let columns = rowColumns(table)
      for (k, row) in rows.enumerated() {
        if k > 0 { w.write(byte: 44) }
        w.write("{\"type\":\"Feature\",\"geometry\":")
        if let label = areaColumn[row], let shape = geometry.shape(scheme: scheme, label: label) {
          writeGeometry(shape, into: &w)
        } else {
          w.write("null")
        }
        w.write(",\"properties\":{")
        writeFields(table, columns: columns, row: row, into: &w)
        w.write("}}")
      }
    }
    w.write("]}")
    return w.bytes
  }

  /// One area's windows, oldest first: `{"scheme":…, "area":…, "window":…, "windows":[{window fields, "rows":[…]}]}`.
  static func history(
    scheme: String, area: String, window: String, views: [(WindowView, [Int])], schemeIndex: Int
  ) -> [UInt8] {
    var w = TextWriter()
    w.write("{\"scheme\":")
    w.write(jsonString: scheme)
    w.write(",\"area\":")
    w.write(jsonString: area)
    w.write(",\"window\":")
    w.write(jsonString: window)
    w.write(",\"windows\":[")
    for (k, (view, rows)) in views.enumerated() {
      if k > 0 { w.write(byte: 44) }
      w.bytes.append(contentsOf: aggregates(view, scheme: schemeIndex, rows: rows))
    }
    w.write("]}")
    return w.bytes
  }

  /// The data line of a Server-Sent Event for a committed window.
  static func streamEvent(_ view: WindowView, schemes: [String]) -> [UInt8] {
    var w = TextWriter()
    header(view, into: &w)
    w.write(",\"rows\":{")
    for (k, s) in view.tables.keys.sorted().enumerated() {
      if k > 0 { w.write(byte: 44) }
      w.write(jsonString: schemes[s])
      w.write(":")
      w.write(integer: Int64(view.tables[s]!.rowCount))
    }
    w.write("}}")
    return w.bytes
  }

  /// What the API can serve: windows with their retained instances, schemes, dimensions, features.
  static func meta(_ recent: RecentWindows, config: PipelineConfig, schemes: [any AreaScheme]) -> [UInt8] {
    var w = TextWriter()
    w.write("{\"name\":")
    w.write(jsonString: config.name)
    w.write(",\"watermark\":")
    if let m = recent.watermark { timestamp(WindowMath.floorDiv(m, 1_000_000), into: &w) } else { w.write("null") }
    w.write(",\"dimensions\":[")
    for (k, d) in config.input.dimensions.enumerated() {
      if k > 0 { w.write(byte: 44) }
      w.write(jsonString: d)
    }
    w.write("],\"features\":")
    namesAndKinds(config.features.map { ($0.name, $0.kind.name) }, into: &w)
    w.write(",\"schemes\":")
    namesAndKinds(schemes.map { ($0.name, $0.kind) }, into: &w)
    w.write(",\"windows\":[")
    for (i, spec) in config.windows.enumerated() {
      if i > 0 { w.write(byte: 44) }
      w.write("{\"name\":")
      w.write(jsonString: spec.name)
      w.write(",\"size_s\":")
      seconds(spec.size, into: &w)
      w.write(",\"every_s\":")
      seconds(spec.every, into: &w)
      w.write(",\"final\":[")
      for (k, v) in recent.final[i].enumerated() {
        if k > 0 { w.write(byte: 44) }
        span(v, into: &w)
      }
      w.write("],\"open\":")
      if let v = recent.open[i] { span(v, into: &w) } else { w.write("null") }
      w.write("}")
    }
    w.write("],\"basemap\":")
    if let b = config.http.basemap { w.write(jsonString: b) } else { w.write("null") }
    w.write(",\"privacy\":")
    if let privacy = config.privacy, privacy.contributorField != nil {
      w.write("{\"k\":\(privacy.k)}")
    } else {
      w.write("null")
    }
    w.write(",\"outlines\":[")
    for (k, scheme) in schemes.filter({ $0.kind == "regions" }).enumerated() {
      if k > 0 { w.write(byte: 44) }
      w.write(jsonString: scheme.name)
    }
    w.write("]}")
    return w.bytes
  }

  /// Every area of a regions scheme as a GeoJSON FeatureCollection of outlines (`GET /v1/outlines/SCHEME`): the
  /// context the map draws under any scheme's areas.
  static func outlines(_ scheme: RegionScheme, geometry: AreaGeometry, schemeIndex: Int) -> [UInt8] {
    var w = TextWriter()
    w.write("{\"type\":\"FeatureCollection\",\"features\":[")
    var first = true
    for region in 0..<scheme.index.regionCount {
      let label = scheme.label(of: UInt64(region))
      guard let shape = geometry.shape(scheme: schemeIndex, label: label) else { continue }
      if !first { w.write(byte: 44) }
      first = false
      w.write("{\"type\":\"Feature\",\"geometry\":")
      writeGeometry(shape, into: &w)
      w.write(",\"properties\":{\"area\":")
      w.write(jsonString: label)
      w.write("}}")
    }
    w.write("]}")
    return w.bytes
  }

  /// `{"error": message}`.
  static func error(_ message: String) -> [UInt8] {
    var w = TextWriter()
    w.write("{\"error\":")
    w.write(jsonString: message)
    w.write("}")
    return w.bytes
  }

  // MARK: - Pieces

  static func header(_ view: WindowView, into w: inout TextWriter) {
    w.write("{\"window\":")
    w.write(jsonString: view.name)
    w.write(",\"window_start\":")
    timestamp(view.start, into: &w)
    w.write(",\"window_end\":")
    timestamp(view.end, into: &w)
    w.write(view.isFinal ? ",\"final\":true" : ",\"final\":false")
  }

  static func span(_ view: WindowView, into w: inout TextWriter) {
    w.write("{\"window_start\":")
    timestamp(view.start, into: &w)
    w.write(",\"window_end\":")
    timestamp(view.end, into: &w)
    w.write("}")
  }

  /// `[{"name": …, "kind": …}, …]`.
  static func namesAndKinds(_ list: [(String, String)], into w: inout TextWriter) {
    w.write("[")
    for (k, (name, kind)) in list.enumerated() {
      if k > 0 { w.write(byte: 44) }
      w.write("{\"name\":")
      w.write(jsonString: name)
      w.write(",\"kind\":")
      w.write(jsonString: kind)
      w.write("}")
    }
    w.write("]")
  }

  /// Whole seconds as an integer, else a decimal.
  static func seconds(_ nanoseconds: Int64, into w: inout TextWriter) {
    if nanoseconds % 1_000_000_000 == 0 {
      w.write(integer: nanoseconds / 1_000_000_000)
    } else {
      w.write(double: Double(nanoseconds) / 1e9)
    }
  }

  static func timestamp(_ millis: Int64, into w: inout TextWriter) {
    w.write(byte: 34)
    w.write(CivilDate.rfc3339(millis: millis))
    w.write(byte: 34)
  }

  /// The columns a row object shows: the area, the dimensions and the features (not the window or scheme).
  static func rowColumns(_ table: SnapshotTable) -> [Int] {
    let skip: Set<String> = ["window", "window_start", "window_end", "area_scheme"]
    return table.columns.indices.filter { !skip.contains(table.columns[$0].name) }
  }

  static func column(_ table: SnapshotTable, _ name: String) -> [String?]? {
    for c in table.columns {
      if case .string(let n, let values) = c, n == name { return values }
    }
    return nil
  }

  static func writeFields(_ table: SnapshotTable, columns: [Int], row: Int, into w: inout TextWriter) {
    for (k, c) in columns.enumerated() {
      if k > 0 { w.write(byte: 44) }
      let column = table.columns[c]
      w.write(jsonString: column.name)
      w.write(byte: 58)
      switch column {
      case .string(_, let values):
        if let v = values[row] { w.write(jsonString: v) } else { w.write("null") }
      case .timestamp(_, let millis):
        timestamp(millis[row], into: &w)
      case .int64(_, let values):
        if let v = values[row] { w.write(integer: v) } else { w.write("null") }
      case .double(_, let values):
        if let v = values[row], v.isFinite { w.write(double: v) } else { w.write("null") }
      }
    }
  }

  static func writeGeometry(_ shape: AreaGeometry.Shape, into w: inout TextWriter) {
    let multi = shape.polygons.count > 1
    w.write(multi ? "{\"type\":\"MultiPolygon\",\"coordinates\":[" : "{\"type\":\"Polygon\",\"coordinates\":")
    for (p, polygon) in shape.polygons.enumerated() {
      if p > 0 { w.write(byte: 44) }
      w.write("[")
      for (r, ring) in polygon.enumerated() {
        if r > 0 { w.write(byte: 44) }
        w.write("[")
        for (k, point) in ring.enumerated() {
          if k > 0 { w.write(byte: 44) }
          w.write("[")
          w.write(double: point.lon)
          w.write(",")
          w.write(double: point.lat)
          w.write("]")
        }
        w.write("]")
      }
      w.write("]")
    }
    w.write(multi ? "]}" : "}")
  }
}
