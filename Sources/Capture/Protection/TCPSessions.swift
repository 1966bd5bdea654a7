import Glibc
import PortsentryCore

/// The peers of established TCP connections to some local ports (the SSH-session protection),
/// asked of the kernel with the service check's sock_diag client. Used on one thread at a time.
final class TCPSessions {
    private var diag: SocketDiag?

    /// Remote addresses (IPv4-mapped ones as IPv4) connected to one of `ports`; nil when the
    /// kernel cannot be asked.
    func peers(onLocalPorts ports: PortSet) -> Set<IPAddress>? {
        if diag == nil { diag = try? SocketDiag() }
        guard let diag else { return nil }
        var peers = Set<IPAddress>()
        for port in ports.ports {
            for family in [AF_INET, AF_INET6] {
                guard case .success(let sockets) = diag.sockets(.tcp, family: family, port: port, states: 1 << 1) else {
                    self.diag = nil   // opened again next time
                    return nil
                }
                for socket in sockets { if let remote = socket.remote { peers.insert(remote.unmapped) } }
            }
        }
        return peers
    }
}
