#!/usr/bin/env bash
# From a lone probe to the scanner's last answered packet, seen from the attacker's side: the
# release daemon runs in stealth mode in namespace A (TCP_PORTS="23", a service on port 80); from
# namespace B a fresh source address per run sends one SYN to port 23 and then, back to back,
# SYNs to the open port 80 for 2 ms. The figure is the send time (after the probe) of the last
# SYN to port 80 that got a SYN-ACK: how long the scanner could still reach a service after its
# probe. 0 = none answered (the probe's own packet banned the source). KERNEL_BAN="1" and "0",
# RUNS runs each. Everything it creates is removed on exit. Figures: docs/performance.md.
# Usage: RUNS=20 scripts/bench-kernel-ban.sh
set -euo pipefail
cd "$(dirname "$0")/.."
SCRATCH=${SCRATCH:-.build-bench}
RUNS=${RUNS:-20}

. scripts/lib/release-build.sh
release_build portsentry

PREFIX=bk
. scripts/lib/bench-pair.sh
SERVICE_PID=""
trap 'kill "$SERVICE_PID" 2>/dev/null || true; bench_pair_cleanup' EXIT
ip netns exec "$NS_A" python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 80)); s.listen(4096)
while True: s.accept()[0].close()' &
SERVICE_PID=$!
NET=${IP_B%.*}

# run_once SOURCE: prints the figure in microseconds and the number of answered SYNs after the probe.
run_once() {
    ip netns exec "$NS_B" python3 - "$1" "$IP_A" "$IF_B" "$PWD/scripts/lib" <<'PY'
import socket, struct, sys, time
sys.path.insert(0, sys.argv[4])
from forge_syn import raw_sender, syn as forged_syn
src, dst, ifname = sys.argv[1], sys.argv[2], sys.argv[3]
def syn(sport, dport): return forged_syn(src, dst, sport, dport)
rx = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0800)); rx.bind((ifname, 0)); rx.settimeout(0.05)
tx = raw_sender()
trains = [(p, syn(p, 80)) for p in range(20000, 24000)]
sent = {}
t0 = time.perf_counter_ns(); tx.sendto(syn(19999, 23), (dst, 0))
for port, packet in trains:
    sent[port] = time.perf_counter_ns() - t0
    tx.sendto(packet, (dst, 0))
    if sent[port] > 2_000_000: break
answered = []
try:
    while True:
        frame = rx.recv(2048)[14:]
        if frame[9] != 6 or socket.inet_ntoa(frame[12:16]) != dst or socket.inet_ntoa(frame[16:20]) != src: continue
        sport, dport, _, _, _, flags = struct.unpack("!HHIIBB", frame[20:34])
        if sport == 80 and flags & 0x12 == 0x12 and dport in sent: answered.append(sent[dport])
except socket.timeout:
    pass
print(max(answered) // 1000 if answered else 0, len(answered), len(sent))
PY
}

measure() {   # KERNEL_BAN value
    cat > "$WORK/portsentry.conf" <<CONF
TCP_PORTS="23"
UDP_PORTS=""
BLOCK_TCP="1"
BLOCK_UDP="0"
SCAN_TRIGGER="0"
BAN_TIME="1h"
KERNEL_BAN="$1"
CONTROL_SOCKET="$WORK/control.sock"
STATE_FILE="$WORK/bans.state"
CONF
    ip netns exec "$NS_A" "$BIN/portsentry" -c "$WORK/portsentry.conf" --stealth -i "$IF_A" >"$WORK/out" 2>"$WORK/err" &
    DAEMON_PID=$!
    for _ in $(seq 400); do grep -q "now active" "$WORK/out" && break; sleep 0.05; done
    grep -q "now active" "$WORK/out" || { cat "$WORK/err"; exit 1; }
    : > "$WORK/figures"
    for i in $(seq "$RUNS"); do
        local src="$NET.$(( 10 + i + (${2:-0}) ))"
        ip -n "$NS_B" addr add "$src/24" dev "$IF_B"
        run_once "$src" >> "$WORK/figures"
    done
    kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID" || true; DAEMON_PID=""
    sort -n "$WORK/figures" > "$WORK/sorted"
    local n; n=$(wc -l < "$WORK/sorted")
    echo "KERNEL_BAN=\"$1\": last answered SYN after the probe, µs: p50 $(sed -n "$(( (n + 1) / 2 ))p" "$WORK/sorted" | cut -d' ' -f1)," \
         "max $(tail -n 1 "$WORK/sorted" | cut -d' ' -f1); answered/sent SYNs per run: $(awk '{ printf "%d/%d ", $2, $3 }' "$WORK/figures")"
}
echo "lone probe → last answered packet: $RUNS runs each, $(nproc) CPUs, kernel $(uname -r)"
measure 1 0
measure 0 100
