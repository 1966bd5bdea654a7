/// What Linux accepts as a network interface name (`-i`): 1 to 15 bytes (IFNAMSIZ less the NUL),
/// without `/`, `:` or white space. The one check the command line and capture share.
public enum InterfaceName {
    public static func isValid(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 15 && !name.contains { $0 == "/" || $0 == ":" || $0.isWhitespace }
    }
}
