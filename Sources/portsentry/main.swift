#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import Daemon
import PortsentryCore

// The version line comes first on every start; flushed so a fork (-D) cannot print it twice.
print(JournalStream.prefix(fd: STDOUT_FILENO, priority: LOG_NOTICE) + PortsentryVersion.line)
fflush(nil)

let options: LaunchOptions
do {
    let arguments = try CommandLineArguments.parse()
    if arguments.version { exit(0) }
    options = try arguments.launchOptions()
} catch {
    CommandLineArguments.exit(withError: error)
}
exit(await PortsentryDaemon.run(options))
