#!/usr/bin/env bash
# Forged-flood alarm: 600 spoofed sources (11.0.0.0 + i, from bench-capture in NS_B) send one SYN
# each in a 0.3 s burst to a stealth-mode daemon with BAN_RATE_ALARM=299. Exactly one alarm line
# is logged, naming the busiest /24 among the bans that crossed the rate (11.0.0.0/24: 256 of the
# first 300), and every source is still banned (no cap by default).
. "$(dirname "$0")/lib.sh"
make_pair
TABLE="psflood$TEST_NUM"
SOURCES=600
flood_conf "$TABLE" 'BAN_RATE_ALARM="299"' > "$WORK/portsentry.conf"
start_daemon daemon "$WORK/portsentry.conf" --stealth -i "$IF_A"
OUT=$WORK/daemon.out
ERR=$WORK/daemon.err   # warnings

send_flood "$SOURCES" 2000
banned() { [ "$(count_lines "$OUT" "has been blocked via nftables set inet $TABLE banned_v4")" -ge "$SOURCES" ]; }
wait_for 30 banned
elements=$(set_elements "$TABLE" banned_v4)
assert_eq "$elements" "$SOURCES" "sources in the ban set"
assert_no_line "$OUT" "Not blocking"
assert_eq "$(count_lines "$OUT" "Ban rate alarm")" 0 "alarm lines on stdout"
assert_eq "$(count_lines "$ERR" "Ban rate alarm")" 1 "alarm lines"
ALARM=$(grep -F "Ban rate alarm" "$ERR")
grep -q "^attackalert: Ban rate alarm: 300 new bans within [0-9]* ms (about [0-9]*/s, BAN_RATE_ALARM=299); busiest /24 11.0.0.0/24 (256), busiest /48 none\. " <<<"$ALARM" \
    || fail "the alarm line does not name 11.0.0.0/24 with 256 of 300 bans: $ALARM"
stop_pid "$DAEMON_PID" || fail "daemon exit status $?"
note "ok: $ALARM"
