import AreaflowCore
import AreaflowRuntime
import Hummingbird
import Logging
import Prometheus
import Synchronization

/// Runs the API on `HOST:PORT` beside the pipeline (`run --http`), on Hummingbird's own event loops: the pipeline's
/// Dispatch queues and the server share nothing but the published `LiveView`.
public final class HTTPServer: Sendable {
  let api: AreaflowAPI
  let host: String
  let port: Int
  let logger: Logger
  private let task: Mutex<Task<Void, Never>?> = Mutex(nil)

  struct AddressError: Error, CustomStringConvertible {
    let description: String
  }

  /// Parses `HOST:PORT` (port 0 picks a free one).
  public init(address: String, api: AreaflowAPI, logger: Logger) throws {
    guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]),
      (0...65535).contains(port)
    else {
      throw AddressError(description: "--http expects HOST:PORT, such as 127.0.0.1:8080, not '\(address)'")
    }
    var host = String(address[..<colon])
    if host.hasPrefix("[") { host = String(host.dropFirst().dropLast()) }
    self.host = host.isEmpty ? "0.0.0.0" : host
    self.port = port
    self.api = api
    self.logger = logger
  }

  /// Starts serving; `onListening` gets the bound port once the socket is listening.
  public func start(onListening: @escaping @Sendable (Int) -> Void) {
    let app = Application(
      router: api.router(), configuration: .init(address: .hostname(host, port: port), serverName: "areaflow"),
      onServerRunning: { channel in onListening(channel.localAddress?.port ?? 0) }, logger: logger)
    let logger = logger
    let t = Task {
      do {
        try await app.run()
      } catch {
        logger.error("the HTTP server stopped", metadata: ["error": "\(error)"])
      }
    }
    task.withLock { $0 = t }
  }

  /// Stops serving.
  public func stop() { task.withLock { $0?.cancel() } }
}
