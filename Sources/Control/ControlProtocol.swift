/// Constants of the control protocol: one JSON object per line, one request per connection.
///
/// A client writes `{"v":1,"cmd":"list"}` and a newline; the daemon answers with one line,
/// `{"v":1,"ok":true,...}` or `{"v":1,"ok":false,"error":"..."}`, and closes the connection.
public enum ControlProtocol {
    /// The protocol version this build speaks (`"v"` in every request and response).
    public static let version = 1
    /// The longest request line accepted, newline included.
    public static let maxRequestBytes = 64 * 1024
    /// The longest ban nftables accepts: 213503 days.
    public static let maxBanSeconds: UInt64 = 213_503 * 86_400
    /// The longest `reason` text accepted in a block request.
    public static let maxReasonLength = 200
}
