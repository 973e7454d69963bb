import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// One HTTP/1.1 GET on swift-nio (TLS through swift-nio-ssl with the system's trust roots), for polling feeds.
///
/// areaflow already carries swift-nio for its HTTP server; a client on it costs nothing more, whereas
/// FoundationNetworking's URLSession loads libcurl and some thirty shared libraries into every process, about 8 MB
/// of resident memory even for a replay that never fetches anything. A fetch opens a connection, sends the request,
/// collects the answer (up to `maxBody` bytes) and closes; the whole exchange is bounded by `timeout`.
struct HTTPFeedFetcher: Sendable {
  /// What came back.
  struct Answer: Sendable {
    var status: Int
    var headers: HTTPHeaders
    var body: [UInt8]
  }

  /// Why a fetch failed, in words a person can act on.
  struct Failure: Error, CustomStringConvertible {
    let description: String
  }

  let url: URL
  let host: String
  let port: Int
  let isTLS: Bool
  let timeout: TimeAmount
  let maxBody: Int
  private let tls: NIOSSLContext?

  /// - Throws: `Failure` for a URL without a host or with another scheme, or a TLS set-up that fails.
  init(url: URL, timeoutSeconds: Double, maxBody: Int = 256 << 20) throws {
    guard let host = url.host, let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https" else {
      throw Failure(description: "\(url): expected http://HOST[:PORT]/PATH or https://…")
    }
    self.url = url
    self.host = host
    isTLS = scheme == "https"
    port = url.port ?? (isTLS ? 443 : 80)
    timeout = .nanoseconds(Int64(timeoutSeconds * 1e9))
    self.maxBody = maxBody
    do {
      tls = isTLS ? try NIOSSLContext(configuration: .makeClientConfiguration()) : nil
    } catch {
      throw Failure(description: "TLS set-up failed: \(error)")
    }
  }

  /// The path and query to request.
  var target: String {
    let path = url.path.isEmpty ? "/" : url.path
    return url.query.map { "\(path)?\($0)" } ?? path
  }

  /// Fetches once; `done` is called exactly once, on an event loop thread.
  func get(headers extra: [(String, String)], done: @escaping @Sendable (Result<Answer, Failure>) -> Void) {
    let loop = MultiThreadedEventLoopGroup.singleton.next()
    let promise = loop.makePromise(of: Answer.self)
    let (host, port, tls, maxBody, target) = (self.host, self.port, self.tls, self.maxBody, self.target)
    let bootstrap = ClientBootstrap(group: loop)
      .connectTimeout(timeout)
      .channelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
          if let tls {
            let handler = try NIOSSLClientHandler(context: tls, serverHostname: Self.isAddress(host) ? nil : host)
            try channel.pipeline.syncOperations.addHandler(handler)
          }
          try channel.pipeline.syncOperations.addHTTPClientHandlers()
          try channel.pipeline.syncOperations.addHandler(Collector(promise: promise, maxBody: maxBody))
        }
      }
    let deadline = loop.scheduleTask(in: timeout) {
      promise.fail(Failure(description: "timed out"))
    }
    bootstrap.connect(host: host, port: port).whenComplete { result in
      switch result {
      case .failure(let error):
        promise.fail(Failure(description: Self.describe(error, host: host, port: port)))
      case .success(let channel):
        var head = HTTPRequestHead(version: .http1_1, method: .GET, uri: target)
        head.headers.add(name: "Host", value: port == 80 || port == 443 ? host : "\(host):\(port)")
        head.headers.add(name: "User-Agent", value: "areaflow")
        head.headers.add(name: "Connection", value: "close")
        for (name, value) in extra { head.headers.add(name: name, value: value) }
        channel.write(HTTPClientRequestPart.head(head), promise: nil)
        channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
        promise.futureResult.whenComplete { _ in channel.close(promise: nil) }
      }
    }
    promise.futureResult.whenComplete { result in
      deadline.cancel()
      done(result.mapError { $0 as? Failure ?? Failure(description: Self.describe($0, host: host, port: port)) })
    }
  }

  static func isAddress(_ host: String) -> Bool {
    (try? SocketAddress(ipAddress: host, port: 0)) != nil
  }

  /// Connection errors in words: refused, unknown host, TLS.
  static func describe(_ error: any Error, host: String, port: Int) -> String {
    if let e = error as? Failure { return e.description }
    if let e = error as? NIOConnectionError {
      if e.dnsAError != nil || e.dnsAAAAError != nil, e.connectionErrors.isEmpty { return "unknown host \(host)" }
      if let first = e.connectionErrors.first { return describe(first.error, host: host, port: port) }
    }
    if let e = error as? IOError {
      switch e.errnoCode {
      case ECONNREFUSED: return "connection refused (\(host):\(port))"
      case ECONNRESET: return "the connection was reset"
      case ENETUNREACH, EHOSTUNREACH: return "no route to \(host)"
      default: return "\(e)"
      }
    }
    if case ChannelError.connectTimeout = error { return "timed out connecting to \(host):\(port)" }
    if error is NIOSSLError || error is BoringSSLError { return "TLS failed: \(error)" }
    return "\(error)"
  }

  /// Gathers one response and completes the promise at its end (or when the connection ends first).
  final class Collector: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart

    let promise: EventLoopPromise<Answer>
    let maxBody: Int
    private var answer: Answer?

    init(promise: EventLoopPromise<Answer>, maxBody: Int) {
      self.promise = promise
      self.maxBody = maxBody
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
      switch unwrapInboundIn(data) {
      case .head(let head):
        answer = Answer(status: Int(head.status.code), headers: head.headers, body: [])
      case .body(let buffer):
        guard answer != nil else { return }
        guard answer!.body.count + buffer.readableBytes <= maxBody else {
          promise.fail(Failure(description: "the answer is larger than \(maxBody >> 20) MiB"))
          context.close(promise: nil)
          return
        }
        answer!.body.append(contentsOf: buffer.readableBytesView)
      case .end:
        if let answer { promise.succeed(answer) }
      }
    }

    func channelInactive(context: ChannelHandlerContext) {
      promise.fail(Failure(description: "the connection closed before the answer was complete"))
      context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
      promise.fail(error)
      context.close(promise: nil)
    }
  }
}
