#!/usr/bin/env bash
# Enumeration from the attacker's side (docs/performance.md): how many of five real services an
# nmap SYN scan finds on a host that portsentry watches. The target namespace serves TCP 22, 25,
# 80, 443 and 8080 (not watched); portsentry runs there in stealth mode with the shipped
# TCP_PORTS / UDP_PORTS (packaging/etc/portsentry.conf with its paths moved into a temp dir),
# nftables backend. Each run scans from a fresh address of the scanner's namespace:
#   nmap -sS -T4 -n -Pn --max-retries 1 -p1-65535 TARGET    (full)
#   nmap -sS -T4 -n -Pn --max-retries 1 TARGET              (nmap's default top 1000)
# and counts the services nmap reports open ("Discovered open port", so a scan cut off by the
# timeout still counts what it found) and the wall time. Prints a table and one line per figure.
# Needs root and nmap; runs the given binary, builds nothing. Everything it creates is removed
# on exit.
#   scripts/bench-nmap.sh [--daemon-bin PATH] [--runs N] [--timeout SECONDS]
#                         [--extra-config 'KEY="VALUE"']... [--no-daemon]
set -euo pipefail
cd "$(dirname "$0")/.."
DAEMON_BIN=.build/release/portsentry
[ -x "$DAEMON_BIN" ] || DAEMON_BIN=.build/debug/portsentry
RUNS=5
TIMEOUT=120
EXTRA=()
NO_DAEMON=0
usage() { echo "usage: $0 [--daemon-bin PATH] [--runs N] [--timeout SECONDS] [--extra-config 'KEY=\"VALUE\"']... [--no-daemon]" >&2; exit 2; }
while [ $# -gt 0 ]; do
    case $1 in
        --daemon-bin) [ $# -ge 2 ] || usage; DAEMON_BIN=$2; shift 2 ;;
        --runs) [ $# -ge 2 ] || usage; RUNS=$2; shift 2 ;;
        --timeout) [ $# -ge 2 ] || usage; TIMEOUT=$2; shift 2 ;;
        --extra-config) [ $# -ge 2 ] || usage; EXTRA+=("$2"); shift 2 ;;
        --no-daemon) NO_DAEMON=1; shift ;;
        *) usage ;;
    esac
done
[[ $RUNS =~ ^[1-9][0-9]?$ ]] && [ "$RUNS" -le 80 ] || { echo "--runs: 1 to 80" >&2; exit 2; }
[[ $TIMEOUT =~ ^[1-9][0-9]*$ ]] || { echo "--timeout: seconds" >&2; exit 2; }
command -v nmap >/dev/null || { echo "nmap is needed (apt-get install nmap)" >&2; exit 1; }
[ "$NO_DAEMON" = 1 ] || [ -x "$DAEMON_BIN" ] || { echo "no daemon binary at $DAEMON_BIN (--daemon-bin)" >&2; exit 1; }
SERVICES="22 25 80 443 8080"
SHIPPED=packaging/etc/portsentry.conf

PREFIX=bn
. scripts/lib/bench-pair.sh
LISTENER_PID=""
cleanup() {
    [ -n "$LISTENER_PID" ] && kill -TERM "$LISTENER_PID" 2>/dev/null && wait "$LISTENER_PID" 2>/dev/null || true
    bench_pair_cleanup
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The five services: one process listening on each port (the kernel answers the SYNs).
ip netns exec "$NS_A" python3 -c '
import select, socket, sys
socks = []
for port in sys.argv[1:]:
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", int(port))); s.listen(64); socks.append(s)
while True:
    for s in select.select(socks, [], [])[0]:
        s.accept()[0].close()' $SERVICES >"$WORK/listener.out" 2>&1 &
LISTENER_PID=$!
for port in $SERVICES; do
    for _ in $(seq 100); do ip netns exec "$NS_A" ss -Hltn "sport = :$port" | grep -q ":$port" && break; sleep 0.05; done
    ip netns exec "$NS_A" ss -Hltn "sport = :$port" | grep -q ":$port" || { echo "listener on $port did not start" >&2; exit 1; }
done

LABEL="no daemon"
if [ "$NO_DAEMON" = 0 ]; then
    : > "$WORK/ignore"
    { cat "$SHIPPED"; cat <<CONF
IGNORE_FILE="$WORK/ignore"
HISTORY_FILE="$WORK/history"
BLOCKED_FILE="$WORK/blocked"
CONTROL_SOCKET="$WORK/control.sock"
STATE_FILE="$WORK/bans.state"
BLOCK_BACKEND="nftables"
NFT_TABLE="ps_bn_$N"
BAN_TIME="1h"
CONF
      printf '%s\n' "${EXTRA[@]:+${EXTRA[@]}}"; } > "$WORK/portsentry.conf"
    ip netns exec "$NS_A" "$DAEMON_BIN" -c "$WORK/portsentry.conf" --stealth >"$WORK/daemon.out" 2>"$WORK/daemon.err" &
    DAEMON_PID=$!
    for _ in $(seq 400); do grep -q "now active" "$WORK/daemon.out" && break; sleep 0.05; done
    grep -q "now active" "$WORK/daemon.out" || { cat "$WORK/daemon.out" "$WORK/daemon.err" >&2; exit 1; }
    LABEL="daemon${EXTRA[*]:+ ${EXTRA[*]}}"
fi

# scan NAME SOURCE [NMAP-ARGS...]: one nmap run from SOURCE (added to the scanner's veth); sets
# OPEN (services reported open) and WALL (seconds, with "+" if the timeout cut the scan off).
scan() {
    local name=$1 src=$2; shift 2
    ip -n "$NS_B" addr add "$src/24" dev "$IF_B"
    local start end rc=0
    start=$(date +%s%N)
    timeout "$TIMEOUT" ip netns exec "$NS_B" nmap -v -sS -T4 -n -Pn --max-retries 1 -S "$src" -e "$IF_B" "$@" "$IP_A" \
        >"$WORK/$name.nmap" 2>&1 || rc=$?
    end=$(date +%s%N)
    [ "$rc" -eq 0 ] || [ "$rc" -eq 124 ] || { cat "$WORK/$name.nmap" >&2; exit 1; }
    local port
    OPEN=0
    for port in $SERVICES; do
        if grep -q "^Discovered open port $port/tcp on $IP_A\$" "$WORK/$name.nmap"; then OPEN=$(( OPEN + 1 )); fi
    done
    WALL=$(awk -v ns=$(( end - start )) 'BEGIN { printf "%.1f", ns / 1e9 }')
    [ "$rc" -eq 0 ] || WALL="$WALL+"
    # What nmap made of the rest ("Not shown: 65530 closed tcp ports (reset)"), if it finished.
    REST=$(sed -n 's/^Not shown: //p' "$WORK/$name.nmap" | head -n 1)
    REST=${REST:-cut off by the timeout}
}

# median VALUE...: the middle value (the lower middle for an even count), "+" kept.
median() { printf '%s\n' "$@" | sort -g | sed -n "$(( ($# + 1) / 2 ))p"; }

echo "nmap enumeration: $LABEL; $RUNS runs; services on $SERVICES; $(nproc) CPUs, kernel $(uname -r), $(nmap --version | head -n 1), load $(cut -d' ' -f1-3 /proc/loadavg)"
FULL_OPEN=(); FULL_WALL=(); TOP_OPEN=(); TOP_WALL=()
for run in $(seq "$RUNS"); do
    scan "full$run" "10.$X.$Y.$(( 10 + run ))" -p1-65535
    FULL_OPEN+=("$OPEN"); FULL_WALL+=("$WALL")
    echo "run $run: full: $OPEN/5 in $WALL s ($REST)"
    scan "top$run" "10.$X.$Y.$(( 100 + run ))"
    TOP_OPEN+=("$OPEN"); TOP_WALL+=("$WALL")
    echo "run $run: top-1000: $OPEN/5 in $WALL s ($REST)"
done
join() { local IFS=,; echo "$*"; }
printf '%-9s %-13s %-16s %-10s %s\n' scan "open (median)" "open (all)" "wall (med)" "wall s (all)"
printf '%-9s %-13s %-16s %-10s %s\n' full "$(median "${FULL_OPEN[@]}")/5" "$(join "${FULL_OPEN[@]}")" "$(median "${FULL_WALL[@]}") s" "$(join "${FULL_WALL[@]}")"
printf '%-9s %-13s %-16s %-10s %s\n' top-1000 "$(median "${TOP_OPEN[@]}")/5" "$(join "${TOP_OPEN[@]}")" "$(median "${TOP_WALL[@]}") s" "$(join "${TOP_WALL[@]}")"
echo "figure: [$LABEL] full scan (-p1-65535): services found median $(median "${FULL_OPEN[@]}")/5 (runs: $(join "${FULL_OPEN[@]}"))"
echo "figure: [$LABEL] full scan (-p1-65535): wall time median $(median "${FULL_WALL[@]}") s (runs: $(join "${FULL_WALL[@]}"))"
echo "figure: [$LABEL] top-1000 scan: services found median $(median "${TOP_OPEN[@]}")/5 (runs: $(join "${TOP_OPEN[@]}"))"
echo "figure: [$LABEL] top-1000 scan: wall time median $(median "${TOP_WALL[@]}") s (runs: $(join "${TOP_WALL[@]}"))"
if [ "$NO_DAEMON" = 0 ]; then
    banned=$(sed -n 's/^Scan from: \[\([^]]*\)\].* blocked: \[true\]$/\1/p' "$WORK/daemon.out" | sort -u | wc -l)
    echo "figure: [$LABEL] scanner addresses banned: $banned of $(( 2 * RUNS ))"
fi
