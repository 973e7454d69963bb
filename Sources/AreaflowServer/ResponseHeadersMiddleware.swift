import AreaflowCore
import Crypto
import Foundation
import HTTPTypes
import Hummingbird

/// Headers every answer carries: `X-Content-Type-Options: nosniff`; on the map page a strict Content-Security-Policy
/// (its one inline script and style by hash, data from this server only, images from this server and the configured
/// basemap host only) and no framing; and CORS for the origins `http.cors` names, none by default.
struct ResponseHeadersMiddleware: RouterMiddleware {
  typealias Context = ServerContext

  /// The map page's policy, computed once from the page itself.
  let mapPolicy: String
  let corsOrigins: [String]

  init(http: HTTPConfig) {
    mapPolicy = Self.policy(page: MapPage.html, basemap: http.basemap)
    corsOrigins = http.corsOrigins
  }

  static let nosniff = HTTPField.Name("X-Content-Type-Options")!
  static let csp = HTTPField.Name("Content-Security-Policy")!
  static let frameOptions = HTTPField.Name("X-Frame-Options")!
  static let referrerPolicy = HTTPField.Name("Referrer-Policy")!

  /// `Content-Security-Policy` for a page whose only script and style are inline: each allowed by its SHA-256, so
  /// an injected script or style would not run.
  static func policy(page: [UInt8], basemap: String?) -> String {
    let text = String(decoding: page, as: UTF8.self)
    func hashes(_ tag: String) -> String {
      var result: [String] = []
      var rest = text[...]
      while let open = rest.range(of: "<\(tag)>"),
        let close = rest.range(of: "</\(tag)>", range: open.upperBound..<rest.endIndex)
      {
        let body = Array(rest[open.upperBound..<close.lowerBound].utf8)
        result.append("'sha256-\(Data(SHA256.hash(data: body)).base64EncodedString())'")
        rest = rest[close.upperBound...]
      }
      return result.joined(separator: " ")
    }
    var images = "'self' data:"
    if let basemap,
      let url = URL(string: basemap.replacingOccurrences(of: "{", with: "").replacingOccurrences(of: "}", with: "")),
      let scheme = url.scheme, let host = url.host
    {
      images += " \(scheme)://\(host)\(url.port.map { ":\($0)" } ?? "")"
    }
    return "default-src 'none'; script-src \(hashes("script")); style-src \(hashes("style")); img-src \(images); "
      + "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
  }

  func handle(
    _ request: Request, context: ServerContext, next: (Request, ServerContext) async throws -> Response
  ) async throws -> Response {
    let origin = request.headers[.origin]
    let allowed = origin.flatMap { o in corsOrigins.contains("*") || corsOrigins.contains(o) ? o : nil }
    var response: Response
    if request.method == .options, allowed != nil, request.headers[.accessControlRequestMethod] != nil {
      response = Response(status: .noContent)
      response.headers[.accessControlAllowMethods] = "GET, OPTIONS"
      response.headers[.accessControlAllowHeaders] = "Authorization, Accept"
      response.headers[.accessControlMaxAge] = "600"
    } else if (request.headers[.contentLength].flatMap { Int($0) } ?? 0) > 0
      || request.headers[.transferEncoding] != nil
    {
      response = APIResponse.error("this API takes no request body", status: .contentTooLarge)
    } else {
      do {
        response = try await next(request, context)
      } catch let error as any HTTPResponseError {
        response = try error.response(from: request, context: context)
      }
    }
    response.headers[Self.nosniff] = "nosniff"
    if request.uri.path == "/" {
      response.headers[Self.csp] = mapPolicy
      response.headers[Self.frameOptions] = "DENY"
      response.headers[Self.referrerPolicy] = "no-referrer"
    }
    if let allowed {
      response.headers[.accessControlAllowOrigin] = allowed
      response.headers.append(HTTPField(name: .vary, value: "Origin"))
    }
    return response
  }
}
