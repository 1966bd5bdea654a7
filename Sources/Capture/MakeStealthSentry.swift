import Logging

/// The stealth sentry for the settings' method; the daemon runs it on a dedicated thread.
/// Throws a `CaptureError` with a clear message when the method cannot be set up.
public func makeStealthSentry(settings: StealthSettings, logger: Logger) throws -> any Sentry {
    switch settings.method {
    case .pcap: return try PcapSentry(settings: settings, logger: logger)
    case .raw: return try RawSentry(settings: settings, logger: logger)
    }
}
