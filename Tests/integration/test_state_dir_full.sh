#!/usr/bin/env bash
# A full disk, then a read-only state directory: HISTORY_FILE, BLOCKED_FILE and STATE_FILE (with
# its ban ledger and journal) live
# on a small tmpfs in the daemon's own mount namespace. While writes fail, every forged source
# is still banned (KERNEL_BAN="0": by the daemon), and each file's failure is logged once, not
# once per event; when space returns (and when the directory is writable again) the files are
# written again: the history says so, BLOCKED_FILE lists every blocked host again, STATE_FILE
# holds every live ban.
. "$(dirname "$0")/lib.sh"
make_pair
TABLE="psfl$TEST_NUM"
STATE=$WORK/state
mkdir -p "$STATE"
nft_test_conf "$TABLE" 'KERNEL_BAN="0"' "CONTROL_SOCKET=\"$WORK/control.sock\"" "STATE_FILE=\"$STATE/bans.state\"" \
    "HISTORY_FILE=\"$STATE/portsentry.history\"" "BLOCKED_FILE=\"$STATE/portsentry.blocked\"" >"$WORK/portsentry.conf"

# The daemon in NS_A and in a mount namespace of its own, where $STATE is a 256 KiB tmpfs.
start_bg daemon ip netns exec "$NS_A" unshare --mount --propagation private \
    sh -c 'mount -t tmpfs -o size=256k,mode=0700 portsentry-test "$0" && exec "$@"' "$STATE" \
    "$PORTSENTRY" -c "$WORK/portsentry.conf" --stealth -m raw
DAEMON_PID=$LAST_PID
wait_for 20 grep -q "Portsentry is now active and listening." "$WORK/daemon.out"
# in_mnt CMD...: CMD in the daemon's mount namespace (the only one that sees the tmpfs).
in_mnt() { nsenter --mount="/proc/$DAEMON_PID/ns/mnt" -- "$@"; }

# probe_sources FIRST COUNT: one forged SYN to port 11 from each of 198.18.0.FIRST.. (COUNT).
probe_sources() { forge_probes "198.18.0.$1" "$2"; }
banned_count() { local out; out=$(in_a nft list set inet "$TABLE" banned_v4) && grep -o '198\.18\.0\.[0-9]*' <<<"$out" | sort -u | wc -l; }
banned() { [ "$(banned_count)" -eq "$1" ]; }
state_lists() { [ "$(in_mnt grep -c '^198\.18\.0\.' "$STATE/bans.state")" -eq "$1" ]; }
blocked_lists() {
    in_mnt python3 -c 'import sys; d = open(sys.argv[1], "rb").read(); print(len(d) // 6)' "$STATE/portsentry.blocked" \
        | { read -r n; [ "$n" -eq "$1" ]; }
}
logged() { [ "$(count_lines "$WORK/daemon.err" "$1")" -eq "$2" ]; }
logged_out() { [ "$(count_lines "$WORK/daemon.out" "$1")" -eq "$2" ]; }
history_file="history file $STATE/portsentry.history"
blocked_file="blocked file $STATE/portsentry.blocked"

probe_sources 1 1
wait_for 5 banned 1
wait_for 5 state_lists 1

note "full disk: every source is still banned, each failure logged once"
in_mnt dd if=/dev/zero of="$STATE/filler" bs=4k 2>/dev/null && fail "the tmpfs did not fill up"
probe_sources 2 40
wait_for 10 banned 41
wait_for 5 logged "Unable to write $history_file: No space left on device" 1
wait_for 5 grep -q "state file.*No space left on device" "$WORK/daemon.err"
sleep_until_quiet() { local n; n=$(wc -l <"$WORK/daemon.err"); sleep 1.5; [ "$(wc -l <"$WORK/daemon.err")" -eq "$n" ]; }
wait_for 10 sleep_until_quiet
errors=$(grep -c "No space left on device" "$WORK/daemon.err")
[ "$errors" -le 5 ] || fail "$errors error lines for a full disk (history, blocked file, state file, ban ledger, journal: once each): $(cat "$WORK/daemon.err")"
note "41 bans, $errors error lines"

note "space returns: the files are written again"
in_mnt rm -f "$STATE/filler"
probe_sources 42 5
wait_for 10 banned 46
wait_for 5 logged_out "$history_file is written again" 1
wait_for 5 state_lists 46
wait_for 5 blocked_lists 46
in_mnt grep -q "Scan from: \[198.18.0.46\]" "$STATE/portsentry.history" || fail "history not written after recovery"

note "read-only state directory: still banning, each failure logged once"
in_mnt mount -o remount,ro "$STATE"
probe_sources 47 20
wait_for 10 banned 66
wait_for 5 logged "Unable to write $history_file: Read-only file system" 1
wait_for 5 logged "Unable to write $blocked_file: Read-only file system" 1
wait_for 5 grep -q "state file.*Read-only file system" "$WORK/daemon.err"
wait_for 5 logged "Unable to write ban ledger $STATE/bans.state.ledger: Read-only file system" 1
wait_for 5 logged "Unable to write ban journal $STATE/bans.state.journal: Read-only file system" 1
wait_for 10 sleep_until_quiet
errors=$(grep -c "Read-only file system" "$WORK/daemon.err")
[ "$errors" -eq 5 ] || fail "$errors error lines for a read-only directory, want 5 (history, blocked file, state file, ban ledger, journal): $(cat "$WORK/daemon.err")"

note "writable again: every ban is recorded"
in_mnt mount -o remount,rw "$STATE"
probe_sources 67 3
wait_for 10 banned 69
wait_for 5 logged_out "$history_file is written again" 2
wait_for 5 logged_out "$blocked_file is written again" 1
wait_for 5 state_lists 69
wait_for 5 blocked_lists 69
stop_pid "$DAEMON_PID" || fail "daemon exit status $?"
note "ok"
