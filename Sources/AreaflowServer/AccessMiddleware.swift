import HTTPTypes
import Hummingbird
import NIOPosix
import Prometheus

/// Lets a request through only with credentials of `http.users_file` that carry the scope its path needs
/// (SPEC section 6): `/metrics` needs `metrics`, everything else but `/healthz` needs `read`.
///
/// Without credentials, or with wrong ones, the answer is 401 with a `WWW-Authenticate` challenge for both schemes;
/// with valid ones lacking the scope, 403. Failures are counted in `areaflow_http_auth_failures_total{reason}` and
/// logged with the client address and the user or token name when one was given, never the secret.
struct AccessMiddleware: RouterMiddleware {
  typealias Context = ServerContext

  let access: AccessControl
  let missing: Counter
  let invalid: Counter
  let forbidden: Counter

  init(access: AccessControl, registry: PrometheusCollectorRegistry) {
    self.access = access
    let name = MetricNameDescriptor(
      namespace: "areaflow", subsystem: "http", metricName: "auth_failures", unitName: "total",
      helpText: "Requests refused for want of valid credentials (missing, invalid) or of the scope (forbidden)")
    missing = registry.makeCounter(descriptor: name, labels: [("reason", "missing")])
    invalid = registry.makeCounter(descriptor: name, labels: [("reason", "invalid")])
    forbidden = registry.makeCounter(descriptor: name, labels: [("reason", "forbidden")])
  }

  /// The scope a path needs, or nil for an open path.
  static func scope(of path: String) -> AccessList.Scope? {
    switch path {
    case "/healthz": nil
    case "/metrics": .metrics
    default: .read
    }
  }

  func handle(
    _ request: Request, context: ServerContext, next: (Request, ServerContext) async throws -> Response
  ) async throws -> Response {
    guard let needed = Self.scope(of: request.uri.path) else { return try await next(request, context) }
    let header = request.headers[.authorization]
    let access = access.current
    // bcrypt takes tens of milliseconds: not on the event loop.
    let verdict = try await NIOThreadPool.singleton.runIfActive { access.verdict(authorization: header) }
    switch verdict {
    case .granted(let name, let scopes) where scopes.contains(needed):
      var context = context
      context.principal = name
      return try await next(request, context)
    case .granted(let name, _):
      forbidden.increment()
      context.logger.warning(
        "refused: no scope", metadata: ["client": "\(context.clientKey)", "user": "\(name)", "scope": "\(needed)"])
      return APIResponse.error(
        "'\(name)' lacks the \(needed.rawValue) scope for \(request.uri.path)", status: .forbidden)
    case .missing, .invalid:
      (verdict == .missing ? missing : invalid).increment()
      context.logger.warning(
        "refused: \(verdict == .missing ? "no credentials" : "invalid credentials")",
        metadata: ["client": "\(context.clientKey)", "path": "\(request.uri.path)"])
      var response = APIResponse.error(
        verdict == .missing ? "credentials required" : "invalid credentials", status: .unauthorized)
      response.headers.append(HTTPField(name: .wwwAuthenticate, value: #"Basic realm="areaflow", charset="UTF-8""#))
      response.headers.append(HTTPField(name: .wwwAuthenticate, value: #"Bearer realm="areaflow""#))
      return response
    }
  }
}
