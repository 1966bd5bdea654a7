#!/usr/bin/env bash
# Scan-to-ban latency through the whole daemon: from the kernel's capture timestamp of a probe
# to the moment its source is in the firewall (nftables commit returned, or KILL_ROUTE's
# `iptables -I INPUT -s $TARGET$ -j DROP` exited). The release daemon runs in stealth mode in
# namespace A; bench-capture sends one SYN from each of BANS spoofed sources from namespace B,
# RATE per second. The daemon reports each delay on its -d line
# "Host X blocked N µs after its probe was captured". Probes are evenly spaced, so each is banned
# on its own rather than queued behind a burst. Both backends in one run.
# Needs root and iptables. Everything it creates is removed on exit. See docs/performance.md.
set -euo pipefail
cd "$(dirname "$0")/.."
SCRATCH=${SCRATCH:-.build-bench}
BANS=${BANS:-1000}
RATE=${RATE:-200}

. scripts/lib/release-build.sh
release_build portsentry bench-capture
IPTABLES=$(command -v iptables) || { echo "iptables is needed (apt-get install iptables)" >&2; exit 1; }

PREFIX=bs
. scripts/lib/bench-pair.sh

# measure NAME CONFIG-LINES: runs the daemon with that backend and prints "NAME p50 p99 count".
measure() {
    local name=$1 extra=$2
    ip netns exec "$NS_A" nft flush ruleset
    ip netns exec "$NS_A" "$IPTABLES" -F INPUT 2>/dev/null || true
    cat > "$WORK/portsentry.conf" <<CONF
TCP_PORTS="31337"
BLOCK_TCP="1"
BLOCK_UDP="0"
SCAN_TRIGGER="0"
BAN_TIME="1h"
NFT_SET_SIZE="$(( BANS * 2 ))"
CONTROL_SOCKET="$WORK/control.sock"
STATE_FILE="$WORK/bans.state"
$extra
CONF
    rm -f "$WORK/bans.state"
    ip netns exec "$NS_A" "$BIN/portsentry" -c "$WORK/portsentry.conf" --stealth -i "$IF_A" -d \
        >"$WORK/$name.out" 2>"$WORK/$name.err" &
    DAEMON_PID=$!
    for _ in $(seq 400); do grep -q "now active" "$WORK/$name.out" && break; sleep 0.05; done
    grep -q "now active" "$WORK/$name.out" || { cat "$WORK/$name.err"; exit 1; }
    ip netns exec "$NS_A" "$BIN/bench-capture" --send-only --sender-ns "$NS_B" --sender-if "$IF_B" \
        --target "$IP_A" --packets "$BANS" --rate "$RATE" --burst 1 >/dev/null
    local deadline=$(( $(date +%s) + 120 ))
    until [ "$(grep -c 'µs after its probe was captured' "$WORK/$name.out")" -ge "$BANS" ]; do
        [ "$(date +%s)" -lt "$deadline" ] || break
        sleep 0.2
    done
    kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID" || true; DAEMON_PID=""
    sed -n 's/^debug: Host .* blocked \([0-9]*\) µs after its probe was captured$/\1/p' "$WORK/$name.out" | sort -n > "$WORK/$name.delays"
    local count p50 p99
    count=$(wc -l < "$WORK/$name.delays")
    p50=$(sed -n "$(( (count + 1) / 2 ))p" "$WORK/$name.delays")
    p99=$(sed -n "$(( (count * 99 + 99) / 100 ))p" "$WORK/$name.delays")
    echo "$name $p50 $p99 $count"
}

echo "scan-to-ban: $BANS spoofed sources at $RATE/s, $(nproc) CPUs, kernel $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
nft=$(measure nftables 'BLOCK_BACKEND="nftables"')
ipt=$(measure iptables "BLOCK_BACKEND=\"command\"
KILL_ROUTE=\"$IPTABLES -w -I INPUT -s \$TARGET\$ -j DROP\"")
printf '%-10s %10s %10s %8s\n' backend "p50 µs" "p99 µs" bans
for row in "$nft" "$ipt"; do printf '%-10s %10s %10s %8s\n' $row; done
read -r _ n50 n99 _ <<<"$nft"; read -r _ i50 i99 _ <<<"$ipt"
awk -v a="$i50" -v b="$n50" -v c="$i99" -v d="$n99" 'BEGIN { printf "iptables / nftables: %.1fx at p50, %.1fx at p99\n", a / b, c / d }'
