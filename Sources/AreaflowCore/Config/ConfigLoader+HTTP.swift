import Yams

extension ConfigLoader {
  /// `http:` (SPEC section 6). Files are only named here; `run` reads them when it starts serving.
  func parseHTTP(_ node: Node) throws(ConfigError) -> HTTPConfig {
    let m = try mapping(node, key: "http", allowed: ["retain", "basemap", "tls", "users_file", "cors", "limits"])
    var http = HTTPConfig()
    if let b = m["basemap"] {
      let url = try string(b, key: "http.basemap")
      guard url.hasPrefix("https://") || url.hasPrefix("http://"),
        ["{z}", "{x}", "{y}"].allSatisfy({ url.contains($0) })
      else {
        throw error(
          b, key: "http.basemap", "expected a tile URL template such as https://tiles.example.org/{z}/{x}/{y}.png")
      }
      http.basemap = url
    }
    if let r = m["retain"] {
      guard let n = Int(r.scalar?.string ?? ""), (1...100_000).contains(n) else {
        throw error(r, key: "http.retain", "expected a whole number of windows between 1 and 100000")
      }
      http.retain = n
    }
    if let t = m["tls"] {
      let example = "{cert: server.crt, key: server.key} (PEM files)"
      let tm = try mapping(t, key: "http.tls", allowed: ["cert", "key"])
      guard let c = tm["cert"] else { throw missing("http.tls.cert", in: t, expected: example) }
      guard let k = tm["key"] else { throw missing("http.tls.key", in: t, expected: example) }
      http.tls = .init(
        cert: resolve(try string(c, key: "http.tls.cert")), key: resolve(try string(k, key: "http.tls.key")))
    }
    if let u = m["users_file"] { http.usersFile = resolve(try string(u, key: "http.users_file")) }
    if let c = m["cors"] {
      guard case .sequence(let items) = c else {
        throw error(c, key: "http.cors", "expected a list of origins such as [https://dashboards.example.org]")
      }
      for item in items {
        let origin = try string(item, key: "http.cors")
        guard origin == "*" || ((origin.hasPrefix("https://") || origin.hasPrefix("http://")) && !origin.hasSuffix("/"))
        else {
          throw error(
            item, key: "http.cors", "'\(origin)' is not an origin: scheme and host, such as https://example.org")
        }
        http.corsOrigins.append(origin)
      }
    }
    if let l = m["limits"] { http.limits = try parseLimits(l) }
    return http
  }

  private func parseLimits(_ node: Node) throws(ConfigError) -> HTTPLimits {
    let m = try mapping(
      node, key: "http.limits",
      allowed: ["sse_clients", "rate", "burst", "idle_timeout", "max_headers", "max_header_bytes"])
    var limits = HTTPLimits()
    if let n = m["sse_clients"] {
      limits.sseClients = try integer(n, key: "http.limits.sse_clients", range: 1...100_000)
    }
    if let n = m["rate"] {
      let rate = try number(n, key: "http.limits.rate")
      guard rate > 0 else { throw error(n, key: "http.limits.rate", "expected requests per second greater than zero") }
      limits.rate = rate
    }
    if let n = m["burst"] { limits.burst = try integer(n, key: "http.limits.burst", range: 1...1_000_000) }
    if let n = m["idle_timeout"] { limits.idleTimeout = try positiveDuration(n, key: "http.limits.idle_timeout") }
    if let n = m["max_headers"] {
      limits.maxHeaders = try integer(n, key: "http.limits.max_headers", range: 8...10_000)
    }
    if let n = m["max_header_bytes"] {
      limits.maxHeaderBytes = try integer(n, key: "http.limits.max_header_bytes", range: 1024...1_048_576)
    }
    return limits
  }
}
