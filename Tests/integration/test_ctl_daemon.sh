#!/usr/bin/env bash
# portsentry-ctl against a running daemon: a scan is listed with its trigger, unblock lets the
# scanner back in and clears BLOCKED_FILE, a new scan bans again, timed bans expire, flush,
# reload with a good and a broken config, status, a non-root user, and the daemon stopped.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ctl_lib.sh"

start_ctl_daemon
scanner_connects() { in_b timeout 2 bash -c "echo > /dev/tcp/$IP_A/2222" 2>/dev/null; }
not_in_blocked_file() { ! blocked_file_has "$1"; }
not_listed() { ctl list && ! grep -q "^$1 " "$WORK/ctl.out"; }

in_a "$PORTSENTRY_CTL" -c "$CTL_CONF" status >"$WORK/ctl.out" || fail "status with -c before the command failed"
grep -q "portsentry is running" "$WORK/ctl.out" || fail "status: $(cat "$WORK/ctl.out")"
grep -q "backend:     nftables" "$WORK/ctl.out" || fail "status does not name the backend"

start_bg listener ip netns exec "$NS_A" python3 -m http.server 2222 --bind "$IP_A"
wait_for 5 scanner_connects

note "a scan is listed with its trigger"
probe 11
wait_for 10 listed "$IP_B"
grep -q "^$IP_B .*TCP/11 TCP SYN/Normal scan" "$WORK/ctl.out" || fail "list lacks the trigger: $(cat "$WORK/ctl.out")"
wait_for 5 blocked_file_has "$IP_B"
! scanner_connects || fail "banned scanner could connect"

note "unblock lets the scanner back in and clears BLOCKED_FILE"
expect_ctl 0 unblock "$IP_B"
grep -qx "$IP_B: unblocked" "$WORK/ctl.out" || fail "unblock: $(cat "$WORK/ctl.out")"
! in_set "$IP_B" || fail "$IP_B still in the kernel set"
wait_for 5 not_in_blocked_file "$IP_B"
scanner_connects || fail "scanner cannot connect after unblock"
expect_ctl 1 unblock "$IP_B"
grep -qx "$IP_B: not banned" "$WORK/ctl.out" || fail "second unblock: $(cat "$WORK/ctl.out")"

note "a new scan bans it again"
probe 15
wait_for 10 listed "$IP_B"
grep -q "^$IP_B .*TCP/15 TCP SYN/Normal scan" "$WORK/ctl.out" || fail "re-ban lacks the new trigger: $(cat "$WORK/ctl.out")"

note "a timed manual ban expires"
expect_ctl 0 block 198.51.100.7 --for 2s --reason "short"
expect_ctl 0 list
grep -q "^198.51.100.7 .*manual: short" "$WORK/ctl.out" || fail "manual ban not listed: $(cat "$WORK/ctl.out")"
wait_for 5 blocked_file_has 198.51.100.7
wait_for 10 not_listed 198.51.100.7

note "refusals go through the daemon too"
expect_ctl 1 block 192.0.2.50
grep -q "is in the ignore file" "$WORK/ctl.out" || fail "ignored address not refused"
expect_ctl 1 block "$IP_A"
grep -q "is protected (local address)" "$WORK/ctl.out" || fail "local address not refused"
# A local address is protected (PROTECT_AUTO): --force does not override that.
expect_ctl 1 block "$IP_A" --force
grep -q "not even with --force" "$WORK/ctl.out" || fail "--force overrode the protection of a local address"

note "flush"
expect_ctl 0 block 203.0.113.9
expect_ctl 0 flush --yes </dev/null
grep -qx "flushed 2 bans" "$WORK/ctl.out" || fail "flush: $(cat "$WORK/ctl.out")"
expect_ctl 0 list
grep -qx "no active bans" "$WORK/ctl.out" || fail "bans left after flush"
scanner_connects || fail "scanner cannot connect after flush"

note "reload with a good and a broken config"
expect_ctl 0 reload
grep -q "^reloaded" "$WORK/ctl.out" || fail "reload: $(cat "$WORK/ctl.out")"
cp "$CTL_CONF" "$WORK/good.conf"
echo 'SCAN_TRIGER="2"' >>"$CTL_CONF"
expect_ctl 1 reload
grep -q "new config rejected" "$WORK/ctl.err" || fail "rejected reload not reported: $(cat "$WORK/ctl.err")"
grep -q "SCAN_TRIGER" "$WORK/ctl.err" || fail "rejected reload does not say why"
cp "$WORK/good.conf" "$CTL_CONF"
expect_ctl 0 status

note "a user who is not root is refused"
chmod 755 "$WORK"
chmod 644 "$CTL_CONF"
CTL_RC=0
in_a setpriv --reuid=65534 --regid=65534 --clear-groups "$PORTSENTRY_CTL" status -c "$CTL_CONF" >"$WORK/ctl.out" 2>"$WORK/ctl.err" || CTL_RC=$?
assert_eq "$CTL_RC" 4 "exit status of status as nobody"
grep -q "permission denied" "$WORK/ctl.err" || fail "no permission message: $(cat "$WORK/ctl.err")"

note "with the daemon stopped, bans stay and ctl works on the set"
expect_ctl 0 block 203.0.113.10
stop_pid "$DAEMON_PID"
[ ! -e "$CTL_SOCKET" ] || fail "socket file left behind"
expect_ctl 3 status
expect_ctl 3 reload
expect_ctl 0 list
grep -q "^203.0.113.10 " "$WORK/ctl.out" || fail "ban lost when the daemon stopped"
grep -q "acting on nftables set directly" "$WORK/ctl.err" || fail "offline mode not announced"
expect_ctl 0 unblock 203.0.113.10
! in_set 203.0.113.10 || fail "offline unblock left the element"
note "ok"
