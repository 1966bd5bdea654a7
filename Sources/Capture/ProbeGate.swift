import Logging
import PortsentryCore

/// The per-packet steps shared by the pcap and raw sentries, after decoding: is the port watched,
/// is it a probe (not ACK/RST), is a service listening there; then hand the event to the sink.
/// Lives on the capture thread only.
final class ProbeGate {
    private let settings: StealthSettings
    private let sink: any ProbeSink
    private let logger: Logger
    let listeners: ListenerCache
    private var serviceLog = ServiceLogLimiter()

    init(settings: StealthSettings, sink: any ProbeSink, logger: Logger) {
        self.settings = settings; self.sink = sink; self.logger = logger
        listeners = ListenerCache(refreshInterval: settings.listenerRefreshNanoseconds)
    }

    @inline(__always)
    func handle(_ packet: DecodedPacket, seenAt: UInt64) {
        guard settings.ports(packet.proto).contains(packet.destinationPort),
              let event = packet.probeEvent(seenAt: seenAt) else { return }
        if settings.skipsListeners(packet.proto),
           listeners.table.hasListener(packet.proto, address: packet.destination, port: packet.destinationPort) {
            if settings.serviceCheck,
               serviceLog.shouldLog(source: packet.source, port: packet.destinationPort, now: seenAt) {
                logger.notice("\(LogLine.serviceRunning(packet.source, port: packet.destinationPort))")
            }
            return
        }
        sink.receive(event)
    }
}
