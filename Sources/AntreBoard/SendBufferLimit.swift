import NIOCore

/// Caps each HTTP connection's kernel send buffer. Linux grows a loopback or LAN
/// socket's buffer to megabytes for a peer that stops reading; capped, a page that
/// stops reading its events fills it quickly, the writes wait, and the hub drops the
/// page once its own bounded buffer is full (so memory per page stays small).
final class SendBufferLimit: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    static let bytes = 64 * 1024

    func handlerAdded(context: ChannelHandlerContext) {
        try? context.channel.syncOptions?.setOption(ChannelOptions.socketOption(.so_sndbuf), value: Self.bytes)
    }
}
