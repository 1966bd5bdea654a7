import Glibc

/// Why a stealth sentry could not start; the text says what is wrong and what to do.
public struct CaptureError: Error, CustomStringConvertible, Sendable {
    public let description: String
    /// The process lacks CAP_NET_RAW: no interface will work, so start-up must fail.
    public let isPermissionDenied: Bool

    public init(_ description: String, isPermissionDenied: Bool = false) {
        self.description = description
        self.isPermissionDenied = isPermissionDenied
    }

    static func noCapturePermission(_ what: String) -> CaptureError {
        CaptureError("\(what): permission denied; packet capture needs CAP_NET_RAW (run as root or grant the capability)",
                     isPermissionDenied: true)
    }

    static func system(_ what: String, errno code: Int32) -> CaptureError {
        CaptureError("\(what) failed: \(String(cString: strerror(code)))")
    }
}
