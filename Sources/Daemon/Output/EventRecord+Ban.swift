import Firewall
import PortsentryCore

extension EventRecord {
    /// The line of one ban event, published at `micros` (wall clock).
    init(ban event: BanEvent, micros: Int64) {
        switch event {
        case .applied(let result):
            self.init(decision: result.decision, micros: micros)
            switch result.status {
            case .banned, .refreshed:
                self.result = result.decision.term == .renewed ? "renewed" : result.status == .refreshed ? "refreshed" : "banned"
            case .failed(let why):
                self.result = "failed"
                detail = why
            case .dryRun:
                self.result = "dry_run"
            }
            if let expiry = result.ban?.expiresAt { expires = UTCTimestamp.text(micros: expiry * 1000) }
        case .refused(let target, let origin, let refusal):
            self.init(time: UTCTimestamp.text(micros: micros), kind: .ban)
            self.target = target.withLength
            if target.isHost { source = "\(target.network)" }
            describe(origin)
            result = "refused"
            self.refusal = refusal.code
            detail = "\(refusal)"
        case .released(let release):
            self.init(time: UTCTimestamp.text(micros: micros), kind: .unban)
            target = release.target.withLength
            if release.target.isHost { source = "\(release.target.network)" }
            reason = release.reason.rawValue
        }
    }

    private init(decision d: BanDecision, micros: Int64) {
        self.init(time: UTCTimestamp.text(micros: micros), kind: .ban)
        target = d.target.withLength
        if let host = d.source ?? (d.target.isHost ? d.target.network : nil) { source = "\(host)" }
        describe(d.origin)
        durationSeconds = d.seconds
        offence = d.offence
    }

    /// The origin's fields: for a probe ban the probe that made it.
    private mutating func describe(_ origin: BanOrigin) {
        self.origin = origin.kind
        switch origin {
        case .probe(let evidence):
            proto = evidence.proto.word
            port = evidence.port
            probeType = ScanType.word(ofText: evidence.type)
            mode = evidence.mode?.rawValue
        case .manual(let reason):
            comment = reason
        case .fleet(let source):
            fleet = source
        }
    }
}

extension CIDR {
    /// `192.0.2.7/32`: the prefix length written even for a host.
    var withLength: String { "\(network)/\(prefixLength)" }
}

extension BanRefusal {
    /// The refusal as a code: `ignored`, `local_address`, `network_too_large`, `protected`, `rate_limited`.
    var code: String {
        switch self {
        case .ignored: "ignored"
        case .localAddress: "local_address"
        case .networkTooLarge: "network_too_large"
        case .protected: "protected"
        case .rateLimited: "rate_limited"
        }
    }
}
