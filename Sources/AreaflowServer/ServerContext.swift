import Hummingbird
import NIOCore

/// The request context of areaflow's routes: Hummingbird's basic context plus the client's address, which rate
/// limiting keys on, and the name of who was let in, for the log.
public struct ServerContext: RequestContext, RemoteAddressRequestContext {
  public var coreContext: CoreRequestContextStorage
  public let remoteAddress: SocketAddress?
  /// The user or token name once `AccessMiddleware` granted the request.
  public var principal: String?

  public init(source: ApplicationRequestContextSource) {
    coreContext = .init(source: source)
    remoteAddress = source.channel.remoteAddress
  }

  /// The client's IP address as text, or `-` when the channel has none (tests).
  var clientKey: String { remoteAddress?.ipAddress ?? "-" }
}
