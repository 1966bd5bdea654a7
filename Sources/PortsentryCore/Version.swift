/// The version both executables print.
public enum PortsentryVersion {
    public static let number = "2.0.0-swift"
    /// Short git commit of the build (from the GitHash build plugin), or `unknown`.
    public static let gitHash = buildGitHash
    /// The first line every start of `portsentry` prints: `Portsentry 2.0.0-swift (<hash>)`.
    public static var line: String { "Portsentry \(number) (\(gitHash))" }
}
