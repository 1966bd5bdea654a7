#!/usr/bin/env bash
# Runs the unit tests under AddressSanitizer (with LeakSanitizer) and ThreadSanitizer, each in
# its own build folder (.build-asan, .build-tsan). Needs root for the namespace and nftables
# tests, like scripts/test.sh. Prints one summary line per sanitizer; exits non-zero if a build
# fails, a test fails or a sanitizer reports anything. See docs/fuzzing.md "Sanitizers".
#
#   scripts/sanitize.sh [address|thread ...] [-- SWIFT-TEST-ARGS...]   e.g. scripts/sanitize.sh thread -- --filter FleetTests
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH=/opt/swift/usr/bin:$PATH
kinds=(); while [ $# -gt 0 ] && [ "$1" != -- ]; do kinds+=("$1"); shift; done
[ "${1:-}" = -- ] && shift
[ ${#kinds[@]} -gt 0 ] || kinds=(address thread)
# halt_on_error keeps a report from being lost in a later crash. The suppression files name only
# reports shown to be false positives or leaks outside portsentry (docs/fuzzing.md).
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/scripts/lib/lsan.supp:print_suppressions=0}
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1 suppressions=$PWD/scripts/lib/tsan.supp}
status=0
for kind in "${kinds[@]}"; do
    scratch=.build-${kind/address/asan}; scratch=${scratch/thread/tsan}
    log=/tmp/portsentry-sanitize-$kind.log
    echo "== unit tests under --sanitize=$kind ($scratch, log $log)"
    if ! swift build --build-tests --sanitize "$kind" --scratch-path "$scratch" >"$log.build" 2>&1; then
        grep -E "error:" "$log.build" | head -n 20; echo "sanitize $kind: build failed (log $log.build)"; status=1; continue
    fi
    # No XCTest pass: the project has no XCTest tests, and XCTest's runner leaks its suite objects
    # at exit (368 bytes, reported by LeakSanitizer).
    swift test --skip-build --sanitize "$kind" --scratch-path "$scratch" --no-parallel --disable-xctest "$@" >"$log" 2>&1
    rc=$?
    reports=$(grep -cE "^(==[0-9]+==ERROR|WARNING: ThreadSanitizer|SUMMARY: (Address|Thread|Leak)Sanitizer)" "$log")
    summary=$(grep -E "Test run with .* (passed|failed)" "$log" | tail -n 1)
    echo "sanitize $kind: exit $rc, $reports sanitizer reports; $summary"
    if [ "$rc" -ne 0 ] || [ "$reports" -ne 0 ]; then
        status=1
        grep -E -A12 "^(==[0-9]+==ERROR|WARNING: ThreadSanitizer)" "$log" | head -n 60
        grep -E "✘" "$log" | head -n 20
    fi
done
exit $status
