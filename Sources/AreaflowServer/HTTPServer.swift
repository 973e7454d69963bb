import AreaflowCore
import AreaflowRuntime
import Dispatch
import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import Prometheus
import ServiceLifecycle
import Synchronization

/// Runs the API on `HOST:PORT` beside the pipeline (`run --http`), on Hummingbird's own event loops: the pipeline's
/// Dispatch queues and the server share nothing but the published `LiveView`.
///
/// With `http.tls` it serves HTTPS only, the certificate taken from a `CertificateStore` at each connection; with
/// `http.users_file` every path but `/healthz` needs credentials. Both files are watched (every two seconds) and
/// read again on SIGHUP. Connections are bounded by `http.limits`: header size and count, an idle timeout that also
/// closes a client trickling its header, and stalled readers dropped.
public final class HTTPServer: Sendable {
  let api: AreaflowAPI
  let host: String
  let port: Int
  let logger: Logger
  let certificates: CertificateStore?
  private let watcher: Mutex<Task<Void, Never>?> = Mutex(nil)
  private let hangup: Mutex<SignalSource?> = Mutex(nil)

  /// The SIGHUP source, held so it stays installed; Dispatch sources are thread-safe but not marked `Sendable`.
  final class SignalSource: @unchecked Sendable {
    let source: any DispatchSourceSignal
    init(_ source: any DispatchSourceSignal) { self.source = source }
  }
  private let task: Mutex<Task<Void, Never>?> = Mutex(nil)
  private let group: Mutex<ServiceGroup?> = Mutex(nil)

  struct AddressError: Error, CustomStringConvertible {
    let description: String
  }

  /// Parses `HOST:PORT` (port 0 picks a free one).
  public init(address: String, api: AreaflowAPI, certificates: CertificateStore? = nil, logger: Logger) throws {
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
    self.certificates = certificates
    self.logger = logger
  }

  /// HTTP/1 with the header limits, idle timeout and stalled-reader handler of `http.limits`, behind TLS when a
  /// certificate is configured.
  func serverBuilder() -> HTTPServerBuilder {
    let limits = api.view.config.http.limits
    let idle = TimeAmount.nanoseconds(limits.idleTimeout)
    let http1 = HTTP1Channel.Configuration(
      additionalChannelHandlers: [StalledReaderHandler(timeout: idle)], idleTimeout: idle,
      httpDecoderConfiguration: .init(
        maxHeaderFieldSize: limits.maxHeaderBytes, maxHeaderListSize: limits.maxHeaderBytes,
        maxHeaderFieldCount: limits.maxHeaders))
    guard let certificates else { return .http1(configuration: http1) }
    return HTTPServerBuilder { responder in
      ReloadingTLSChannel(base: HTTP1Channel(responder: responder, configuration: http1), certificates: certificates)
    }
  }

  /// Reads the certificate and users file again when they change, and on SIGHUP.
  private func watchFiles() {
    let certificates = certificates
    let access = api.access
    guard certificates != nil || access != nil else { return }
    let task = Task {
      while !Task.isCancelled {
        try? await Task.sleep(for: .seconds(2))
        certificates?.reload()
        access?.reload()
      }
    }
    watcher.withLock { $0 = task }
    signal(SIGHUP, SIG_IGN)
    let source = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
    let logger = logger
    source.setEventHandler {
      logger.info("SIGHUP: reading the TLS certificate and users file again")
      certificates?.reload(force: true)
      access?.reload(force: true)
    }
    source.resume()
    let held = SignalSource(source)
    hangup.withLock { $0 = held }
  }

  /// Starts serving; `onListening` gets the bound port once the socket is listening.
  public func start(onListening: @escaping @Sendable (Int) -> Void) {
    let app = Application(
      router: api.router(), server: serverBuilder(),
      configuration: .init(address: .hostname(host, port: port), serverName: "areaflow"),
      onServerRunning: { channel in onListening(channel.localAddress?.port ?? 0) }, logger: logger)
    watchFiles()
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
    watcher.withLock { $0?.cancel() }
    hangup.withLock { $0?.source.cancel() }
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
