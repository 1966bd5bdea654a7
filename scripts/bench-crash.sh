#!/usr/bin/env bash
# Bans lost to a crash followed by a reboot: spoofed sources (one SYN each, RATE per second from
# bench-capture in namespace B) against the daemon in stealth mode; at KILL_AFTER seconds the
# daemon is killed with SIGKILL and the kernel's ruleset flushed (what a reboot leaves), then it
# starts again. Lost = bans the daemon had committed (its -d "blocked … after its probe" lines)
# that are not back in the kernel set after the restart: only the state file and its journal
# can bring them back. Figures: docs/performance.md ("Crash and reboot").
# Usage: RATE=5000 KILL_AFTER=3 RUNS=3 scripts/bench-crash.sh   (KILL_AFTER may be 0.5; BIN=.build/debug: no release build)
set -euo pipefail
cd "$(dirname "$0")/.."
RATE=${RATE:-5000}
KILL_AFTER=${KILL_AFTER:-3}
RUNS=${RUNS:-3}
if [ -z "${BIN:-}" ]; then . scripts/lib/release-build.sh; release_build portsentry bench-capture; fi

PREFIX=bk
. scripts/lib/bench-pair.sh
cat > "$WORK/portsentry.conf" <<CONF
TCP_PORTS="31337"
BLOCK_TCP="1"
BLOCK_UDP="0"
SCAN_TRIGGER="0"
BAN_TIME="1h"
BAN_RATE_ALARM="0"
CONTROL_SOCKET="$WORK/control.sock"
STATE_FILE="$WORK/state/bans.state"
${EXTRA_CONF:-}
CONF
start() {
    ip netns exec "$NS_A" "$BIN/portsentry" -c "$WORK/portsentry.conf" --stealth -i "$IF_A" -d >"$WORK/$1.out" 2>"$WORK/$1.err" &
    DAEMON_PID=$!
    for _ in $(seq 600); do grep -q "now active" "$WORK/$1.out" && return; sleep 0.05; done
    cat "$WORK/$1.err"; exit 1
}
in_kernel() {
    ip netns exec "$NS_A" nft -j list set inet portsentry banned_v4 | python3 -c '
import json, sys
for o in json.load(sys.stdin)["nftables"]:
    for e in o.get("set", {}).get("elem", []):
        print(e["elem"]["val"] if isinstance(e, dict) else e)' | sort
}
echo "crash and reboot: spoofed sources at $RATE/s, SIGKILL after ${KILL_AFTER}s, $(nproc) CPUs, kernel $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
for run in $(seq "$RUNS"); do
    rm -rf "$WORK/state"
    ip netns exec "$NS_A" nft flush ruleset
    start "run$run"
    packets=${PACKETS:-$(( RATE * 6 ))}
    ip netns exec "$NS_A" "$BIN/bench-capture" --send-only --sender-ns "$NS_B" --sender-if "$IF_B" \
        --target "$IP_A" --packets "$packets" --rate "$RATE" >/dev/null 2>&1 &
    sender=$!
    sleep "$KILL_AFTER"
    kill -KILL "$DAEMON_PID"; wait "$DAEMON_PID" 2>/dev/null || true; DAEMON_PID=""
    wait "$sender" || true
    sed -n 's/^debug: Host \(.*\) blocked [0-9]* µs after its probe was captured$/\1/p' "$WORK/run$run.out" | sort -u > "$WORK/committed"
    ip netns exec "$NS_A" nft flush ruleset
    start "restart$run"
    in_kernel > "$WORK/restored"
    committed=$(wc -l < "$WORK/committed")
    lost=$(comm -23 "$WORK/committed" "$WORK/restored" | wc -l)
    echo "run $run: $committed bans committed before the kill, $lost of them lost after the restart ($(wc -l < "$WORK/restored") in the set)"
    kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID" 2>/dev/null || true; DAEMON_PID=""
done
