import HummingbirdCore
import Logging
import NIOCore
import NIOSSL

/// HTTP/1 behind TLS whose context comes from a `CertificateStore` at each connection, so a renewed certificate is
/// used from the next connection on (Hummingbird's own TLS channel fixes its context at start).
struct ReloadingTLSChannel<Base: ServerChildChannel & HTTPChannelHandler>: ServerChildChannel, HTTPChannelHandler {
  typealias Value = Base.Value

  let base: Base
  let certificates: CertificateStore

  func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
    channel.eventLoop.makeCompletedFuture {
      try channel.pipeline.syncOperations.addHandler(
        NIOSSLServerHandler(context: certificates.context, customVerificationCallback: nil, configuration: .init()))
    }.flatMap {
      base.setup(channel: channel, logger: logger)
    }
  }

  func handle(value: Value, logger: Logger) async {
    await base.handle(value: value, logger: logger)
  }

  var responder: HTTPChannelHandler.Responder { base.responder }
}
