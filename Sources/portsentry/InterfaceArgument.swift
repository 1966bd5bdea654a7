import ArgumentParser
import PortsentryCore

/// Checks the `-i` values: `ALL` or `ALL_NLO` alone, or interface names (`any` included).
enum InterfaceArgument {
    static let keywords: Set<String> = ["ALL", "ALL_NLO"]

    /// The values without repeats, in the order given.
    static func validate(_ values: [String]) throws(ValidationError) -> [String] {
        var unique: [String] = []
        for value in values where !unique.contains(value) {
            guard InterfaceName.isValid(value) else {
                throw ValidationError("\"\(value)\" is not an interface name; use ALL, ALL_NLO, any, or a name like eth0 (at most 15 characters, no /, : or spaces)")
            }
            unique.append(value)
        }
        if unique.count > 1, let keyword = unique.first(where: keywords.contains) {
            throw ValidationError("-i \(keyword) cannot be combined with other -i values; give \(keyword) alone, or list interface names")
        }
        return unique
    }
}
