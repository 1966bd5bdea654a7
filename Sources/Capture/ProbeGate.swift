import CoreMetrics
import Logging
import PortsentryCore

/// The per-packet steps shared by the pcap and raw sentries, after decoding: is the port watched,
/// is it a probe (not ACK/RST), is a service listening there, is it (UDP) an answer to a flow this
/// host opened; then hand the event to the sink.
/// Lives on the capture thread only.
final class ProbeGate {
    private let settings: StealthSettings
    private let sink: any ProbeSink
    private let logger: Logger
    /// nil when no protocol skips listeners: then nothing is ever re-read or looked up.
    private let services: ServiceCheck?
    private var serviceLog = ServiceLogLimiter()
    /// Answers to flows this host opened (UDP: a late DNS/NTP/QUIC reply) are no probes.
    private let flows = ConntrackLookup()
    private var flowLog = ServiceLogLimiter()
    /// `portsentry_events_total` of the packets that stop here, every one (their lines and
    /// EVENT_LOG records are limited): `service_running` and `own_flow`, TCP then UDP.
    private let passedCounts = [ProbeResult.serviceRunning, .ownFlow].map { result in
        [TransportProtocol.tcp, .udp].map { p in
            Counter(label: MetricName.events.rawValue, dimensions: [("protocol", p.metricLabel), ("result", result.rawValue)])
        }
    }

    init(settings: StealthSettings, sink: any ProbeSink, logger: Logger) {
        self.settings = settings; self.sink = sink; self.logger = logger
        services = settings.skipsListeners(.tcp) || settings.skipsListeners(.udp)
            ? ServiceCheck(refreshInterval: settings.listenerRefreshNanoseconds, logger: logger) : nil
    }

    /// Re-reads the listening sockets when due; returns the `poll` timeout (ms) until the next
    /// refresh, or -1 (wait without timeout) when the service check is off.
    func refreshListeners(now: UInt64) -> Int32 {
        guard let services else { return -1 }
        return Int32(clamping: (services.refreshIfDue(now: now) &- now) / 1_000_000 + 1)
    }

    @inline(__always)
    func handle(_ packet: DecodedPacket, seenAt: UInt64, interface: UInt32) {
        guard settings.ports(packet.proto).contains(packet.destinationPort),
              let event = packet.probeEvent(seenAt: seenAt, interface: interface) else { return }
        if settings.skipsListeners(packet.proto), let services,
           services.isServed(packet.proto, address: packet.destination, port: packet.destinationPort) {
            passedCounts[0][packet.proto == .tcp ? 0 : 1].increment()
            if settings.serviceCheck,
               serviceLog.shouldLog(source: packet.source, port: packet.destinationPort, now: seenAt) {
                logger.notice("\(LogLine.serviceRunning(packet.source, port: packet.destinationPort))")
                sink.passed(event, as: .serviceRunning)
            }
            return
        }
        if packet.proto == .udp,
           flows.isReply(.udp, source: packet.source, sourcePort: packet.sourcePort,
                         destination: packet.destination, destinationPort: packet.destinationPort) {
            passedCounts[1][1].increment()
            if flowLog.shouldLog(source: packet.source, port: packet.destinationPort, now: seenAt) {
                logger.info("\(LogLine.ownFlowReply(packet.source, port: packet.destinationPort))")
                sink.passed(event, as: .ownFlow)
            }
            return
        }
        sink.receive(event)
    }
}
