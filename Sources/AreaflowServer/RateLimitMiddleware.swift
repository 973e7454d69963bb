import AreaflowCore
import Hummingbird
import Prometheus

/// Answers 429 with `Retry-After` to a client over its `http.limits` rate, before any other work (and before a
/// password check, so guessing is slow too). `/healthz` is not limited: orchestrators poll it.
struct RateLimitMiddleware: RouterMiddleware {
  typealias Context = ServerContext

  let limiter: RateLimiter
  let limited: Counter

  init(limits: HTTPLimits, registry: PrometheusCollectorRegistry) {
    limiter = RateLimiter(rate: limits.rate, burst: limits.burst)
    limited = registry.makeCounter(
      descriptor: MetricNameDescriptor(
        namespace: "areaflow", subsystem: "http", metricName: "rate_limited", unitName: "total",
        helpText: "Requests answered 429 because their client was over the rate"))
  }

  func handle(
    _ request: Request, context: ServerContext, next: (Request, ServerContext) async throws -> Response
  ) async throws -> Response {
    guard request.uri.path != "/healthz", let wait = limiter.take(context.clientKey) else {
      return try await next(request, context)
    }
    limited.increment()
    var response = APIResponse.error(
      "too many requests from this client; retry after \(Int(wait.rounded(.up))) s", status: .tooManyRequests)
    response.headers[.retryAfter] = String(max(1, Int(wait.rounded(.up))))
    return response
  }
}
