#!/usr/bin/env bash
# Builds the libFuzzer targets of Fuzz/ (docs/fuzzing.md) with AddressSanitizer and runs each for
# SECONDS (default 10) on its seeds in Tests/corpus/NAME/. Prints one line per target with its
# executions; exits non-zero if any target crashes, leaks or times out.
#
#   scripts/fuzz.sh [SECONDS] [NAME...]     e.g. scripts/fuzz.sh 600 decode
#
# New inputs that libFuzzer finds go to .build-fuzz/corpus/NAME/ (not committed); a crashing
# input is written to .build-fuzz/crashes/NAME/ and its path printed. FUZZ_JOBS=N runs N
# processes per target (libFuzzer -fork); FUZZ_FLAGS adds libFuzzer options; FUZZ_BUILD=debug
# builds in half the time (CI's smoke) and runs slower, with Swift's debug-only checks on too.
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH=/opt/swift/usr/bin:$PATH
seconds=${1:-10}
shift $(( $# > 0 ? 1 : 0 ))
scratch=.build-fuzz
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
    for dir in Fuzz/Sources/fuzz-*/; do names+=("$(basename "$dir" | sed 's/^fuzz-//')"); done
fi

build=${FUZZ_BUILD:-release}
echo "== fuzz build ($build, -sanitize=fuzzer,address)"
# --sanitize only reaches Fuzz's own targets and the link; -Xswiftc instruments the parsers too.
swift build --package-path Fuzz --scratch-path "$scratch" -c "$build" --sanitize fuzzer --sanitize address \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -enable-testing 2>&1 | grep -E "error:|Build complete"
[ "${PIPESTATUS[0]}" -eq 0 ] || exit 1
bin=$(swift build --package-path Fuzz --scratch-path "$scratch" -c "$build" --show-bin-path)

status=0
for name in "${names[@]}"; do
    seeds=Tests/corpus/$name
    [ -d "$seeds" ] || { echo "fuzz $name: no seed folder $seeds" >&2; status=1; continue; }
    work=$scratch/corpus/$name crashes=$scratch/crashes/$name log=$scratch/logs/$name.log
    mkdir -p "$work" "$crashes" "$(dirname "$log")"
    dict=(); [ -f "Tests/corpus/$name.dict" ] && dict=(-dict="Tests/corpus/$name.dict")
    # The first folder receives new inputs; the committed seeds are only read.
    "$bin/fuzz-$name" "$work" "$seeds" "${dict[@]}" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$crashes/" \
        ${FUZZ_JOBS:+-fork=$FUZZ_JOBS -ignore_crashes=0} ${FUZZ_FLAGS:-} >"$log" 2>&1
    rc=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    if [ -z "$runs" ]; then   # -fork prints no final stats: the last status line has the count
        runs=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#'); rate=$(( ${runs:-0} / (seconds > 0 ? seconds : 1) ))
    fi
    if [ $rc -eq 0 ]; then
        printf 'fuzz %-10s ok     %12s executions  %8s exec/s  %s s\n' "$name" "${runs:-?}" "${rate:-?}" "$seconds"
    else
        status=1
        printf 'fuzz %-10s FAILED (exit %s) after %s executions; log %s\n' "$name" "$rc" "${runs:-?}" "$log"
        grep -E "ERROR|Fatal error|precondition|SUMMARY|artifact|Test unit written" "$log" | head -n 12
    fi
done
exit $status
