import Hummingbird

/// A request the API cannot answer: 400 for a bad parameter (named in the message), 404 for an unknown window,
/// scheme, area or time. Rendered as `{"error": …}`.
struct APIError: Error {
  let status: HTTPResponse.Status
  let message: String

  static func bad(_ message: String) -> APIError { APIError(status: .badRequest, message: message) }
  static func notFound(_ message: String) -> APIError { APIError(status: .notFound, message: message) }
}
