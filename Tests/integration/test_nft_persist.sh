#!/usr/bin/env bash
# Bans outlive the daemon and the ruleset: a restart keeps the ban and its remaining time; an
# `nft flush ruleset` while running is repaired within a second or two; deleting the state file
# loses nothing the kernel holds (it is written again); after a flush while the daemon is down
# (as after a reboot) the state file brings the ban back with its remaining time.
. "$(dirname "$0")/lib.sh"
make_pair
TABLE="psnft$TEST_NUM"
STATE="$WORK/state/bans.state"
cat > "$WORK/portsentry.conf" <<CONF
TCP_PORTS="11"
UDP_PORTS="7"
BLOCK_TCP="1"
BLOCK_UDP="1"
SCAN_TRIGGER="0"
BLOCK_BACKEND="nftables"
BAN_TIME="10m"
NFT_TABLE="$TABLE"
HISTORY_FILE="$WORK/history"
BLOCKED_FILE="$WORK/blocked"
CONTROL_SOCKET="$WORK/control.sock"
STATE_FILE="$STATE"
CONF

# in_set: IP_B is in the set (output captured first: grep -q closing the pipe early would fail
# nft with SIGPIPE under pipefail).
in_set() { local out; out=$(in_a nft list set inet "$TABLE" banned_v4 2>/dev/null) && grep -qw -- "$IP_B" <<<"$out"; }
seconds_left() { ban_seconds_left "$TABLE" "$IP_B"; }
state_has_b() { grep -q "^$IP_B	" "$STATE" 2>/dev/null; }

start_daemon daemon "$WORK/portsentry.conf" --stealth -m raw
in_b nmap -n -Pn --max-retries 0 -sS -p 11 "$IP_A" >"$WORK/nmap.out" 2>&1 || fail "nmap failed"
wait_for 5 in_set
wait_for 5 state_has_b

note "restart keeps the ban and its remaining time"
stop_pid "$DAEMON_PID" || fail "daemon exit status $?"
in_set || fail "stopping the daemon removed the ban"
start_daemon daemon2 "$WORK/portsentry.conf" --stealth -m raw
in_set || fail "ban lost over the restart"
left=$(seconds_left)
[ "$left" -gt 500 ] && [ "$left" -le 600 ] || fail "remaining time after restart: ${left}s"

note "nft flush ruleset while running is repaired"
in_a nft flush ruleset
wait_for 3 in_set
chain=$(in_a nft list chain inet "$TABLE" prerouting) || fail "chain not restored"
[[ $chain == *"hook prerouting priority raw"* ]] || fail "chain not restored: $chain"
left=$(seconds_left)
[ "$left" -gt 500 ] && [ "$left" -le 600 ] || fail "remaining time after repair: ${left}s"

note "a deleted state file is written again from what the kernel holds"
rm -f "$STATE"
wait_for 5 state_has_b
in_set || fail "deleting the state file lost the ban"

note "after a flush while stopped (reboot), the state file restores the ban"
stop_pid "$DAEMON_PID" || fail "daemon exit status $?"
in_a nft flush ruleset
start_daemon daemon3 "$WORK/portsentry.conf" --stealth -m raw
in_set || fail "ban not restored from the state file"
left=$(seconds_left)
[ "$left" -gt 500 ] && [ "$left" -le 600 ] || fail "remaining time after restore: ${left}s"
stop_pid "$DAEMON_PID" || fail "daemon exit status $?"
note "ok"
