/// `http:` (SPEC section 6): what `run --http` keeps, shows and how it guards the port.
public struct HTTPConfig: Sendable, Equatable {
  /// Final windows kept per window name for the API and the map (`http.retain`).
  public var retain: Int
  /// `http.basemap`: a raster tile URL template (`https://host/{z}/{x}/{y}.png`) the map draws under the areas;
  /// nil keeps the page self-contained.
  public var basemap: String?
  /// `http.tls`: the certificate chain and private key files (PEM), resolved against the config's directory; nil
  /// serves plain HTTP.
  public var tls: TLSFiles?
  /// `http.users_file`: who may read what (SPEC section 6), resolved; nil leaves every path open.
  public var usersFile: String?
  /// `http.cors`: origins allowed to read the API from a browser page of theirs; empty sends no CORS headers.
  public var corsOrigins: [String] = []
  /// `http.limits`: what one client, and all of them together, may take.
  public var limits = HTTPLimits()

  public init(retain: Int = 60, basemap: String? = nil) {
    self.retain = retain
    self.basemap = basemap
  }

  /// The two PEM files of `http.tls`.
  public struct TLSFiles: Sendable, Equatable {
    public var cert: String
    public var key: String
    public init(cert: String, key: String) {
      self.cert = cert
      self.key = key
    }
  }
}

/// `http.limits`: bounds that keep one client, or a crowd of stalled ones, from taking the server from the rest.
/// The defaults suit a data team's dashboards and scrapers: a map polls a few requests a second.
public struct HTTPLimits: Sendable, Equatable {
  /// Concurrent `/v1/stream` clients; the next one gets 503 with `Retry-After`.
  public var sseClients = 64
  /// Requests per second each client address may make on average (token bucket refill), and the bucket size.
  public var rate = 20.0
  public var burst = 60
  /// A connection that has not sent a complete request header this long after it opened or after its last
  /// response (however slowly bytes trickle in) is closed, and so is a stream client that stops reading for this
  /// long (nanoseconds).
  public var idleTimeout: Int64 = 60_000_000_000
  /// Header fields per request, and bytes of all of them.
  public var maxHeaders = 100
  public var maxHeaderBytes = 16 * 1024

  public init() {}
}
