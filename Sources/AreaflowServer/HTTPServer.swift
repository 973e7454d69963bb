import AreaflowCore
import AreaflowRuntime
import Dispatch
import Hummingbird
import Logging
import Prometheus
import ServiceLifecycle
import Synchronization

/// Runs the API on `HOST:PORT` beside the pipeline (`run --http`), on Hummingbird's own event loops: the pipeline's
/// Dispatch queues and the server share nothing but the published `LiveView`.
public final class HTTPServer: Sendable {
  let api: AreaflowAPI
  let host: String
  let port: Int
  let logger: Logger
  private let task: Mutex<Task<Void, Never>?> = Mutex(nil)
  private let group: Mutex<ServiceGroup?> = Mutex(nil)

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
    // Signals are the pipeline's business (drain, commit); the group only runs the server until `stop`.
    let serviceGroup = ServiceGroup(
      configuration: .init(services: [app], gracefulShutdownSignals: [], cancellationSignals: [], logger: logger))
    group.withLock { $0 = serviceGroup }
    let logger = logger
    let t = Task {
      do {
        try await serviceGroup.run()
      } catch {
        logger.error("the HTTP server stopped", metadata: ["error": "\(error)"])
      }
    }
    task.withLock { $0 = t }
  }

  /// Stops serving: a graceful shutdown (open requests finish), cancelled after two seconds (an SSE stream never
  /// finishes by itself).
  public func stop() {
    guard let serviceGroup = group.withLock({ $0 }), let running = task.withLock({ $0 }) else { return }
    let finished = DispatchSemaphore(value: 0)
    Task {
      await serviceGroup.triggerGracefulShutdown()
      _ = await running.value
      finished.signal()
    }
    if finished.wait(timeout: .now() + 2) == .timedOut {
      running.cancel()
      _ = finished.wait(timeout: .now() + 2)
    }
  }
}
