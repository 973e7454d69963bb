import AreaflowCore
import Hummingbird

/// The JSON responses every route and middleware answer with, so an error looks the same wherever it comes from.
enum APIResponse {
  static func json(_ bytes: [UInt8], status: HTTPResponse.Status = .ok) -> Response {
    Response(
      status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
  }

  /// `{"error": message}` with a status.
  static func error(_ message: String, status: HTTPResponse.Status) -> Response {
    json(ViewJSON.error(message), status: status)
  }
}
