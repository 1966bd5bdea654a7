#!/usr/bin/env bash
# Service-check benchmark (docs/performance.md, "Service check"): builds bench-capture in release
# mode and, in a fresh network namespace holding SOCKETS established TCP connections and as many
# bound UDP sockets (loopback only, nothing leaves the namespace), times the sock_diag look that
# confirms an unserved port before a probe counts: p50 and p99 per case. Needs root.
set -euo pipefail
cd "$(dirname "$0")/.."
SCRATCH=${SCRATCH:-.build-stealth}
SOCKETS=${SOCKETS:-1000}
LOOKS=${LOOKS:-20000}
. scripts/lib/release-build.sh
release_build bench-capture
NS="bsc$(( $$ % 60000 ))"
trap 'ip netns del "$NS" 2>/dev/null || true' EXIT
ip netns add "$NS"
ip -n "$NS" link set lo up
ulimit -n $(( 4 * SOCKETS + 64 ))
ip netns exec "$NS" "$BIN/bench-capture" --service-check --sockets "$SOCKETS" --packets "$LOOKS"
