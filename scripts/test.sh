#!/usr/bin/env bash
# The whole test suite: unit tests (Swift Testing), end-to-end tests in network namespaces,
# and the Debian package checks. Needs root. Prints one summary line per stage and
# "N passed, N failed" for the integration stage.
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh || exit 1
status=0
echo "== build"
swift build --build-tests 2>&1 | grep -E "error|warning:|Compiling|Build complete" | grep -v "^\[" ; [ "${PIPESTATUS[0]}" -eq 0 ] || exit 1
echo "== unit tests"
swift test --skip-build --no-parallel 2>&1 | tail -n 40 | tee /tmp/portsentry-unit.log | grep -E "✘|error|Test run|Executed" ; [ "${PIPESTATUS[0]}" -eq 0 ] || { status=1; cat /tmp/portsentry-unit.log; }
echo "== fuzz smoke"
# Each libFuzzer target for a few seconds on its seeds, debug build (docs/fuzzing.md).
FUZZ_BUILD=debug scripts/fuzz.sh "${FUZZ_SECONDS:-5}" || status=1
echo "== integration tests"
scripts/integration.sh || status=1
if [ -x scripts/package-test.sh ] && [ "${SKIP_PACKAGE:-0}" != 1 ]; then
    echo "== package"
    scripts/package-test.sh || status=1
fi
exit $status
