#!/usr/bin/env bash
# The control socket under abuse while bans keep flowing: 1,000 silent connections (reopened
# as the daemon closes them), a client that trickles a request without ever ending its line, a
# client that asks for the ban list and never reads, and a burst of 1,000 well-behaved clients
# at once, all during a stream of forged probes from 300 sources. Every forged source is banned
# by the daemon (KERNEL_BAN="0": the userspace path, the one that shares the process),
# `portsentry-ctl status` answers throughout (its slowest answer is printed), the burst is
# answered in full, and once the abusers are gone the daemon holds no more descriptors than before.
. "$(dirname "$0")/lib.sh"
make_pair
TABLE="psab$TEST_NUM"
SOURCES=300
{ nft_test_conf "$TABLE" 'KERNEL_BAN="0"'; test_paths_conf; } >"$WORK/portsentry.conf"
SOCKET="$WORK/control.sock"

start_daemon daemon "$WORK/portsentry.conf" --stealth -m raw
# One probe first: the daemon opens its service-check and conntrack netlink sockets on the first
# one and keeps them, so the descriptor baseline is taken after it.
forge_probes 198.19.0.1 1
warm() { local out; out=$(in_a nft list set inet "$TABLE" banned_v4) && grep -q 198.19.0.1 <<<"$out"; }
wait_for 5 warm
fds() { ls "/proc/$DAEMON_PID/fd" | wc -l; }
fds_before=$(fds)

cat >"$WORK/abuse.py" <<'PY'
"""Abusive clients of a control socket until ABUSE_SECONDS pass: SILENT connections that never
send (reopened when the daemon closes them), one that trickles bytes without a newline, one that
asks for the ban list and never reads."""
import os, socket, sys, time
path, seconds, count = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
def connect():
    while True:
        s = socket.socket(socket.AF_UNIX)
        s.setblocking(False)
        try:
            s.connect(path)
            return s
        except BlockingIOError:  # backlog full
            s.close(); time.sleep(0.001)
def closed(s):
    try:
        return s.recv(4096) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True
silent = [connect() for _ in range(count)]
trickler = connect()
reader = connect(); reader.send(b'{"v":1,"cmd":"list"}\n')
print("holding", flush=True)
reopened = 0
end = time.time() + seconds
while time.time() < end:
    try:
        trickler.send(b" ")
    except OSError:
        trickler = connect()
    for i, s in enumerate(silent):
        if closed(s):
            s.close(); silent[i] = connect(); reopened += 1
    time.sleep(0.1)
print(f"reopened {reopened} silent connections the daemon closed", flush=True)
PY
start_bg abuse python3 "$WORK/abuse.py" "$SOCKET" 30 1000
ABUSE_PID=$LAST_PID
wait_for 20 grep -q holding "$WORK/abuse.out"
note "1,000 silent connections, a trickler and a non-reader are connected"

# The forged probes: $SOURCES sources from 198.18.0.1 on, one SYN each to port 11, ~100/s.
start_bg forge forge_probes 198.18.0.1 "$SOURCES" 0.01
FORGE_PID=$LAST_PID

# A burst of 1,000 well-behaved clients at once: each sends status; all answers are read.
burst() {
    python3 - "$SOCKET" <<'PY'
import json, selectors, socket, sys, time
path = sys.argv[1]
sel, pending = selectors.DefaultSelector(), []
for _ in range(1000):
    s = socket.socket(socket.AF_UNIX)
    while True:
        try:
            s.setblocking(False); s.connect(path); break
        except BlockingIOError:
            time.sleep(0.001)
    s.send(b'{"v":1,"cmd":"status"}\n')
    sel.register(s, selectors.EVENT_READ, bytearray())
ok, deadline = 0, time.time() + 60
while sel.get_map() and time.time() < deadline:
    for key, _ in sel.select(1):
        chunk = key.fileobj.recv(65536)
        key.data.extend(chunk)
        if not chunk or b"\n" in key.data:
            if key.data and json.loads(key.data.split(b"\n")[0]).get("ok"):
                ok += 1
            sel.unregister(key.fileobj); key.fileobj.close()
print(ok)
PY
}

slowest=0
status_once() {
    local start elapsed
    start=$(date +%s%N)
    in_a "$PORTSENTRY_CTL" --socket "$SOCKET" status >"$WORK/status.out" 2>&1 || fail "status failed under abuse: $(cat "$WORK/status.out")"
    elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
    [ "$elapsed" -le "$slowest" ] || slowest=$elapsed
}
banned_count() { in_a nft list set inet "$TABLE" banned_v4 | grep -o '198\.18\.[0-9]*\.[0-9]*' | sort -u | wc -l; }
all_banned() { [ "$(banned_count)" -eq "$SOURCES" ]; }

answered=$(burst)
[ "$answered" -eq 1000 ] || fail "burst of 1,000 clients: $answered answered"
note "a burst of 1,000 clients at once: all answered"
while kill -0 "$FORGE_PID" 2>/dev/null; do status_once; sleep 0.2; done
wait "$FORGE_PID" || fail "forging probes failed"
wait_for 10 all_banned
status_once
note "all $SOURCES forged sources banned while abused; slowest portsentry-ctl status: ${slowest} ms"

kill -TERM "$ABUSE_PID"; wait "$ABUSE_PID" 2>/dev/null || true
no_fd_growth() { [ "$(fds)" -le "$fds_before" ]; }
wait_for 15 no_fd_growth
note "descriptors: $fds_before before, $(fds) after the abusers left"
grep -q "closed .* idle connection(s) to make room" "$WORK/daemon.err" || fail "no eviction warning"
[ "$(count_lines "$WORK/daemon.err" "idle connection(s) to make room")" -le 2 ] || fail "eviction warning not rate-limited"
stop_pid "$DAEMON_PID" || fail "daemon exit status $?"
note "ok"
