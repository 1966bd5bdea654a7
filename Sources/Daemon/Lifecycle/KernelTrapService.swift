import ServiceLifecycle

/// Refreshes the kernel trap each second (listeners, addresses, SSH sessions), until shutdown.
struct KernelTrapService: Service {
    let keeper: KernelTrapKeeper

    func run() async {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                guard !Task.isCancelled else { return }
                await keeper.refresh()
            }
        }
    }
}
