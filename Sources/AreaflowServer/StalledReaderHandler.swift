import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Closes a connection whose client has stopped reading: once the socket's send buffer is full (the channel turns
/// unwritable) and stays so for `timeout`, the client is stalled or gone, and a stream (`/v1/stream`) or a large
/// answer must not hold the connection, its memory and its stream slot for ever. A client that reads again in time
/// is left alone.
final class StalledReaderHandler: ChannelInboundHandler, RemovableChannelHandler {
  typealias InboundIn = HTTPRequestPart
  typealias InboundOut = HTTPRequestPart

  let timeout: TimeAmount
  private var deadline: Scheduled<Void>?

  init(timeout: TimeAmount) { self.timeout = timeout }

  func channelWritabilityChanged(context: ChannelHandlerContext) {
    if context.channel.isWritable {
      deadline?.cancel()
      deadline = nil
    } else if deadline == nil {
      let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
      deadline = context.eventLoop.scheduleTask(in: timeout) {
        loopBound.value.close(promise: nil)
      }
    }
    context.fireChannelWritabilityChanged()
  }

  func handlerRemoved(context: ChannelHandlerContext) {
    deadline?.cancel()
    deadline = nil
  }
}
