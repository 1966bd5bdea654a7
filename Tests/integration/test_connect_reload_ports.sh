#!/usr/bin/env bash
# SIGHUP with a new TCP_PORTS: the sentry is replaced (old port released, new port watched),
# counters survive; a busy port in the new list is reported and skipped, as at start-up.
. "$(dirname "$0")/lib.sh"
make_pair
write_conf() {
    cat > "$WORK/portsentry.conf" <<CONF
TCP_PORTS="$1"
BLOCK_TCP="0"
SCAN_TRIGGER="2"
CONF
test_paths_conf >> "$WORK/portsentry.conf"
}
listening() { [[ "$(ip netns exec "$NS_A" ss -Hltn "sport = :$1")" == *LISTEN* ]]; }
write_conf 11
start_daemon daemon "$WORK/portsentry.conf" --connect
OUT=$WORK/daemon.out
tcp_probe "$NS_B" "$IP_A" 11 >/dev/null
wait_lines 30 "$WORK/history" 1

write_conf 12
kill -HUP "$DAEMON_PID"
wait_for 30 grep -q "Configuration reloaded" "$OUT"
wait_for 30 listening 12
listening 11 && fail "port 11 still bound after the reload"
assert_line "$OUT" "Listen on AF_INET6: TCP port: 12"
tcp_probe "$NS_B" "$IP_A" 12 >/dev/null
wait_lines 30 "$WORK/history" 2
# The second event of the source triggers: the count from before the reload was kept.
assert_line "$OUT" "Scan from: [$IP_B] ($IP_B) protocol: [TCP] port: [12] type: [Connect] IP opts: [unknown] ignored: [false] triggered: [true] noblock: [true] blocked: [false]"

# A busy port in the new list: reported and skipped, as at start-up; the reload still applies.
start_tcp_listener busy 13
write_conf "13,14"
kill -HUP "$DAEMON_PID"
wait_for 30 grep -q "Could not bind TCP port 13: Address already in use, skipping" "$WORK/daemon.err"
wait_for 30 listening 14
assert_eq "$(grep -c "Configuration reloaded" "$OUT")" 2 "second reload accepted"
listening 12 && fail "port 12 still bound after the second reload"
stop_pid "$DAEMON_PID" || fail "daemon exit status $?"
note "ok"
