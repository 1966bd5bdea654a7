#!/usr/bin/env bash
# Under systemd (JOURNAL_STREAM names the daemon's own output stream) every line starts with its
# syslog priority, so `journalctl -p warning` works: <5> for the classic lines, <4> warnings,
# <6> verbose; with the variable naming another stream (output redirected), lines are unchanged.
. "$(dirname "$0")/lib.sh"
make_pair
cat > "$WORK/portsentry.conf" <<CONF
TCP_PORTS="11"
UDP_PORTS="7"
SCAN_TRIGGER="0"
BLOCK_BACKEND="nftables"
NFT_TABLE="psjournal$TEST_NUM"
CONTROL_SOCKET="$WORK/control.sock"
STATE_FILE="$WORK/bans.state"
PROTECT_AUTO="0"
CONF
# run NAME JOURNAL_STREAM: the daemon with stdout and stderr in $WORK/NAME.log.
run() {
    : >"$WORK/$1.log"
    local stream=$2
    [ "$stream" = self ] && stream=$(stat -c '%d:%i' "$WORK/$1.log")
    ip netns exec "$NS_A" env JOURNAL_STREAM="$stream" "$PORTSENTRY" -c "$WORK/portsentry.conf" --stealth -m raw -v \
        >>"$WORK/$1.log" 2>&1 &
    LAST_PID=$!; _PIDS+=("$LAST_PID")
    wait_for 20 grep -q "Portsentry is now active and listening." "$WORK/$1.log"
}

note "the journal gets each line's priority"
run journal self
in_b nmap -n -Pn --max-retries 0 -sS -p 11 "$IP_A" >/dev/null 2>&1 || fail "nmap failed"
wait_for 5 grep -q "^<5>Scan from: \[$IP_B\]" "$WORK/journal.log"
grep -q "^<5>Portsentry is now active and listening.$" "$WORK/journal.log" || fail "active line: $(cat "$WORK/journal.log")"
grep -q "^<4>PROTECT_AUTO=\"0\"" "$WORK/journal.log" || fail "warning without <4>: $(cat "$WORK/journal.log")"
grep -q "^<6>" "$WORK/journal.log" || fail "no verbose line with <6>: $(cat "$WORK/journal.log")"
! grep -v '^<[3-7]>' "$WORK/journal.log" | grep . || fail "a line without its priority"
stop_pid "$LAST_PID" || fail "daemon exit status $?"

note "redirected elsewhere, the lines stay as portsentry 2.x wrote them"
: >"$WORK/other"
run plain "$(stat -c '%d:%i' "$WORK/other")"
grep -q "^Portsentry is now active and listening.$" "$WORK/plain.log" || fail "plain: $(cat "$WORK/plain.log")"
! grep -q '^<[0-9]>' "$WORK/plain.log" || fail "priority prefix outside the journal"
stop_pid "$LAST_PID" || fail "daemon exit status $?"
note "ok"
