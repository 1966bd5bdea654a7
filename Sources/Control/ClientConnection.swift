/// One accepted control connection as the server loop tracks it.
struct ClientConnection {
    enum Phase {
        /// Waiting for the request line.
        case reading
        /// The handler is running the request.
        case handling
        /// Sending the response; the connection closes once it is out.
        case writing
    }

    let fd: Int32
    /// Monotonic nanoseconds of the accept.
    let acceptedAt: UInt64
    var phase: Phase = .reading
    var input: [UInt8] = []
    var output: [UInt8] = []
    var sent = 0
    /// Monotonic nanoseconds after which the connection is given up; nil while handling.
    var deadline: UInt64?

    init(fd: Int32, acceptedAt: UInt64, deadline: UInt64) {
        self.fd = fd
        self.acceptedAt = acceptedAt
        self.deadline = deadline
    }

    /// Waiting on the client (for its request, or for it to read the answer), not on the daemon.
    var isIdle: Bool { phase != .handling }

    /// Switches to sending `bytes`, to be done by `deadline`.
    mutating func respond(_ bytes: [UInt8], deadline: UInt64) {
        phase = .writing
        output = bytes
        sent = 0
        self.deadline = deadline
    }

    /// The first complete request line in the input, without its newline.
    var requestLine: ArraySlice<UInt8>? {
        input.firstIndex(of: UInt8(ascii: "\n")).map { input[..<$0] }
    }
}
