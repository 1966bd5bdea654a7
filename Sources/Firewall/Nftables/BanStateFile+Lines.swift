import Dispatch
import Glibc
import PortsentryCore
import Synchronization

extension BanStateFile {
    /// Bytes of lines parsed per task of `parseLines` (about 7,000 probe bans).
    static let bytesPerTask = 1 << 19

    /// Parses the lines after the version line, of format `version`, on every core, in chunks
    /// of whole lines read in place as bytes; empty lines are skipped.
    /// Throws for the first malformed line, numbered in the file. 100,000 bans are the longest
    /// step of a start-up otherwise (docs/performance.md, "Restart with many bans").
    func parseLines(_ body: UnsafeBufferPointer<UInt8>, version: Int) throws(NftError) -> [Ban] {
        let bounds = BanStateFile.taskBounds(body)
        nonisolated(unsafe) let body = body   // read only, by every task, while the caller waits
        let results = Mutex([Chunk?](repeating: nil, count: bounds.count - 1))
        DispatchQueue.concurrentPerform(iterations: bounds.count - 1) { task in
            var bans: [Ban] = []
            var result: Chunk?
            let pool = TextPool()
            var start = bounds[task]
            while start < bounds[task + 1] {
                let end = BanStateFile.lineEnd(body, from: start, before: bounds[task + 1])
                if end > start {
                    guard let ban = BanStateFile.parse(bytes: UnsafeBufferPointer(rebasing: body[start..<end]), version: version, pool: pool) else {
                        result = .malformed(at: start); break
                    }
                    bans.append(ban)
                }
                start = end + 1
            }
            results.withLock { $0[task] = result ?? .parsed(bans) }
        }
        var bans: [Ban] = []
        let chunks = results.withLock { $0 }
        bans.reserveCapacity(chunks.reduce(0) { if case .parsed(let b)? = $1 { $0 + b.count } else { $0 } })
        for chunk in chunks {
            switch chunk {
            case .parsed(let parsed)?: bans += parsed
            case .malformed(let offset)?:
                let line = 2 + body[..<offset].lazy.filter { $0 == UInt8(ascii: "\n") }.count   // after the version line
                throw .stateFile(path, "line \(line) is malformed")
            case nil: break
            }
        }
        return bans
    }

    private enum Chunk { case parsed([Ban]), malformed(at: Int) }

    /// Where the tasks start (each at the start of a line), and the end.
    private static func taskBounds(_ body: UnsafeBufferPointer<UInt8>) -> [Int] {
        var bounds = [0]
        while let last = bounds.last, last < body.count {
            let guess = min(last + bytesPerTask, body.count)
            bounds.append(min(lineEnd(body, from: guess, before: body.count) + 1, body.count))
        }
        if bounds.count == 1 { bounds.append(0) }   // an empty body: one task with nothing to do
        return bounds
    }

    /// The index of the line break at or after `start`, or `limit` when there is none before it.
    private static func lineEnd(_ body: UnsafeBufferPointer<UInt8>, from start: Int, before limit: Int) -> Int {
        guard start < limit, let base = body.baseAddress, let found = memchr(base + start, Int32(UInt8(ascii: "\n")), limit - start) else { return limit }
        return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
    }
}
