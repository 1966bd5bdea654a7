import NIOCore
import NIOHTTP1
import NIOPosix
import PortsentryCore
import Prometheus

/// The Prometheus endpoint of METRICS_LISTEN (docs/metrics.md): an HTTP/1 server (swift-nio)
/// on one event-loop thread of its own, serving the registry in the text exposition format.
/// Each scrape refreshes the scrape sources first (none of them waits on the ban backend's
/// thread); the capture threads and the ban backend's thread never wait on a scrape.
final class MetricsEndpoint: Sendable {
    /// Connections idle this long are closed (Prometheus scrapes every 15 s to 1 min and reconnects).
    static let idleTimeout: TimeAmount = .seconds(120)

    let listen: MetricsListen
    private let group: MultiThreadedEventLoopGroup
    private let channel: any Channel

    private init(listen: MetricsListen, group: MultiThreadedEventLoopGroup, channel: any Channel) {
        self.listen = listen; self.group = group; self.channel = channel
    }

    /// Binds `listen` and serves until `close`.
    static func start(_ listen: MetricsListen, registry: PrometheusCollectorRegistry, sources: [any ScrapeSource]) async throws
        -> MetricsEndpoint
    {
        let render: @Sendable () async -> [UInt8] = {
            for source in sources { await source.refresh() }
            return registry.emitToBuffer()
        }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        do {
            let channel = try await ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 64)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let pipeline = channel.pipeline.syncOperations
                        try pipeline.addHandler(IdleStateHandler(allTimeout: idleTimeout))
                        try pipeline.configureHTTPServerPipeline(withErrorHandling: true)
                        try pipeline.addHandler(MetricsHTTPHandler(render: render))
                    }
                }
                .bind(to: SocketAddress(ipAddress: listen.address.description, port: Int(listen.port)))
                .get()
            return MetricsEndpoint(listen: listen, group: group, channel: channel)
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
    }

    /// The port it listens on (the one METRICS_LISTEN names; the kernel's choice for port 0).
    var port: Int? { channel.localAddress?.port }

    /// Stops listening and lets go of the thread.
    func close() async {
        try? await channel.close()
        try? await group.shutdownGracefully()
    }
}
