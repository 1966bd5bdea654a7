import Dispatch
import PortsentryCore
import Synchronization

extension BanStateFile {
    /// Lines parsed per task of `parseLines`.
    static let linesPerTask = 8192

    /// Parses the lines after the version line, of format `version` (split as bytes: splitting
    /// the whole text as Characters cost more than the parsing), on every core, in chunks;
    /// empty lines are skipped.
    /// Throws for the first malformed line, numbered in the file. 100,000 bans are the longest
    /// step of a start-up otherwise (docs/performance.md, "Restart with many bans").
    func parseLines(_ lines: ArraySlice<ArraySlice<UInt8>>, version: Int) throws(NftError) -> [Ban] {
        let starts = Array(stride(from: lines.startIndex, to: lines.endIndex, by: BanStateFile.linesPerTask))
        let results = Mutex([Chunk?](repeating: nil, count: starts.count))
        let text = Array(lines)   // an Array of slices shares the file's bytes
        let offset = lines.startIndex
        DispatchQueue.concurrentPerform(iterations: starts.count) { task in
            var bans: [Ban] = []
            var result: Chunk?
            let pool = TextPool()
            for i in starts[task]..<min(starts[task] + BanStateFile.linesPerTask, lines.endIndex) where !text[i - offset].isEmpty {
                guard let ban = BanStateFile.parse(Substring(String(decoding: text[i - offset], as: UTF8.self)), version: version, pool: pool) else { result = .malformed(line: i + 1); break }
                bans.append(ban)
            }
            results.withLock { $0[task] = result ?? .parsed(bans) }
        }
        var bans: [Ban] = []
        bans.reserveCapacity(lines.count)
        for result in results.withLock({ $0 }) {
            switch result {
            case .parsed(let chunk)?: bans += chunk
            case .malformed(let line)?: throw .stateFile(path, "line \(line) is malformed")
            case nil: break
            }
        }
        return bans
    }

    private enum Chunk { case parsed([Ban]), malformed(line: Int) }
}
