import AreaflowCore
import AreaflowRuntime
import Hummingbird
import Prometheus

/// The routes of SPEC section 6 over a `LiveView`: every handler reads the last published `RecentWindows` value and
/// renders it, so requests never wait on the pipeline.
public struct AreaflowAPI: Sendable {
  public let view: LiveView
  public let registry: PrometheusCollectorRegistry
  let geometry: AreaGeometry
  let cache = ResponseCache()
  /// Seconds between SSE keep-alive comments.
  let keepAlive: Double
  /// Who may read what (`http.users_file`), or nil: every path is open.
  let access: AccessControl?
  /// Stream clients now, against `http.limits.sse_clients`.
  let streams: StreamSlots

  public init(
    view: LiveView, registry: PrometheusCollectorRegistry, keepAlive: Double = 15, access: AccessControl? = nil
  ) {
    self.view = view
    self.registry = registry
    self.keepAlive = keepAlive
    self.access = access
    let limits = view.config.http.limits
    streams = StreamSlots(capacity: limits.sseClients, registry: registry)
    geometry = AreaGeometry(schemes: view.schemes)
  }

  /// The router with every endpoint, behind the middlewares of SPEC section 6: response headers (outermost, so
  /// refusals carry them too), the per-client rate limit, then access control when a users file is configured.
  public func router() -> Router<ServerContext> {
    let router = Router(context: ServerContext.self)
    router.add(middleware: ResponseHeadersMiddleware(http: view.config.http))
    router.add(middleware: RateLimitMiddleware(limits: view.config.http.limits, registry: registry))
    if let access { router.add(middleware: AccessMiddleware(access: access, registry: registry)) }
    router.get("/") { _, _ in
      Response(
        status: .ok, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-cache"],
        body: .init(byteBuffer: ByteBuffer(bytes: MapPage.html)))
    }
    router.get("/healthz") { _, _ in
      if let problem = view.problem { return json(ViewJSON.error(problem), status: .serviceUnavailable) }
      return Response(
        status: .ok, headers: [.contentType: "text/plain; charset=utf-8"],
        body: .init(byteBuffer: ByteBuffer(string: "ok\n")))
    }
    router.get("/metrics") { _, _ in
      var bytes: [UInt8] = []
      registry.emit(into: &bytes)
      return Response(
        status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
        body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
    router.get("/v1/meta") { _, _ in
      json(ViewJSON.meta(view.current(), config: view.config, schemes: view.schemes))
    }
    router.get("/v1/aggregates") { request, _ in
      answer { () throws(APIError) in try aggregates(parameters(request)) }
    }
    router.get("/v1/areas/:scheme/:area") { request, context in
      let scheme = context.parameters.get("scheme") ?? ""
      let area = context.parameters.get("area") ?? ""
      return answer { () throws(APIError) in try history(scheme: scheme, area: area, parameters(request)) }
    }
    router.get("/v1/outlines/:scheme") { _, context in
      let name = context.parameters.get("scheme") ?? ""
      return answer { () throws(APIError) in
        guard let index = view.schemes.firstIndex(where: { $0.name == name }),
          let regions = view.schemes[index] as? RegionScheme
        else { throw .notFound("no regions scheme '\(name)'; /v1/meta lists them under outlines") }
        return ViewJSON.outlines(regions, geometry: geometry, schemeIndex: index)
      }
    }
    router.get("/v1/stream") { _, _ in stream() }
    return router
  }

  func parameters(_ request: Request) -> [String: String] {
    var result: [String: String] = [:]
    for (k, v) in request.uri.queryParameters { result[String(k)] = String(v) }
    return result
  }

  func answer(_ body: () throws(APIError) -> [UInt8]) -> Response {
    do {
      return json(try body())
    } catch {
      return json(ViewJSON.error(error.message), status: error.status)
    }
  }

  func json(_ bytes: [UInt8], status: HTTPResponse.Status = .ok) -> Response {
    Response(
      status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
  }

  /// `/v1/aggregates`.
  func aggregates(_ query: [String: String]) throws(APIError) -> [UInt8] {
    let q = try AggregatesQuery(query, config: view.config, schemes: view.schemes)
    if let area = q.area, view.schemes[q.scheme].key(of: area) == nil {
      throw .bad("parameter 'area': '\(area)' is not an area of scheme \(view.schemes[q.scheme].name)")
    }
    let recent = view.current()
    let selected = try q.select(from: recent)
    let render = { () throws(APIError) -> [UInt8] in
      let rows = q.rows(of: selected, geometry: geometry)
      return q.geojson
        ? ViewJSON.geojson(selected, scheme: q.scheme, rows: rows, geometry: geometry)
        : ViewJSON.aggregates(selected, scheme: q.scheme, rows: rows)
    }
    guard q.area == nil, q.bbox == nil else { return try render() }
    let key = "\(q.window)|\(selected.start)|\(selected.isFinal)|\(q.scheme)|\(q.geojson)"
    return try cache.answer(generation: recent.generation, key: key, render: render)
  }

  /// `/v1/areas/SCHEME/AREA?window=NAME[&last=N]`: the area's last N retained final windows, oldest first.
  func history(scheme: String, area: String, _ query: [String: String]) throws(APIError) -> [UInt8] {
    if let unknown = query.keys.sorted().first(where: { $0 != "window" && $0 != "last" }) {
      throw .bad("unknown parameter '\(unknown)'; expected window, last")
    }
    let s = try AggregatesQuery.scheme(scheme, schemes: view.schemes)
    let w = try AggregatesQuery.window(query["window"], config: view.config)
    guard view.schemes[s].key(of: area) != nil else {
      throw .notFound("'\(area)' is not an area of scheme \(scheme)")
    }
    var last = 10
    if let text = query["last"] {
      guard let n = Int(text), n >= 1 else { throw .bad("parameter 'last' must be a whole number ≥ 1, not '\(text)'") }
      last = n
    }
    var windows: [(WindowView, [Int])] = []
    for v in view.current().final[w] {
      guard let table = v.tables[s], let labels = ViewJSON.column(table, "area") else { continue }
      let rows = (0..<table.rowCount).filter { labels[$0] == area }
      if !rows.isEmpty { windows.append((v, rows)) }
    }
    return ViewJSON.history(
      scheme: scheme, area: area, window: view.config.windows[w].name, views: Array(windows.suffix(last)),
      schemeIndex: s)
  }

  /// `/v1/stream`: one `window` event per committed window, a keep-alive comment in between. Past
  /// `http.limits.sse_clients` clients the answer is 503 with `Retry-After`; a client that stops reading is dropped
  /// by `StalledReaderHandler`, so stalled clients cannot hold the slots.
  func stream() -> Response {
    guard let slot = streams.acquire() else {
      var response = json(
        ViewJSON.error("too many stream clients (\(streams.capacity)); retry later"), status: .serviceUnavailable)
      response.headers[.retryAfter] = "5"
      return response
    }
    let (events, continuation) = AsyncStream.makeStream(of: ByteBuffer.self, bufferingPolicy: .bufferingNewest(256))
    let schemes = view.schemes.map(\.name)
    let id = view.subscribe { window in
      var text = "event: window\ndata: "
      text += String(decoding: ViewJSON.streamEvent(window, schemes: schemes), as: UTF8.self)
      text += "\n\n"
      continuation.yield(ByteBuffer(string: text))
    }
    let view = view
    let interval = keepAlive
    let ticker = Task {
      while !Task.isCancelled {
        try? await Task.sleep(for: .seconds(interval))
        continuation.yield(ByteBuffer(string: ": keepalive\n\n"))
      }
    }
    continuation.onTermination = { _ in
      view.unsubscribe(id)
      ticker.cancel()
      slot.release()
    }
    continuation.yield(ByteBuffer(string: ": areaflow window stream\nretry: 2000\n\n"))
    return Response(
      status: .ok,
      headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
      body: ResponseBody { writer in
        for await buffer in events { try await writer.write(buffer) }
        try await writer.finish(nil)
      })
  }
}
