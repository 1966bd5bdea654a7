#if canImport(Glibc)
import Glibc
#endif

/// Who is on the other end of a control connection, from `SO_PEERCRED`.
struct PeerCredentials: Sendable, Hashable {
    var pid: pid_t
    var uid: uid_t
    var gid: gid_t

    /// The credentials the kernel recorded when the peer connected.
    init(socket fd: Int32) throws(ControlError) {
        // struct ucred { pid_t pid; uid_t uid; gid_t gid; }: three 32-bit fields (Glibc hides the type).
        var fields: [UInt32] = [0, 0, 0]
        var length = socklen_t(3 * MemoryLayout<UInt32>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &fields, &length) == 0 else {
            throw .system(operation: "getsockopt(SO_PEERCRED)", errno: errno)
        }
        self.init(pid: pid_t(bitPattern: fields[0]), uid: fields[1], gid: fields[2])
    }

    init(pid: pid_t, uid: uid_t, gid: gid_t) {
        self.pid = pid; self.uid = uid; self.gid = gid
    }
}

/// Who may use the control socket: root, the daemon's own user, and members of CONTROL_GROUP.
struct AccessPolicy: Sendable {
    /// CONTROL_GROUP's id, if one is configured.
    let group: gid_t?
    let groupName: String?
    /// The daemon's own user (`portsentry` under the packaged unit, root when started by hand).
    let daemonUser: uid_t

    /// Resolves a group name (or number); nil allows root and the daemon's user only.
    init(groupName: String?, daemonUser: uid_t = geteuid()) throws(ControlError) {
        self.groupName = groupName
        self.daemonUser = daemonUser
        guard let groupName else { group = nil; return }
        guard let gid = Self.groupID(named: groupName) else { throw .unknownGroup(groupName) }
        group = gid
    }

    /// nil if `peer` may talk to the daemon, otherwise the reason for the refusal.
    func refusal(for peer: PeerCredentials) -> String? {
        if peer.uid == 0 || peer.uid == daemonUser { return nil }
        if let group, peer.gid == group || Self.user(peer.uid, isMemberOf: group) { return nil }
        var allowed = ["root"]
        if daemonUser != 0 { allowed.append("the daemon's user (uid \(daemonUser))") }
        if let groupName { allowed.append("a member of group \(groupName)") }
        let who = "uid \(peer.uid) (pid \(peer.pid))"
        return allowed.count == 1 ? "\(who) is not root" : "\(who) is neither " + allowed.joined(separator: " nor ")
    }

    private static func groupID(named name: String) -> gid_t? {
        var entry = Glibc.group()
        var result: UnsafeMutablePointer<Glibc.group>?
        var buffer = [CChar](repeating: 0, count: 16_384)
        if getgrnam_r(name, &entry, &buffer, buffer.count, &result) == 0, result != nil { return entry.gr_gid }
        return gid_t(name)
    }

    private static func user(_ uid: uid_t, isMemberOf gid: gid_t) -> Bool {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 16_384)
        guard getpwuid_r(uid, &entry, &buffer, buffer.count, &result) == 0, result != nil,
              let name = entry.pw_name else { return false }
        if entry.pw_gid == gid { return true }
        var count: Int32 = 64
        var groups = [gid_t](repeating: 0, count: Int(count))
        if getgrouplist(name, entry.pw_gid, &groups, &count) < 0 {
            groups = [gid_t](repeating: 0, count: Int(count))
            guard getgrouplist(name, entry.pw_gid, &groups, &count) >= 0 else { return false }
        }
        return groups.prefix(Int(count)).contains(gid)
    }
}
