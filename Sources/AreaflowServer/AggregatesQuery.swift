import AreaflowCore
import Hummingbird

/// The parameters of `/v1/aggregates` and `/v1/areas/…`, checked against the config: which window name and scheme,
/// which instance (`at`), and which areas.
struct AggregatesQuery {
  enum At: Equatable {
    case latest
    case open
    case time(Int64)
  }

  let window: Int
  let scheme: Int
  let at: At
  let area: String?
  let bbox: (Double, Double, Double, Double)?
  let geojson: Bool

  init(_ query: [String: String], config: PipelineConfig, schemes: [any AreaScheme]) throws(APIError) {
    let allowed: Set<String> = ["window", "scheme", "at", "area", "bbox", "format"]
    if let unknown = query.keys.sorted().first(where: { !allowed.contains($0) }) {
      throw .bad("unknown parameter '\(unknown)'; expected window, scheme, at, area, bbox, format")
    }
    window = try Self.window(query["window"], config: config)
    scheme = try Self.scheme(query["scheme"], schemes: schemes)
    switch query["at"] {
    case nil, "latest": at = .latest
    case "open": at = .open
    case let text?:
      guard let ns = Self.parseTime(text) else {
        throw .bad("parameter 'at' must be latest, open or an RFC 3339 time, not '\(text)'")
      }
      at = .time(WindowMath.floorDiv(ns, 1_000_000))
    }
    area = query["area"]
    if let text = query["bbox"] {
      let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { Double($0) }
      guard parts.count == 4, let minLon = parts[0], let minLat = parts[1], let maxLon = parts[2],
        let maxLat = parts[3], minLon <= maxLon, minLat <= maxLat, minLat >= -90, maxLat <= 90, minLon >= -180,
        maxLon <= 180
      else {
        throw .bad("parameter 'bbox' must be minLon,minLat,maxLon,maxLat in degrees, not '\(text)'")
      }
      bbox = (minLon, minLat, maxLon, maxLat)
    } else {
      bbox = nil
    }
    switch query["format"] {
    case nil, "json": geojson = false
    case "geojson": geojson = true
    case let other?: throw .bad("parameter 'format' must be json or geojson, not '\(other)'")
    }
  }

  static func window(_ name: String?, config: PipelineConfig) throws(APIError) -> Int {
    guard let name else {
      throw .bad(
        "parameter 'window' is required (one of \(config.windows.map(\.name).joined(separator: ", ")))")
    }
    guard let w = config.windows.firstIndex(where: { $0.name == name }) else {
      throw .notFound(
        "unknown window '\(name)'; this config has \(config.windows.map(\.name).joined(separator: ", "))")
    }
    return w
  }

  static func scheme(_ name: String?, schemes: [any AreaScheme]) throws(APIError) -> Int {
    guard let name else {
      throw .bad("parameter 'scheme' is required (one of \(schemes.map(\.name).joined(separator: ", ")))")
    }
    guard let s = schemes.firstIndex(where: { $0.name == name }) else {
      throw .notFound("unknown scheme '\(name)'; this config has \(schemes.map(\.name).joined(separator: ", "))")
    }
    return s
  }

  static func parseTime(_ text: String) -> Int64? {
    let bytes = Array(text.utf8)
    return bytes.withUnsafeBufferPointer { b -> Int64? in
      guard let base = b.baseAddress else { return nil }
      return TimeParser.parseRFC3339(base, 0, b.count)
    }
  }

  /// The window instance asked for.
  func select(from recent: RecentWindows) throws(APIError) -> WindowView {
    switch at {
    case .latest:
      guard let v = recent.final[window].last else { throw .notFound("no final window yet for this window name") }
      return v
    case .open:
      guard let v = recent.open[window] else { throw .notFound("no open window at the last flush") }
      return v
    case .time(let millis):
      guard let v = recent.window(window, holding: millis) else {
        throw .notFound("no retained window holds that time")
      }
      return v
    }
  }

  /// Indices of the rows of `view` that pass the area and bbox filters.
  func rows(of view: WindowView, geometry: AreaGeometry) -> [Int] {
    guard let table = view.tables[scheme] else { return [] }
    guard area != nil || bbox != nil, let labels = ViewJSON.column(table, "area") else {
      return Array(0..<table.rowCount)
    }
    return (0..<table.rowCount).filter { row in
      guard let label = labels[row] else { return false }
      if let area, label != area { return false }
      if let bbox, !geometry.intersects(scheme: scheme, label: label, box: bbox) { return false }
      return true
    }
  }
}
