import NIOCore
import NIOHTTP1

/// One connection of the metrics endpoint, behind NIO's HTTP/1 server pipeline (which parses
/// the requests, answers malformed ones with 400 and holds pipelined ones back): `GET` or
/// `HEAD /metrics` (any query string) gets the exposition; another method on /metrics 405,
/// any other path 404. A connection idle for `IdleStateHandler`'s time, or after a request NIO
/// could not parse, is closed.
final class MetricsHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    /// Prometheus's text exposition format, version 0.0.4.
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    private let render: @Sendable () async -> [UInt8]
    private var request: HTTPRequestHead?
    /// False once the connection is gone: a scrape that finishes later writes nothing.
    private var open = true

    init(render: @escaping @Sendable () async -> [UInt8]) { self.render = render }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): request = head
        case .body: break
        case .end:
            guard let head = request else { return }
            request = nil
            respond(to: head, context: context)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        open = false
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent { context.close(promise: nil) } else { context.fireUserInboundEventTriggered(event) }
    }

    /// A request NIO could not parse (answered 400 already), or a broken connection: closed.
    func errorCaught(context: ChannelHandlerContext, error: any Error) { context.close(promise: nil) }

    private func respond(to head: HTTPRequestHead, context: ChannelHandlerContext) {
        guard head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first == "/metrics" else {
            return send(.notFound, Array("only /metrics is served here\n".utf8), to: head, context: context)
        }
        guard head.method == .GET || head.method == .HEAD else {
            return send(.methodNotAllowed, Array("use GET\n".utf8), to: head, context: context, extra: [("Allow", "GET, HEAD")])
        }
        let promise = context.eventLoop.makePromise(of: [UInt8].self)
        promise.completeWithTask { [render] in await render() }
        promise.futureResult.assumeIsolated().whenSuccess { body in
            guard self.open else { return }
            self.send(.ok, body, to: head, context: context, contentType: Self.contentType)
        }
    }

    private func send(_ status: HTTPResponseStatus, _ body: [UInt8], to request: HTTPRequestHead, context: ChannelHandlerContext,
                      contentType: String = "text/plain; charset=utf-8", extra: [(String, String)] = []) {
        let keepAlive = request.isKeepAlive
        var headers = HTTPHeaders([("Content-Type", contentType), ("Content-Length", "\(body.count)")] + extra)
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: request.version, status: status, headers: headers))), promise: nil)
        if request.method != .HEAD {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
        }
        context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
            if !keepAlive { context.close(promise: nil) }
        }
    }
}
