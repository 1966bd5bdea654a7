#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import PortsentryCore

/// Tells systemd about the daemon's state (`Type=notify` units), as sd_notify(3) does, without
/// libsystemd: one datagram with `KEY=VALUE` lines to the AF_UNIX socket named by `$NOTIFY_SOCKET`.
/// Every call is a no-op returning `false` when the variable is unset (not run by systemd).
public enum SystemdNotify {
    /// Start-up is complete: config read, capture and firewall ready.
    @discardableResult public static func ready() -> Bool { notify(Message.ready) }

    /// Shutdown has begun.
    @discardableResult public static func stopping() -> Bool { notify(Message.stopping) }

    /// A reload (SIGHUP) has begun; call `ready()` when it is done.
    @discardableResult public static func reloading() -> Bool { notify(Message.reloading()) }

    /// A one-line status shown by `systemctl status`.
    @discardableResult public static func status(_ text: String) -> Bool { notify(Message.status(text)) }

    /// The datagrams, as sd_notify(3) defines them.
    enum Message {
        static let ready = "READY=1"
        static let stopping = "STOPPING=1"

        /// MONOTONIC_USEC lets systemd 253+ (`Type=notify-reload`) match the message to the
        /// reload it asked for.
        static func reloading() -> String {
            "RELOADING=1\nMONOTONIC_USEC=\(MonotonicClock.now() / 1_000)"
        }

        static func status(_ text: String) -> String { "STATUS=" + text.filter { $0 != "\n" } }
    }

    /// Sends `message` to `$NOTIFY_SOCKET`.
    @discardableResult public static func notify(_ message: String) -> Bool {
        guard let raw = getenv("NOTIFY_SOCKET") else { return false }
        return send(message, to: String(cString: raw))
    }

    /// Sends `message` as one datagram to the socket at `path`; a leading `@` names a socket in
    /// the abstract namespace. Returns whether the whole message was sent.
    public static func send(_ message: String, to path: String) -> Bool {
        var pathBytes = Array(path.utf8)
        if pathBytes.first == UInt8(ascii: "@") { pathBytes[0] = 0 }
        var addr = sockaddr_un()
        let capacity = MemoryLayout.size(ofValue: addr.sun_path)
        // Accept only absolute paths or abstract names, as sd_notify does; leave room for a NUL.
        guard let first = pathBytes.first, first == 0 || first == UInt8(ascii: "/"),
              pathBytes.count < capacity else { return false }
        addr.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &addr.sun_path) { buf in
            for (i, b) in pathBytes.enumerated() { buf[i] = b }
        }
        let addrLen = socklen_t(MemoryLayout<sa_family_t>.size + pathBytes.count + (first == 0 ? 0 : 1))

        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        let bytes = Array(message.utf8)
        let sent = bytes.withUnsafeBytes { body in
            withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, body.baseAddress, body.count, Int32(MSG_NOSIGNAL), $0, addrLen)
                }
            }
        }
        return sent == bytes.count
    }
}
