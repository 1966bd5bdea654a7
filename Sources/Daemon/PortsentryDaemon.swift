import PortsentryCore

/// Entry point of the daemon once the command line is parsed.
public enum PortsentryDaemon {
    /// Runs until SIGTERM/SIGINT; returns the process exit status.
    public static func run(_ options: LaunchOptions) async -> Int32 {
        0
    }
}
