import Glibc
import PortsentryCore
import Synchronization
import Testing
@testable import Daemon

/// The HTTP side of METRICS_LISTEN on a loopback port the kernel picks: GET /metrics serves the
/// exposition after the scrape sources refreshed; other paths and methods are refused.
@Suite struct MetricsEndpointTests {
    final class CountingSource: ScrapeSource {
        let refreshes = Atomic<Int>(0)
        func refresh() async { refreshes.add(1, ordering: .relaxed) }
    }

    /// Sends `request` to 127.0.0.1:`port` and reads the answer until the server closes.
    func exchange(_ request: String, port: Int) -> String {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return "" }
        _ = Array(request.utf8).withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while case let n = recv(fd, &buffer, buffer.count, 0), n > 0 { answer += buffer[..<n] }
        return String(decoding: answer, as: UTF8.self)
    }

    func get(_ path: String, method: String = "GET", port: Int) -> String {
        exchange("\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", port: port)
    }

    /// An endpoint on 127.0.0.1 at `port` (0: the kernel picks one), over `metrics`' registry.
    func start(_ metrics: RegistryScrape, port: UInt16 = 0, sources: [any ScrapeSource] = []) async throws -> MetricsEndpoint {
        try await MetricsEndpoint.start(MetricsListen(address: .v4(0x7f00_0001), port: port), registry: metrics.registry, sources: sources)
    }

    @Test func servesTheExpositionAndNothingElse() async throws {
        let metrics = RegistryScrape()
        metrics.make { MetricsSetup.recordBuild() }
        let source = CountingSource()
        let endpoint = try await start(metrics, sources: [source])
        let port = try #require(endpoint.port)

        let ok = get("/metrics", port: port)
        #expect(ok.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(ok.contains("Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"))
        #expect(ok.contains(#"portsentry_build_info{version="\#(PortsentryVersion.number)",commit="\#(PortsentryVersion.gitHash)"} 1.0"#))
        #expect(ok.contains("# TYPE portsentry_start_time_seconds gauge\n"))
        #expect(source.refreshes.load(ordering: .relaxed) == 1)
        #expect(get("/metrics?name[]=up", port: port).hasPrefix("HTTP/1.1 200 OK\r\n"))

        let head = get("/metrics", method: "HEAD", port: port)
        #expect(head.hasPrefix("HTTP/1.1 200 OK\r\n") && head.hasSuffix("\r\n\r\n"))
        #expect(get("/", port: port).hasPrefix("HTTP/1.1 404 Not Found\r\n"))
        #expect(get("/metricsx", port: port).hasPrefix("HTTP/1.1 404 Not Found\r\n"))
        let post = get("/metrics", method: "POST", port: port)
        #expect(post.hasPrefix("HTTP/1.1 405 Method Not Allowed\r\n") && post.contains("Allow: GET, HEAD\r\n"))
        #expect(exchange("NOT HTTP AT ALL\r\n\r\n", port: port).hasPrefix("HTTP/1.1 400 Bad Request\r\n"))
        await endpoint.close()
    }

    @Test func twoRequestsOnOneConnectionAreAnsweredInOrder() async throws {
        let metrics = RegistryScrape()
        let endpoint = try await start(metrics)
        let port = try #require(endpoint.port)
        let answer = exchange("GET /metrics HTTP/1.1\r\nHost: a\r\n\r\nGET /nope HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", port: port)
        let statuses = answer.split(separator: "\r\n").filter { $0.hasPrefix("HTTP/1.1 ") }
        #expect(statuses == ["HTTP/1.1 200 OK", "HTTP/1.1 404 Not Found"])
        await endpoint.close()
    }

    @Test func aPortInUseIsAnError() async throws {
        let metrics = RegistryScrape()
        let first = try await start(metrics)
        let port = try #require(first.port)
        await #expect(throws: (any Error).self) {
            _ = try await start(metrics, port: UInt16(port))
        }
        await first.close()
    }
}
