/// The parts of libnftables' JSON `list` output (libnftables-json(5)) the backend reads:
/// set elements and named counters. Other objects are skipped.
struct NftListing: Decodable {
    var objects: [Object]

    struct Object: Decodable {
        var set: SetObject?
        var counter: Counter?
    }

    struct SetObject: Decodable {
        var name: String
        var size: Int?
        var elem: [Element]?
    }

    struct Counter: Decodable {
        var name: String
        var packets: UInt64
        var bytes: UInt64
    }

    /// A set element: a bare value (no timeout) or `{"elem": {"val", "timeout", "expires"}}`,
    /// with times in whole seconds (truncated).
    struct Element: Decodable {
        var value: String
        var timeout: UInt64?
        var expires: UInt64?

        private struct Wrapped: Decodable { var elem: Inner }
        private struct Inner: Decodable { var val: String; var timeout: UInt64?; var expires: UInt64? }

        init(from decoder: any Decoder) throws {
            if let plain = try? decoder.singleValueContainer().decode(String.self) {
                value = plain
            } else {
                let inner = try Wrapped(from: decoder).elem
                value = inner.val; timeout = inner.timeout; expires = inner.expires
            }
        }
    }

    private enum CodingKeys: String, CodingKey { case nftables }

    init(from decoder: any Decoder) throws {
        objects = try decoder.container(keyedBy: CodingKeys.self).decode([Object].self, forKey: .nftables)
    }

    /// The elements of every set in the listing.
    var elements: [Element] { objects.flatMap { $0.set?.elem ?? [] } }
    /// The first counter in the listing.
    var counter: Counter? { objects.lazy.compactMap(\.counter).first }
}
