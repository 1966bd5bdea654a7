#!/usr/bin/env bash
# Runs the end-to-end tests (Tests/integration/test_*.sh), two at a time, and prints
# "N passed, N failed". Needs root, iproute2, nftables and nmap; the binaries must be built.
set -u
cd "$(dirname "$0")/.."
filter=${1:-}
jobs=${INTEGRATION_JOBS:-2}
results=$(mktemp -d)
tests=$(ls Tests/integration/test_*.sh | grep -- "$filter" || true)
run_one() {
    local t=$1 name; name=$(basename "$t" .sh)
    local start=$(date +%s)
    if timeout 300 bash "$t" >"$results/$name.log" 2>&1; then
        echo "PASS $name ($(( $(date +%s) - start ))s)"; touch "$results/$name.pass"
    else
        echo "FAIL $name ($(( $(date +%s) - start ))s)"; sed 's/^/    /' "$results/$name.log" | tail -n 60
        touch "$results/$name.fail"
    fi
}
export -f run_one; export results
printf '%s\n' $tests | xargs -P "$jobs" -I{} bash -c 'run_one {}'
passed=$(ls "$results"/*.pass 2>/dev/null | wc -l); failed=$(ls "$results"/*.fail 2>/dev/null | wc -l)
rm -rf "$results"
echo "integration: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
