import Foundation
@testable import Fleet
import PortsentryCore
import TestSupport
import Testing

@Suite struct PushQueueTests {
    private func probeBan(_ address: String, seconds: UInt64 = 3600, at time: Int64 = WallClock.nowMs()) -> PushItem {
        PushItem(BanDecision(target: CIDR(host: IPAddress(address)!), seconds: seconds,
                             origin: .probe(ProbeEvidence(proto: .tcp, port: 23, type: "TCP SYN/Normal scan", mode: .stealth)), time: time))!
    }

    @Test func fleetBansAreNeverQueued() {
        #expect(PushItem(BanDecision(target: CIDR(host: IPAddress("192.0.2.1")!), seconds: 60, origin: .fleet("lapi:crowdsec"))) == nil)
    }

    @Test func survivesARestartWithoutExpiredOrDeliveredItems() throws {
        let dir = makeTempDir()
        defer { removeTree(dir) }
        let path = dir + "/crowdsec.queue"
        let queue = PushQueue(path: path)
        queue.add(probeBan("192.0.2.1"))
        queue.add(probeBan("192.0.2.2", seconds: 1, at: WallClock.nowMs() - 5_000))   // ended already
        queue.add(probeBan("192.0.2.3"))
        queue.add(PushItem(unblock: IPAddress("192.0.2.4")!))
        #expect(queue.save() == nil)
        let reloaded = PushQueue(path: path)
        #expect(reloaded.front(10).map(\.value) == ["192.0.2.1", "192.0.2.3", "192.0.2.4"])
        reloaded.removeFront(1)
        #expect(reloaded.save() == nil)
        #expect(PushQueue(path: path).front(10).map(\.value) == ["192.0.2.3", "192.0.2.4"])
    }

    @Test func aFullQueueDropsTheOldest() {
        let queue = PushQueue(path: "/nonexistent/dir/queue", capacity: 2)
        for n in 1...3 { queue.add(probeBan("192.0.2.\(n)")) }
        #expect(queue.front(10).map(\.value) == ["192.0.2.2", "192.0.2.3"] && queue.dropped == 1)
        #expect(queue.save()?.contains("cannot write the CrowdSec queue") == true)
    }

    @Test func alertCarriesOurDecisionInLAPIShape() throws {
        let start: Int64 = 1_767_268_800_000   // 2026-01-01T12:00:00Z
        let body = Alert.body([probeBan("::ffff:203.0.113.7", seconds: 86_400, at: start)], origin: "portsentry", node: "fw1")
        let alerts = try #require(try JSONSerialization.jsonObject(with: body) as? [[String: Any]])
        let alert = try #require(alerts.first)
        #expect(alert["scenario"] as? String == "portsentry/tcp-scan")
        #expect(alert["stop_at"] as? String == "2026-01-01T12:00:00.000Z")
        #expect((alert["source"] as? [String: Any])?["scope"] as? String == "Ip")
        let decision = try #require((alert["decisions"] as? [[String: Any]])?.first)
        #expect(decision["value"] as? String == "203.0.113.7" && decision["scope"] as? String == "Ip")
        #expect(decision["duration"] as? String == "86400s" && decision["origin"] as? String == "portsentry")
        let meta = try #require((alert["events"] as? [[String: Any]])?.first?["meta"] as? [[String: String]])
        #expect(meta.contains { $0["key"] == "dst_port" && $0["value"] == "23" })
    }
}
