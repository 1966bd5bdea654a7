# Shared helpers for the end-to-end tests. Source it from a test script:
#   . "$(dirname "$0")/lib.sh"
# Every test gets its own namespaces, addresses and processes, and removes them on exit.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BIN_DIR=${PORTSENTRY_BIN_DIR:-$ROOT/.build/debug}
PORTSENTRY=$BIN_DIR/portsentry
PORTSENTRY_CTL=$BIN_DIR/portsentry-ctl

TEST_NAME=$(basename "$0" .sh)
# A number unique among tests running at the same time on this machine.
TEST_NUM=$(( $$ % 60000 ))
# Namespace names: short, unique (interface names must stay under 16 bytes).
NS_A="psa$TEST_NUM"        # the host that runs portsentry
NS_B="psb$TEST_NUM"        # the scanner
# Private test addresses derived from the pid: 10.<x>.<y>.0/24 and fd00:<x>:<y+1>::/64.
_X=$(( 100 + (TEST_NUM / 250) % 150 )); _Y=$(( TEST_NUM % 250 ))
IP_A="10.$_X.$_Y.1";   IP_B="10.$_X.$_Y.2"
# The third group is never 0, so the text is canonical (nft prints fd00:167::2, not fd00:167:0::2).
IP6_A="fd00:$_X:$(( _Y + 1 ))::1"; IP6_B="fd00:$_X:$(( _Y + 1 ))::2"

WORK=$(mktemp -d "/tmp/ps-$TEST_NAME.XXXXXX")
_PIDS=()
_NETNS=()

cleanup() {
    local rc=$?
    for pid in "${_PIDS[@]:-}"; do
        [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${_PIDS[@]:-}"; do
        [ -n "$pid" ] || continue
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
        kill -KILL "$pid" 2>/dev/null || true
    done
    for ns in "${_NETNS[@]:-}"; do [ -n "$ns" ] && ip netns del "$ns" 2>/dev/null || true; done
    if [ $rc -ne 0 ] && [ -d "$WORK" ]; then
        echo "--- $TEST_NAME failed; files in $WORK:" >&2
        for f in "$WORK"/*.out "$WORK"/*.err; do [ -f "$f" ] && { echo "--- $f" >&2; tail -n 40 "$f" >&2; }; done
    fi
    rm -rf "$WORK"
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() { echo "FAIL [$TEST_NAME]: $*" >&2; exit 1; }
note() { echo "[$TEST_NAME] $*"; }

# make_pair: two namespaces joined by a veth pair, with IPv4 and IPv6 addresses and loopback up.
make_pair() {
    ip netns add "$NS_A"; _NETNS+=("$NS_A")
    ip netns add "$NS_B"; _NETNS+=("$NS_B")
    ip link add "va$TEST_NUM" netns "$NS_A" type veth peer name "vb$TEST_NUM" netns "$NS_B"
    ip -n "$NS_A" addr add "$IP_A/24" dev "va$TEST_NUM"
    ip -n "$NS_B" addr add "$IP_B/24" dev "vb$TEST_NUM"
    ip -n "$NS_A" -6 addr add "$IP6_A/64" dev "va$TEST_NUM" nodad
    ip -n "$NS_B" -6 addr add "$IP6_B/64" dev "vb$TEST_NUM" nodad
    for ns in "$NS_A" "$NS_B"; do ip -n "$ns" link set lo up; done
    ip -n "$NS_A" link set "va$TEST_NUM" up
    ip -n "$NS_B" link set "vb$TEST_NUM" up
    IF_A="va$TEST_NUM"; IF_B="vb$TEST_NUM"
}

# in_a / in_b CMD...: run a command inside the daemon's / the scanner's namespace.
in_a() { ip netns exec "$NS_A" "$@"; }
in_b() { ip netns exec "$NS_B" "$@"; }

# wait_for SECONDS CMD...: poll CMD every 50 ms until it succeeds; fail after SECONDS.
wait_for() {
    local limit=$1; shift
    local deadline=$(( $(date +%s%N) + limit * 1000000000 ))
    until "$@" >/dev/null 2>&1; do
        [ "$(date +%s%N)" -lt "$deadline" ] || fail "timed out after ${limit}s waiting for: $*"
        sleep 0.05
    done
}

# start_bg NAME CMD...: start CMD in the background with stdout/stderr in $WORK/NAME.out/.err;
# sets LAST_PID. Only processes started this way are killed at clean-up.
start_bg() {
    local name=$1; shift
    "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" &
    LAST_PID=$!
    _PIDS+=("$LAST_PID")
}

# start_daemon NAME CONFIG [ARGS...]: run portsentry in NS_A and wait until it is listening.
start_daemon() {
    local name=$1 conf=$2; shift 2
    start_bg "$name" ip netns exec "$NS_A" "$PORTSENTRY" -c "$conf" "$@"
    DAEMON_PID=$LAST_PID
    wait_for 20 grep -q "Portsentry is now active and listening." "$WORK/$name.out"
}

# stop_pid PID: SIGTERM and wait (up to 5 s) for the process to end; returns its exit status.
stop_pid() {
    local pid=$1 rc=0
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" || rc=$?
    return $rc
}

has_line() { grep -qxF -- "$2" "$1"; }
assert_line() { has_line "$1" "$2" || fail "missing line in $1: $2"; }
assert_no_line() { ! grep -qF -- "$2" "$1" || fail "unexpected text in $1: $2"; }
assert_eq() { [ "$1" = "$2" ] || fail "${3:-values differ}: expected '$2', got '$1'"; }
# count_lines FILE TEXT: number of lines containing TEXT.
count_lines() { grep -cF -- "$2" "$1" || true; }

# private_etc: makes $WORK/etc, a private copy of /etc, once; a test may change files in it (e.g.
# seed hosts.deny) before start_daemon_private_etc, which then keeps them.
private_etc() {
    [ -d "$WORK/etc" ] || { mkdir -p "$WORK/etc" && cp -a /etc/. "$WORK/etc/"; }
}

# start_daemon_private_etc NAME CONFIG [ARGS...]: like start_daemon, but the daemon sees
# $WORK/etc (private_etc; bind-mounted inside its namespace) as /etc, so KILL_HOSTS_DENY writes
# $WORK/etc/hosts.deny.
start_daemon_private_etc() {
    local name=$1 conf=$2; shift 2
    private_etc
    start_bg "$name" ip netns exec "$NS_A" sh -c 'mount --bind "$0" /etc && exec "$@"' "$WORK/etc" "$PORTSENTRY" -c "$conf" "$@"
    DAEMON_PID=$LAST_PID
    wait_for 20 grep -q "Portsentry is now active and listening." "$WORK/$name.out"
}

# test_paths_conf: config lines that keep a test daemon's files inside $WORK (never the
# machine's /run/portsentry or /var/lib/portsentry), so tests can run side by side.
test_paths_conf() {
    cat <<CONF
CONTROL_SOCKET="$WORK/control.sock"
STATE_FILE="$WORK/bans.state"
HISTORY_FILE="$WORK/history"
BLOCKED_FILE="$WORK/blocked"
CONF
}

# start_tcp_listener NAME PORT: a TCP service on [::]:PORT (dual-stack) in the daemon's namespace,
# which accepts and holds its connections; returns once it listens. Output in $WORK/NAME.*.
start_tcp_listener() {
    local name=$1 port=$2
    start_bg "$name" ip netns exec "$NS_A" python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("::", int(sys.argv[1]))); s.listen(8)
held = []
while True:
    held.append(s.accept()[0])' "$port"
    wait_for 30 sh -c "ip netns exec $NS_A ss -Hltn 'sport = :$port' | grep -q ':$port'"
}

# nft_test_conf TABLE [LINE...]: config lines for the nftables backend in table TABLE, TCP 11 and
# 15 and UDP 7 watched, a source banned for 10 minutes on its first probe; then each LINE.
nft_test_conf() {
    local table=$1; shift
    printf '%s\n' 'TCP_PORTS="11,15"' 'UDP_PORTS="7"' 'BLOCK_TCP="1"' 'BLOCK_UDP="1"' 'SCAN_TRIGGER="0"' \
        'BLOCK_BACKEND="nftables"' 'BAN_TIME="10m"' "NFT_TABLE=\"$table\"" "$@"
}

# forge_probes FIRST COUNT [INTERVAL]: from NS_B, one forged TCP SYN to IP_A:11 from each of COUNT
# consecutive IPv4 sources starting at FIRST, INTERVAL seconds apart (default 0.005).
forge_probes() {
    ip netns exec "$NS_B" python3 -c '
import ipaddress, sys, time
sys.path.insert(0, sys.argv[1])
from forge_syn import raw_sender, syn
first, count, gap, target = ipaddress.IPv4Address(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
tx = raw_sender()
for i in range(count):
    tx.sendto(syn(str(first + i), target, 40000 + i % 20000, 11), (target, 0))
    time.sleep(gap)' "$ROOT/scripts/lib" "$1" "$2" "${3:-0.005}" "$IP_A"
}

# ban_seconds_left TABLE SET ADDRESS: the remaining time of ADDRESS's ban in `inet TABLE SET` of
# NS_A, in whole seconds (from nft's text output).
ban_seconds_left() {
    in_a nft list set inet "$1" "$2" | python3 -c '
import re, sys
m = re.search(re.escape(sys.argv[1]) + r" timeout \S+ expires (\S+?)[,\s}]", sys.stdin.read())
units = {"d": 86400, "h": 3600, "m": 60, "s": 1, "ms": 0.001}
print(int(sum(int(n) * units[u] for n, u in re.findall(r"(\d+)(ms|d|h|m|s)", m.group(1)))))' "$3"
}

# line_count FILE: number of lines in FILE (0 if missing).
line_count() { [ -f "$1" ] && wc -l < "$1" || echo 0; }
# file_size FILE: size in bytes (0 if missing).
file_size() { [ -f "$1" ] && stat -c %s "$1" || echo 0; }
# has_lines FILE N: FILE has at least N lines. wait_lines SECONDS FILE N: poll until it has.
has_lines() { [ "$(line_count "$1")" -ge "$2" ]; }
wait_lines() { wait_for "$1" has_lines "$2" "$3"; }
# has_size FILE BYTES: FILE is exactly BYTES long.
has_size() { [ "$(file_size "$1")" -eq "$2" ]; }
# tcp_probe NS HOST PORT: open a TCP connection, print what the server sends (2 s at most).
tcp_probe() {
    ip netns exec "$1" python3 - "$2" "$3" <<'PY'
import socket, sys
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=2)
data = b""
try:
    while chunk := s.recv(4096):
        data += chunk
except OSError:
    pass
sys.stdout.write(data.decode(errors="replace"))
PY
}
# udp_probe NS HOST PORT: send one datagram, print a reply if one comes within 1 s.
udp_probe() {
    ip netns exec "$1" python3 - "$2" "$3" <<'PY'
import socket, sys
family = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET
s = socket.socket(family, socket.SOCK_DGRAM)
s.settimeout(1)
s.sendto(b"probe", (sys.argv[1], int(sys.argv[2])))
try:
    sys.stdout.write(s.recv(4096).decode(errors="replace"))
except OSError:
    pass
PY
}

# Forged floods (bench-capture sends one SYN to IP_A:31337 from each of N spoofed sources
# 11.0.0.0 + i, from NS_B).
# flood_conf TABLE [LINE...]: config lines for a daemon in table TABLE that watches TCP 31337 and
# bans a source on its first probe for 10 minutes, with this test's paths; then each LINE.
flood_conf() {
    local table=$1; shift
    printf '%s\n' 'TCP_PORTS="31337"' 'BLOCK_TCP="1"' 'BLOCK_UDP="0"' 'SCAN_TRIGGER="0"' 'BAN_TIME="10m"' \
        "NFT_TABLE=\"$table\"" "$@"
    test_paths_conf
}
# send_flood SOURCES RATE: the SYNs of SOURCES spoofed sources, RATE per second.
send_flood() {
    local sender=$BIN_DIR/bench-capture
    [ -x "$sender" ] || fail "bench-capture is not built ($sender)"
    in_a "$sender" --send-only --sender-ns "$NS_B" --sender-if "$IF_B" --target "$IP_A" --port 31337 \
        --packets "$1" --rate "$2" >"$WORK/sender.out" || fail "bench-capture failed"
}
# set_elements TABLE SET: how many elements set SET of `inet TABLE` holds in NS_A.
set_elements() {
    local json
    json=$(in_a nft -j list set inet "$1" "$2") || return 1
    python3 -c 'import json,sys; print(sum(len(o["set"].get("elem", [])) for o in json.load(sys.stdin)["nftables"] if "set" in o))' <<<"$json"
}
