import Control
import ServiceLifecycle

/// The control socket, opened before the daemon says it is ready, closed on graceful shutdown.
struct ControlService: Service {
    let server: ControlServer?

    func run() async {
        try? await gracefulShutdown()
        await server?.stop()
    }
}
