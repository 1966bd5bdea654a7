#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import Control

/// Who the control socket serves, decided from the peer's credentials: root, the daemon's own
/// user (portsentry.service runs it as `portsentry`), members of CONTROL_GROUP.
@Suite struct AccessPolicyTests {
    private func peer(uid: uid_t, gid: gid_t = 61_999) -> PeerCredentials { PeerCredentials(pid: 42, uid: uid, gid: gid) }

    @Test func rootAndTheDaemonsOwnUserAreServed() throws {
        let policy = try AccessPolicy(groupName: nil, daemonUser: 61_000)
        #expect(policy.refusal(for: peer(uid: 0)) == nil)
        #expect(policy.refusal(for: peer(uid: 61_000)) == nil)
        #expect(policy.refusal(for: peer(uid: 61_001)) == "uid 61001 (pid 42) is neither root nor the daemon's user (uid 61000)")
    }

    @Test func aDaemonRunAsRootServesRootOnly() throws {
        let policy = try AccessPolicy(groupName: nil, daemonUser: 0)
        #expect(policy.refusal(for: peer(uid: 0)) == nil)
        #expect(policy.refusal(for: peer(uid: 61_001)) == "uid 61001 (pid 42) is not root")
    }

    @Test func controlGroupByPrimaryGroupOfThePeer() throws {
        let policy = try AccessPolicy(groupName: "65534", daemonUser: 61_000)
        #expect(policy.refusal(for: peer(uid: 61_001, gid: 65_534)) == nil)
        #expect(policy.refusal(for: peer(uid: 61_001))
                == "uid 61001 (pid 42) is neither root nor the daemon's user (uid 61000) nor a member of group 65534")
    }

    @Test func defaultDaemonUserIsTheProcesssEffectiveUser() throws {
        #expect(try AccessPolicy(groupName: nil).daemonUser == geteuid())
    }
}
