#!/usr/bin/env bash
# What EVENT_LOG's "reopened per write" costs (docs/events.md "Rotation"): appending one
# 300-byte line N times to a file in DIR, four ways — open+write+close per line (what
# HISTORY_FILE does), a descriptor held open, held open with a stat(2) per line to notice a
# rotation (the other way logrotate-safe writers work), and open+write+close per batch of 512
# lines (what EVENT_LOG does under load). Prints nanoseconds per line, the median of 5 runs.
# Figures: docs/performance.md ("EVENT_LOG").
# Usage: scripts/bench-event-log.sh            (N=200000, DIR=/var/tmp)
#        DIR=/tmp N=100000 scripts/bench-event-log.sh
set -euo pipefail
N=${N:-200000}
DIR=${DIR:-/var/tmp}
WORK=$(mktemp -d "/tmp/bench-event-log.XXXXXX")
TARGET=$(mktemp -d "$DIR/bench-event-log.XXXXXX")
trap 'rm -rf "$WORK" "$TARGET"' EXIT
cat > "$WORK/main.swift" <<'SWIFT'
import Glibc

let n = Int(CommandLine.arguments[1])!
let path = CommandLine.arguments[2] + "/events.jsonl"
let line = Array((String(repeating: "x", count: 299) + "\n").utf8)
let batch = 512
let flags = O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC

func now() -> UInt64 {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return UInt64(t.tv_sec) * 1_000_000_000 + UInt64(t.tv_nsec)
}
func put(_ fd: Int32, _ bytes: [UInt8]) {
    guard bytes.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) == bytes.count else { fatalError("short write") }
}
/// Nanoseconds per line of `body` (which writes `n` lines), the median of 5 runs on a new file.
func measure(_ body: () -> Void) -> UInt64 {
    var runs: [UInt64] = []
    for _ in 0..<5 {
        unlink(path)
        let start = now()
        body()
        runs.append((now() - start) / UInt64(n))
    }
    return runs.sorted()[2]
}

let perLine = measure {
    for _ in 0..<n { let fd = open(path, flags, 0o600); put(fd, line); close(fd) }
}
let heldOpen = measure {
    let fd = open(path, flags, 0o600)
    for _ in 0..<n { put(fd, line) }
    close(fd)
}
let heldWithStat = measure {
    var fd = open(path, flags, 0o600)
    var st = stat(), mine = stat()
    fstat(fd, &mine)
    for _ in 0..<n {
        if stat(path, &st) != 0 || st.st_ino != mine.st_ino { close(fd); fd = open(path, flags, 0o600); fstat(fd, &mine) }
        put(fd, line)
    }
    close(fd)
}
let chunk = Array([[UInt8]](repeating: line, count: batch).joined())
let perBatch = measure {
    for _ in 0..<(n / batch) { let fd = open(path, flags, 0o600); put(fd, chunk); close(fd) }
}
print("open+write+close per line:      \(perLine) ns/line")
print("held open, write per line:      \(heldOpen) ns/line")
print("held open, stat+write per line: \(heldWithStat) ns/line")
print("open+write+close per \(batch) lines: \(perBatch) ns/line")
SWIFT
swiftc -O -o "$WORK/bench" "$WORK/main.swift"
fs=$(df -T "$TARGET" | awk 'NR == 2 { print $2 }')
echo "event-log writes: N=$N lines of 300 bytes into $DIR ($fs), $(nproc) CPUs, kernel $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
"$WORK/bench" "$N" "$TARGET"
