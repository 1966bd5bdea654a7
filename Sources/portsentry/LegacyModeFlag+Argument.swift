import ArgumentParser
import PortsentryCore

/// `-tcp` and the other 1.x mode flags, also accepted with two dashes like upstream 2.x.
extension LegacyModeFlag: EnumerableFlag {
    public static func name(for value: LegacyModeFlag) -> NameSpecification {
        [.customLong(value.rawValue, withSingleDash: true), .customLong(value.rawValue)]
    }
}
