import Glibc

/// What Linux accepts as a network interface name (`-i`): 1 to 15 bytes (IFNAMSIZ less the NUL),
/// without `/`, `:` or white space. The one check the command line and capture share.
public enum InterfaceName {
    public static func isValid(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 15 && !name.contains { $0 == "/" || $0 == ":" || $0.isWhitespace }
    }

    /// The name of interface `index` (`eth0`), or `#<index>` when no interface has it any more.
    public static func of(_ index: UInt32) -> String {
        var buffer = [CChar](repeating: 0, count: 16)   // IF_NAMESIZE
        guard if_indextoname(index, &buffer) != nil else { return "#\(index)" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
