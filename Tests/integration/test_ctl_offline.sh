#!/usr/bin/env bash
# portsentry-ctl with the daemon stopped: status/reload say so; list, block, unblock and flush act
# on the nftables set and state file directly; bad input and non-root users get clear errors.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ctl_lib.sh"

make_pair
write_ctl_config "$WORK/portsentry.conf"

expect_ctl 3 status
grep -q "portsentry is not running" "$WORK/ctl.out" || fail "status does not say not running"
expect_ctl 3 reload
grep -q "daemon not running" "$WORK/ctl.err" || fail "reload does not say why it failed"

note "block acts on the set directly"
expect_ctl 0 block "$IP_B" --reason "offline test"
grep -q "daemon not running; acting on nftables set directly" "$WORK/ctl.err" || fail "offline mode not announced"
in_set "$IP_B" || fail "$IP_B not in the kernel set"
grep -q "^$IP_B" "$CTL_STATE" || fail "$IP_B not in the state file"
blocked_file_has "$IP_B" || fail "$IP_B not in BLOCKED_FILE"
expect_ctl 0 list
grep -q "^$IP_B .*manual: offline test" "$WORK/ctl.out" || fail "list does not show the manual ban: $(cat "$WORK/ctl.out")"
expect_ctl 0 list --json
python3 -c "import json,sys; b=json.load(open(sys.argv[1])); assert b[0]['address']=='$IP_B' and b[0]['reason']=='offline test', b" "$WORK/ctl.out" \
    || fail "list --json is not the expected JSON"

note "the scanner is blocked, then let through after unblock"
start_bg listener ip netns exec "$NS_A" python3 -m http.server 2222 --bind "$IP_A"
wait_for 5 bash -c "ip netns exec $NS_A ss -ltn | grep ':2222 ' >/dev/null"
! in_b timeout 2 bash -c "echo > /dev/tcp/$IP_A/2222" 2>/dev/null || fail "banned scanner could connect"
expect_ctl 1 unblock "$IP_B" 192.0.2.99
grep -qx "$IP_B: unblocked" "$WORK/ctl.out" || fail "unblock did not report $IP_B"
grep -qx "192.0.2.99: not banned" "$WORK/ctl.out" || fail "unblock did not report the address that was not banned"
! in_set "$IP_B" || fail "$IP_B still in the kernel set"
! grep -q "^$IP_B" "$CTL_STATE" || fail "$IP_B still in the state file"
! blocked_file_has "$IP_B" || fail "$IP_B still in BLOCKED_FILE"
in_b timeout 2 bash -c "echo > /dev/tcp/$IP_A/2222" || fail "scanner cannot connect after unblock"

note "a timed ban expires"
expect_ctl 0 block "$IP6_B" --for 2s
in_set "$IP6_B" || fail "$IP6_B not in the kernel set"
wait_for 10 bash -c "! ip netns exec $NS_A nft list set inet $CTL_TABLE banned_v6 | grep -w $IP6_B >/dev/null"
expect_ctl 0 list
assert_no_line "$WORK/ctl.out" "$IP6_B"

note "ignored addresses need --force; local addresses are protected"
expect_ctl 1 block 192.0.2.50
grep -q "is in the ignore file" "$WORK/ctl.out" || fail "ignored address not refused: $(cat "$WORK/ctl.out")"
expect_ctl 1 block "$IP_A"
grep -q "is protected (local address)" "$WORK/ctl.out" || fail "local address not refused"
# A local address is protected (PROTECT_AUTO): --force does not override that.
expect_ctl 1 block "$IP_A" --force
grep -q "not even with --force" "$WORK/ctl.out" || fail "--force overrode the protection of a local address"
! in_set "$IP_A" || fail "a refused address reached the set"
expect_ctl 0 block 192.0.2.50 --force

note "flush"
expect_ctl 0 block 198.51.100.0/30
expect_ctl 0 flush --yes </dev/null
# The /30 is one element of banned_v4_30 (a prefix ban), so two bans.
grep -qx "flushed 2 bans" "$WORK/ctl.out" || fail "flush: $(cat "$WORK/ctl.out")"
expect_ctl 0 list
grep -qx "no active bans" "$WORK/ctl.out" || fail "bans left after flush"

note "bad input"
expect_ctl 64 block not-an-address
grep -q "bad address 'not-an-address'" "$WORK/ctl.err" || fail "bad address message"
expect_ctl 64 block 10.0.0.1 --for 5 minutes
expect_ctl 64 block 10.0.0.1 --for 5x
grep -q "is not a duration" "$WORK/ctl.err" || fail "bad duration message"
expect_ctl 64 unblock 10.0.0.1/8
grep -q "did you mean 10.0.0.0/8" "$WORK/ctl.err" || fail "host bits message"

note "a daemon that does not answer"
start_bg mute python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(4)
conns = []
while True:
    conns.append(s.accept()[0])
' "$WORK/mute.sock"
wait_for 5 test -S "$WORK/mute.sock"
expect_ctl 5 status --socket "$WORK/mute.sock" --timeout 1
grep -q "did not answer" "$WORK/ctl.err" || fail "no timeout message: $(cat "$WORK/ctl.err")"

note "a legacy KILL_ROUTE config is not touched"
sed 's/^BLOCK_BACKEND=.*/BLOCK_BACKEND="auto"/' "$CTL_CONF" >"$WORK/legacy.conf"
echo 'KILL_ROUTE="/bin/true $TARGET$"' >>"$WORK/legacy.conf"
CTL_RC=0
in_a "$PORTSENTRY_CTL" block 203.0.113.5 -c "$WORK/legacy.conf" >"$WORK/ctl.out" 2>"$WORK/ctl.err" || CTL_RC=$?
assert_eq "$CTL_RC" 1 "exit status of an offline block with a legacy config"
grep -q "KILL_ROUTE" "$WORK/ctl.err" || fail "legacy refusal not explained: $(cat "$WORK/ctl.err")"
! in_set 203.0.113.5 || fail "a legacy config got an nftables ban"

note "a user who is not root is refused"
chmod 755 "$WORK"
chmod 644 "$CTL_CONF"
CTL_RC=0
in_a setpriv --reuid=65534 --regid=65534 --clear-groups "$PORTSENTRY_CTL" list -c "$CTL_CONF" >"$WORK/ctl.out" 2>"$WORK/ctl.err" || CTL_RC=$?
assert_eq "$CTL_RC" 4 "exit status of list as nobody"
grep -q "CAP_NET_ADMIN" "$WORK/ctl.err" || fail "no permission message: $(cat "$WORK/ctl.err")"
note "ok"
