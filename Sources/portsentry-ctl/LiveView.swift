import Control
import PortsentryCore
import Synchronization
import UnixSignals
#if canImport(Glibc)
import Glibc
#endif

/// `portsentry-ctl top`'s screen: asks the daemon for its activity each second and draws it,
/// sized to the terminal each time (and at once on SIGWINCH), until `q` or Ctrl-C (or SIGINT,
/// SIGTERM, SIGHUP) — or until the daemon goes away, which fails with exit status 3. The
/// terminal is restored whichever way it ends. A daemon that does not answer in `--timeout` is
/// noted in the title and asked again.
struct LiveView {
    let link: DaemonLink

    private enum Event: Sendable {
        case tick, redraw, quit
        case answer(Result<ActivityReport, CtlFailure>)
    }

    func run(_ first: ActivityReport) async throws(CtlFailure) {
        let signals = await UnixSignalsSequence(trapping: .sigint, .sigterm, .sighup, .sigwinch)
        let (events, sink) = AsyncStream.makeStream(of: Event.self)
        let terminal = Terminal()
        let keys = terminal.readsKeys ? KeyReader { key in if KeyReader.quits(key) { sink.yield(.quit) } } : nil
        let tasks = [
            Task { for await signal in signals { sink.yield(signal == .sigwinch ? .redraw : .quit) } },
            Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: .seconds(1))
                    sink.yield(.tick)
                }
            },
        ]
        defer {
            for task in tasks { task.cancel() }
            keys?.stop()
            terminal.restore()
        }
        var report = first
        var notice: String?
        var asking = false
        draw(report, notice, on: terminal)
        for await event in events {
            switch event {
            case .quit:
                return
            case .redraw:
                break
            case .tick:
                guard !asking else { continue }
                asking = true
                Task { [link] in sink.yield(.answer(await Self.ask(link))) }
                continue
            case .answer(.success(let answer)):
                asking = false
                report = answer
                notice = nil
            case .answer(.failure(let failure)):
                asking = false
                switch failure.exitCode.rawValue {
                case CtlFailure.noAnswer.rawValue:
                    notice = "the daemon did not answer within --timeout; asking again"
                case CtlFailure.notRunning.rawValue:
                    throw CtlFailure("the daemon went away (no daemon answers on \(link.client.socketPath))", exitCode: CtlFailure.notRunning)
                default:
                    throw failure
                }
            }
            draw(report, notice, on: terminal)
        }
    }

    private func draw(_ report: ActivityReport, _ notice: String?, on terminal: Terminal) {
        let size = Terminal.size()
        let dot = Output.speaksUTF8 ? " · " : " - "
        let title = "portsentry top at \(Formatting.time(report.at))\(dot)q quits" + (notice.map { dot + $0 } ?? "")
        terminal.draw(ActivityView(report: report, width: size.columns, rows: size.rows, title: title,
                                   unicode: Output.speaksUTF8).lines())
    }

    /// One activity request, without `ask`'s printed message (the screen is the view's).
    private static func ask(_ link: DaemonLink) async -> Result<ActivityReport, CtlFailure> {
        do throws(CtlFailure) {
            guard let report = try await link.send(.activity).activity else { throw CtlFailure("the daemon sent no activity report") }
            return .success(report)
        } catch {
            return .failure(error)
        }
    }
}

/// Keys typed on standard input, read on a thread of their own until `stop()`.
final class KeyReader: Sendable {
    private let stopped = Atomic<Bool>(false)

    init(_ onKey: @escaping @Sendable (UInt8) -> Void) {
        DedicatedThread.startRequired { [self] in
            var key: UInt8 = 0
            while !stopped.load(ordering: .relaxed) {
                var input = pollfd(fd: 0, events: Int16(POLLIN), revents: 0)
                guard poll(&input, 1, 100) > 0 else { continue }
                let n = read(0, &key, 1)
                if n == 1 {
                    onKey(key)
                } else if n == 0 || (errno != EINTR && errno != EAGAIN) {
                    return   // the terminal went away: SIGHUP follows
                }
            }
        }
    }

    func stop() { stopped.store(true, ordering: .relaxed) }

    /// `q`, `Q`, Ctrl-C (raw input delivers it as a key) and Ctrl-D quit.
    static func quits(_ key: UInt8) -> Bool { key == UInt8(ascii: "q") || key == UInt8(ascii: "Q") || key == 3 || key == 4 }
}
