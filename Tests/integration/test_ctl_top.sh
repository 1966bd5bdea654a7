#!/usr/bin/env bash
# portsentry-ctl top and stats against a running daemon: a banned scan shows in the live view
# under tmux (top sources, live bans by origin), which follows a resize and quits on q, Ctrl-C
# and SIGTERM with the terminal restored, and exits 3 when the daemon goes away; stats and
# stats --json (and top when piped) report the same once; with the daemon stopped they exit 3,
# and a daemon that predates the request is named as such.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ctl_lib.sh"

command -v tmux >/dev/null || fail "tmux is missing (scripts/install-deps.sh installs it)"

start_ctl_daemon

note "a scan is banned (by the kernel: KERNEL_BAN=auto), and an address by hand"
probe 11
wait_for 10 listed "$IP_B"
expect_ctl 0 block 198.51.100.9 --reason "by hand"

# The banned scanner probes again: the drop rule counts its packets.
probe 15
dropped_v4() {
    ctl stats --json && python3 -c 'import json, sys; sys.exit(json.load(open(sys.argv[1]))["dropped"]["ipv4"]["packets"] < 1)' "$WORK/ctl.out"
}
wait_for 10 dropped_v4

note "stats, stats --json and a piped top report it once"
expect_ctl 0 stats
grep -q "^portsentry activity at " "$WORK/ctl.out" || fail "stats has no title: $(cat "$WORK/ctl.out")"
grep -qx "live bans: 2 (probe 0, kernel 1, manual 1, fleet 0, restore 0)" "$WORK/ctl.out" || fail "stats lacks the bans by origin: $(cat "$WORK/ctl.out")"
grep -q "^$IP_B  *[0-9][0-9]*$" "$WORK/ctl.out" || fail "stats lacks the scanner among the top sources: $(cat "$WORK/ctl.out")"
grep -q "^TCP/11  *[0-9][0-9]*$" "$WORK/ctl.out" || fail "stats lacks the probed port: $(cat "$WORK/ctl.out")"
expect_ctl 0 stats --json
python3 - "$WORK/ctl.out" "$IP_B" <<'PY' || fail "stats --json: $(cat "$WORK/ctl.out")"
import json, sys
r = json.load(open(sys.argv[1]))
assert len(r["probesPerMinute"]) == 60 and len(r["bansPerMinute"]) == 60, r
assert sum(r["probesPerMinute"]) >= 1 and sum(r["bansPerMinute"]) == 2, r
assert r["liveBans"] == {"probe": 0, "kernel": 1, "manual": 1, "fleet": 0, "restore": 0}, r["liveBans"]
assert r["topSources"][0]["address"] == sys.argv[2] and r["topSources"][0]["probes"] >= 1, r["topSources"]
assert {("TCP", 11), ("TCP", 15)} <= {(p["proto"], p["port"]) for p in r["topPorts"]}, r["topPorts"]
assert r["topMinutes"] == 10 and r["approximate"] is False, r
assert r["dropped"]["ipv4"]["packets"] >= 1 and r["dropped"]["ipv4"]["bytes"] >= 40, r["dropped"]
assert r["dropped"]["ipv6"] == {"packets": 0, "bytes": 0}, r["dropped"]
PY
expect_ctl 0 top
grep -q "^portsentry activity at " "$WORK/ctl.out" || fail "top into a file is not the summary: $(cat "$WORK/ctl.out")"
grep -qx "live bans: 2 (probe 0, kernel 1, manual 1, fleet 0, restore 0)" "$WORK/ctl.out" || fail "piped top: $(cat "$WORK/ctl.out")"

# A tmux server of this test's own (its socket in $WORK, so tests never share one), with one
# 100×30 window running a plain shell.
tm() { tmux -u -S "$WORK/tmux.sock" -f /dev/null "$@"; }
tm new-session -d -s top -x 100 -y 30 "env PS1='ready> ' bash --norc --noprofile -i"
_PIDS+=("$(tm display-message -p -t top '#{pid}')")   # the server: cleanup ends it
screen() { tm capture-pane -p -t top; }
shows() { screen | grep -qF -- "$1"; }
shows_line() { screen | grep -q -- "$1"; }
pane() { tm display-message -p -t top "$1"; }
restored() { [ "$(pane '#{alternate_on}')" = 0 ] && [ "$(pane '#{cursor_flag}')" = 1 ]; }
wait_for 10 shows "ready>"
tm send-keys -t top "stty -g > $WORK/stty.before" Enter
wait_for 5 test -s "$WORK/stty.before"

# start_top: clears the pane, runs top in it and waits for its first frame.
start_top() {
    tm send-keys -t top "clear; ip netns exec $NS_A $PORTSENTRY_CTL top -c $CTL_CONF; echo top-exit=\$?" Enter
    wait_for 10 shows "portsentry top at "
    [ "$(pane '#{alternate_on}')" = 1 ] || fail "top does not use the alternate screen"
    [ "$(pane '#{cursor_flag}')" = 0 ] || fail "top does not hide the cursor"
}
# quits_with CODE: top has ended with CODE, the pane's shell is back and the terminal is as before.
quits_with() {
    wait_for 10 shows "top-exit="
    shows "top-exit=$1" || fail "top exited otherwise than $1: $(screen)"
    wait_for 5 restored
    rm -f "$WORK/stty.after"
    tm send-keys -t top "stty -g > $WORK/stty.after" Enter
    wait_for 5 test -s "$WORK/stty.after"
    cmp -s "$WORK/stty.before" "$WORK/stty.after" || fail "terminal modes not restored: $(cat "$WORK/stty.before") / $(cat "$WORK/stty.after")"
}

note "top shows the scanner and the bans live, follows a resize, and q quits"
start_top
wait_for 10 shows_line "^$IP_B  *[0-9][0-9]*  "
wait_for 10 shows "live bans: 2 (probe 0, kernel 1, manual 1, fleet 0, restore 0)"
wait_for 10 shows "TCP/11"
shows_line "^dropped:   IPv4 [1-9][0-9]* packets ([0-9.]* [KM]*i*B), IPv6 0 packets (0 B)" || fail "no drop counters: $(screen)"
shows "60 min ago" || fail "no time axis on a 100-column screen: $(screen)"
tm resize-window -t top -x 40 -y 20
wait_for 10 shows "40 min ago"
screen | python3 -c 'import sys; sys.exit(any(len(l.rstrip("\n")) > 40 for l in sys.stdin))' || fail "lines wider than the resized screen: $(screen)"
tm resize-window -t top -x 100 -y 30
wait_for 10 shows "60 min ago"
note "a new probe shows up within the refresh"
before=$(screen | grep -o "probes: [0-9]* in the last hour" | grep -o "[0-9]*")
probe 79
more_probes() { now=$(screen | grep -o "probes: [0-9]* in the last hour" | grep -o "[0-9]*"); [ "${now:-0}" -gt "$before" ]; }
wait_for 10 more_probes
tm send-keys -t top q
quits_with 0

note "Ctrl-C quits"
start_top
tm send-keys -t top C-c
quits_with 0

note "SIGTERM quits"
start_top
top_pid=$(pgrep -P "$(pane '#{pane_pid}')" -x portsentry-ctl) || fail "top's pid not found"
kill -TERM "$top_pid"
quits_with 0

note "the daemon going away ends top with a message"
start_top
stop_pid "$DAEMON_PID" || fail "daemon did not stop cleanly"
quits_with 3
shows "the daemon went away" || fail "no message when the daemon went away: $(screen)"

note "with the daemon stopped, stats and top say so and exit 3"
expect_ctl 3 stats
grep -q "portsentry is not running" "$WORK/ctl.out" || fail "stats without a daemon: $(cat "$WORK/ctl.out")"
expect_ctl 3 top
grep -q "portsentry is not running" "$WORK/ctl.out" || fail "top without a daemon: $(cat "$WORK/ctl.out")"
note "a daemon older than the activity request gets a clear message"
# What a daemon of before this change answers to a command it does not know.
start_bg olddaemon python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1]); s.listen(4)
while True:
    c = s.accept()[0]
    c.recv(65536)
    c.sendall(b"{\"code\":\"bad-request\",\"error\":\"bad request: unknown command \x27activity\x27 (expected status, list, block, unblock, flush, reload, protected or explain)\",\"ok\":false,\"v\":1}\n")
    c.close()' "$WORK/old.sock"
wait_for 5 test -S "$WORK/old.sock"
expect_ctl 1 stats --socket "$WORK/old.sock"
grep -q "the running daemon is older than this portsentry-ctl and does not know 'activity'; restart it" "$WORK/ctl.err" \
    || fail "old daemon: $(cat "$WORK/ctl.err")"
note "passed"
