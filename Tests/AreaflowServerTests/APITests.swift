import AreaflowCore
import Foundation
import Hummingbird
import HummingbirdTesting
import Prometheus
import Synchronization
import Testing

@testable import AreaflowRuntime
@testable import AreaflowServer

/// The API over a view published from real aggregation: answers equal the snapshot rows of the same windows,
/// errors name the parameter, and the stream reports committed windows. Run in process and over a real socket.
@Suite struct APITests {
  static let yaml = """
    name: t
    input: {format: ndjson, time: {field: ts}, lat: lat, lon: lon, dimensions: [route]}
    areas: [{name: gh5, geohash: 5}, {name: hex7, h3: 7}]
    windows: [{name: 1m, tumbling: 1m}]
    watermark: {max_out_of_order: 0s}
    features: {events: count, speed_mean: {mean: speed}, vehicles: {distinct: v}}
    http: {retain: 2}
    """

  /// A view with three final minutes (two retained) and one open minute, and the NDJSON snapshot text of each
  /// final window per scheme.
  static func makeView() throws -> (LiveView, [String: [String]]) {
    let config = try ConfigLoader(file: "c.yaml").load(yaml)
    let schemes: [any AreaScheme] = [GeohashScheme(name: "gh5", precision: 5), H3Scheme(name: "hex7", resolution: 7)]
    let decoder = BatchDecoder(config: config, schemes: schemes)
    let store = WindowStore(config: config, plan: decoder.plan)
    var stamper = WatermarkStamper(windows: config.windows, watermark: config.watermark, shardCount: 1)
    var lines = ""
    for minute in 0..<4 {
      for k in 0..<30 {
        let lat = 52.50 + Double(k % 5) * 0.03
        lines +=
          "{\"ts\":\"2026-03-02T08:0\(minute):\(10 + k)Z\",\"lat\":\(lat),\"lon\":13.4,\"route\":\"R\(k % 2)\",\"speed\":\(k),\"v\":\"v\(k % 7)\"}\n"
      }
    }
    let batch = decoder.decode(LineChunk(input: 0, inputName: "t", bytes: Array(lines.utf8), firstLine: 1))
    let stamped = stamper.stamp(batch)
    let labels = DimensionLabels()
    labels.merge(batch.newDimensionLabels)
    store.add(stamped, entries: stamped.routes[0])
    let closed = store.close(upTo: stamped.watermarkAfter)
    let assembler = RowAssembler(config: config, schemes: schemes)
    let finalTables = assembler.tables(closed, labels: labels.snapshot())
    let openTables = assembler.tables(store.peek(), labels: labels.snapshot())
    let view = LiveView(config: config, schemes: schemes)
    view.publish(
      final: WindowView.split(finalTables, windows: config.windows, isFinal: true),
      open: WindowView.split(openTables, windows: config.windows, isFinal: false), watermark: stamped.watermarkAfter)
    var snapshot: [String: [String]] = [:]
    for (_, s, table) in finalTables {
      let text = String(decoding: try NDJSONSnapshotEncoder().encode(table), as: UTF8.self)
      snapshot[schemes[s].name, default: []] += text.split(separator: "\n").map(String.init)
    }
    return (view, snapshot)
  }

  static func app() throws -> (some ApplicationProtocol, LiveView, [String: [String]]) {
    let (view, snapshot) = try makeView()
    let api = AreaflowAPI(view: view, registry: PrometheusCollectorRegistry(), keepAlive: 0.2)
    return (Application(router: api.router()), view, snapshot)
  }

  static func object(_ buffer: ByteBuffer) throws -> [String: Any] {
    try JSONSerialization.jsonObject(with: Data(buffer.readableBytesView)) as! [String: Any]
  }

  @Test(arguments: [TestingSetup.router, TestingSetup.live])
  func latestWindowEqualsTheSnapshotRows(setup: TestingSetup) async throws {
    let (app, _, snapshot) = try Self.app()
    try await app.test(setup) { client in
      try await client.execute(uri: "/v1/aggregates?window=1m&scheme=gh5", method: .get) { response in
        #expect(response.status == .ok)
        let body = try Self.object(response.body)
        #expect(body["final"] as? Bool == true)
        #expect(body["window_start"] as? String == "2026-03-02T08:02:00.000Z")
        let rows = body["rows"] as! [[String: Any]]
        // The same rows as the snapshot file, field for field.
        let expected = snapshot["gh5"]!.map {
          try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }.filter { $0["window_start"] as? String == "2026-03-02T08:02:00.000Z" }
        #expect(rows.count == expected.count && !rows.isEmpty)
        for (a, b) in zip(rows, expected) {
          for key in ["area", "route", "events", "speed_mean", "vehicles"] {
            #expect("\(a[key]!)" == "\(b[key]!)", "\(key)")
          }
        }
      }
      try await client.execute(uri: "/v1/aggregates?window=1m&scheme=hex7&at=open", method: .get) { response in
        let body = try Self.object(response.body)
        #expect(body["final"] as? Bool == false)
        #expect(body["window_start"] as? String == "2026-03-02T08:03:00.000Z")
      }
      // Retain 2: the first minute is gone, the second is served by time.
      try await client.execute(uri: "/v1/aggregates?window=1m&scheme=gh5&at=2026-03-02T08:01:30Z", method: .get) {
        response in
        let body = try Self.object(response.body)
        #expect(body["window_start"] as? String == "2026-03-02T08:01:00.000Z")
      }
      try await client.execute(uri: "/v1/aggregates?window=1m&scheme=gh5&at=2026-03-02T08:00:30Z", method: .get) {
        #expect($0.status == .notFound)
      }
    }
  }

  @Test func filtersByAreaAndBoundingBox() async throws {
    let (app, _, _) = try Self.app()
    try await app.test(.router) { client in
      var all: [[String: Any]] = []
      try await client.execute(uri: "/v1/aggregates?window=1m&scheme=gh5", method: .get) {
        all = try Self.object($0.body)["rows"] as! [[String: Any]]
      }
      let area = all[0]["area"] as! String
      try await client.execute(uri: "/v1/aggregates?window=1m&scheme=gh5&area=\(area)", method: .get) {
        let rows = try Self.object($0.body)["rows"] as! [[String: Any]]
        #expect(rows.count == all.filter { $0["area"] as! String == area }.count)
        #expect(rows.allSatisfy { $0["area"] as! String == area })
      }
      let box = GeohashScheme(name: "g", precision: 5).box(of: GeohashScheme(name: "g", precision: 5).key(of: area)!)
      let inside = "\(box.minLon + 0.001),\(box.minLat + 0.001),\(box.maxLon - 0.001),\(box.maxLat - 0.001)"
      try await client.execute(uri: "/v1/aggregates?window=1m&scheme=gh5&bbox=\(inside)", method: .get) {
        let rows = try Self.object($0.body)["rows"] as! [[String: Any]]
        #expect(Set(rows.map { $0["area"] as! String }) == [area])
      }
      try await client.execute(uri: "/v1/aggregates?window=1m&scheme=gh5&format=geojson", method: .get) {
        let body = try Self.object($0.body)
        #expect(body["type"] as? String == "FeatureCollection")
        let features = body["features"] as! [[String: Any]]
        #expect(features.count == all.count)
        let geometry = features[0]["geometry"] as! [String: Any]
        #expect(geometry["type"] as? String == "Polygon")
        let ring = (geometry["coordinates"] as! [[[Double]]])[0]
        #expect(ring.count == 5 && ring.first! == ring.last!)
      }
      try await client.execute(uri: "/v1/areas/gh5/\(area)?window=1m&last=5", method: .get) {
        let body = try Self.object($0.body)
        let windows = body["windows"] as! [[String: Any]]
        #expect(
          windows.map { $0["window_start"] as! String } == ["2026-03-02T08:01:00.000Z", "2026-03-02T08:02:00.000Z"])
      }
    }
  }

  @Test func badRequestsNameTheParameter() async throws {
    let (app, _, _) = try Self.app()
    let cases: [(String, HTTPResponse.Status, String)] = [
      ("/v1/aggregates?scheme=gh5", .badRequest, "window"),
      ("/v1/aggregates?window=1m", .badRequest, "scheme"),
      ("/v1/aggregates?window=5m&scheme=gh5", .notFound, "5m"),
      ("/v1/aggregates?window=1m&scheme=gh9", .notFound, "gh9"),
      ("/v1/aggregates?window=1m&scheme=gh5&at=yesterday", .badRequest, "at"),
      ("/v1/aggregates?window=1m&scheme=gh5&bbox=1,2,3", .badRequest, "bbox"),
      ("/v1/aggregates?window=1m&scheme=gh5&format=xml", .badRequest, "format"),
      ("/v1/aggregates?window=1m&scheme=gh5&area=!!", .badRequest, "area"),
      ("/v1/aggregates?window=1m&scheme=gh5&color=red", .badRequest, "color"),
      ("/v1/areas/gh5/u33db?window=1m&last=0", .badRequest, "last"),
      ("/v1/areas/gh9/u33db?window=1m", .notFound, "gh9"),
    ]
    try await app.test(.router) { client in
      for (uri, status, word) in cases {
        try await client.execute(uri: uri, method: .get) { response in
          #expect(response.status == status, "\(uri)")
          let message = try Self.object(response.body)["error"] as? String ?? ""
          #expect(message.contains(word), "\(uri): \(message)")
        }
      }
    }
  }

  @Test func healthMetricsAndMap() async throws {
    let (app, view, _) = try Self.app()
    try await app.test(.router) { client in
      try await client.execute(uri: "/healthz", method: .get) { #expect($0.status == .ok) }
      view.setProblem("commits are failing: disk full")
      try await client.execute(uri: "/healthz", method: .get) { #expect($0.status == .serviceUnavailable) }
      try await client.execute(uri: "/metrics", method: .get) { response in
        #expect(response.status == .ok)
        #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true)
      }
      try await client.execute(uri: "/", method: .get) { response in
        #expect(response.status == .ok)
        #expect(String(buffer: response.body).contains("<html"))
      }
      try await client.execute(uri: "/v1/meta", method: .get) { response in
        let body = try Self.object(response.body)
        let windows = body["windows"] as! [[String: Any]]
        #expect((windows[0]["final"] as! [Any]).count == 2)
        #expect(windows[0]["open"] is [String: Any])
      }
    }
  }

  @Test func subscribersHearEachCommittedWindowOnce() throws {
    let (view, _) = try Self.makeView()
    let heard = Mutex<[String]>([])
    let id = view.subscribe { window in
      heard.withLock {
        $0.append(String(decoding: ViewJSON.streamEvent(window, schemes: ["gh5", "hex7"]), as: UTF8.self))
      }
    }
    let last = view.current().final[0].last!
    let next = WindowView(
      window: 0, name: "1m", start: last.start + 60_000, end: last.end + 60_000, isFinal: true, tables: last.tables)
    view.publish(final: [next], open: [], watermark: nil)
    view.unsubscribe(id)
    view.publish(final: [next], open: [], watermark: nil)
    let events = heard.withLock { $0 }
    #expect(events.count == 1)
    #expect(events[0].hasPrefix("{\"window\":\"1m\",\"window_start\":\"2026-03-02T08:03:00.000Z\""))
    #expect(events[0].contains("\"rows\":{\"gh5\":"))
  }

  /// Unfiltered answers are cached per publication: the same bytes until the next flush, then the new window.
  @Test func cachedAnswersFollowPublications() async throws {
    let (app, view, _) = try Self.app()
    try await app.test(.router) { client in
      var first = ""
      try await client.execute(uri: "/v1/aggregates?window=1m&scheme=gh5", method: .get) {
        first = String(buffer: $0.body)
      }
      try await client.execute(uri: "/v1/aggregates?window=1m&scheme=gh5", method: .get) {
        #expect(String(buffer: $0.body) == first)
      }
      let last = view.current().final[0].last!
      let next = WindowView(
        window: 0, name: "1m", start: last.start + 60_000, end: last.end + 60_000, isFinal: true, tables: last.tables)
      view.publish(final: [next], open: [], watermark: nil)
      try await client.execute(uri: "/v1/aggregates?window=1m&scheme=gh5", method: .get) { response in
        let body = try Self.object(response.body)
        #expect(body["window_start"] as? String == "2026-03-02T08:03:00.000Z")
      }
    }
  }
}
