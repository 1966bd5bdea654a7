import Foundation
import PackagePlugin

/// Generates `GitHash.swift` with `let buildGitHash = "<short commit>"` (`"unknown"` outside a
/// git checkout). It reruns when `.git/logs/HEAD` changes, i.e. after a commit or checkout.
@main
struct GitHash: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let package = context.package.directoryURL
        let output = context.pluginWorkDirectoryURL.appending(path: "GitHash.swift")
        let headLog = package.appending(path: ".git/logs/HEAD")
        let script = #"""
            hash=$(git --git-dir="$2/.git" rev-parse --short HEAD 2>/dev/null) || hash=unknown
            printf 'let buildGitHash = "%s"\n' "$hash" > "$1"
            """#
        return [
            .buildCommand(
                displayName: "Recording the git commit",
                executable: URL(fileURLWithPath: "/bin/sh"),
                arguments: ["-c", script, "sh", output.path, package.path],
                inputFiles: FileManager.default.fileExists(atPath: headLog.path) ? [headLog] : [],
                outputFiles: [output]
            )
        ]
    }
}
