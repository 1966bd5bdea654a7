import CCurl
import Foundation

/// One HTTP request and its answer through libcurl, blocking the calling thread. Not
/// URLSession: swift-corelibs-foundation cannot trust a private CA on Linux (its
/// `URLSessionCertificateAuthorityInfoFile` is read on Android only), and its `data(for:)`
/// deadlocks when cancelled while an answer arrives.
struct CurlExchange: Sendable {
    var method: String
    var url: String
    var headers: [String: String]
    var body: Data?
    /// Seconds for the whole exchange.
    var timeout: TimeInterval
    /// CA bundle that verifies an https server instead of the system's (CROWDSEC_CA_FILE).
    var caFile: String?
    /// The longest answer accepted.
    var maxBody: Int

    /// What came back.
    struct Answer: Sendable {
        var status: Int
        var body: Data
    }

    /// Why an exchange failed (connection, TLS, timeout, size), in libcurl's words.
    struct Failure: Error, Sendable {
        var reason: String
    }

    private static let setUp: Bool = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK

    /// Runs the exchange; the error text says what failed (connection, TLS, timeout, size).
    func perform() -> Result<Answer, Failure> {
        guard Self.setUp, let handle = curl_easy_init() else { return .failure(Failure(reason: "libcurl could not start")) }
        defer { curl_easy_cleanup(handle) }
        let sink = Sink(limit: maxBody)
        var errorText = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        var list: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(list) }
        for (name, value) in headers { list = curl_slist_append(list, "\(name): \(value)") }
        let payload = [UInt8](body ?? Data())
        let code: CURLcode = errorText.withUnsafeMutableBufferPointer { errors in
            payload.withUnsafeBufferPointer { bytes in
                withExtendedLifetime(sink) {
                    ps_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errors.baseAddress)
                    ps_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
                    ps_curl_setopt_pointer(handle, CURLOPT_PROTOCOLS_STR, "http,https")
                    ps_curl_setopt_pointer(handle, CURLOPT_URL, url)
                    ps_curl_setopt_pointer(handle, CURLOPT_CUSTOMREQUEST, method)
                    ps_curl_setopt_pointer(handle, CURLOPT_HTTPHEADER, list)
                    ps_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, Int(timeout * 1000))
                    if let caFile { ps_curl_setopt_pointer(handle, CURLOPT_CAINFO, caFile) }
                    if body != nil {
                        ps_curl_setopt_long(handle, CURLOPT_POSTFIELDSIZE, payload.count)
                        ps_curl_setopt_pointer(handle, CURLOPT_POSTFIELDS, bytes.baseAddress ?? UnsafePointer(bitPattern: 1))
                    }
                    ps_curl_setopt_write(handle) { data, size, count, context in
                        guard let data, let context else { return 0 }
                        let sink = Unmanaged<Sink>.fromOpaque(context).takeUnretainedValue()
                        return sink.take(UnsafeRawBufferPointer(start: data, count: size * count)) ? size * count : 0
                    }
                    ps_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, Unmanaged.passUnretained(sink).toOpaque())
                    return curl_easy_perform(handle)
                }
            }
        }
        if sink.overflowed { return .failure(Failure(reason: "answer larger than \(maxBody >> 20) MiB")) }
        guard code == CURLE_OK else {
            let detail = String(decoding: errorText.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            return .failure(Failure(reason: detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail))
        }
        var status = 0
        ps_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return .success(Answer(status: status, body: Data(sink.bytes)))
    }

    /// Collects the answer on the transfer's thread, up to a limit.
    private final class Sink {
        let limit: Int
        var bytes: [UInt8] = []
        var overflowed = false
        init(limit: Int) { self.limit = limit }

        func take(_ chunk: UnsafeRawBufferPointer) -> Bool {
            guard bytes.count + chunk.count <= limit else { overflowed = true; return false }
            bytes.append(contentsOf: chunk)
            return true
        }
    }
}
