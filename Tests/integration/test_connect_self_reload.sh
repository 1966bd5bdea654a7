#!/usr/bin/env bash
# Connect mode: a port in use is skipped; self traffic (and -L); debug lines; SIGHUP reload
# keeps counters and rejects a broken config; SIGTERM ends with the shutdown line and status 0.
. "$(dirname "$0")/lib.sh"
make_pair
# Something already listens on TCP port 12 in the daemon's namespace.
start_tcp_listener busy 12
cat > "$WORK/portsentry.conf" <<CONF
TCP_PORTS="11,12"
BLOCK_TCP="0"
SCAN_TRIGGER="2"
CONF
test_paths_conf >> "$WORK/portsentry.conf"
start_daemon daemon "$WORK/portsentry.conf" --connect -d
OUT=$WORK/daemon.out
assert_line "$OUT" "Listen on AF_INET6: TCP port: 11"
assert_no_line "$OUT" "Listen on AF_INET6: TCP port: 12"
grep -q "port 12" "$WORK/daemon.err" || fail "no message for the busy port"

# Self traffic: the host connects to its own address. First event counts, second is self traffic.
tcp_probe "$NS_A" "$IP_A" 11 >/dev/null
tcp_probe "$NS_A" "$IP_A" 11 >/dev/null
wait_lines 30 "$WORK/history" 2
assert_line "$OUT" "debug: Source address $IP_A same as destination address $IP_A, skipping"
assert_line "$OUT" "Scan from: [$IP_A] ($IP_A) protocol: [TCP] port: [11] type: [Connect] IP opts: [unknown] ignored: [true] triggered: [true] noblock: [true] blocked: [false]"

# Reload with BLOCK_TCP=1 and a KILL_RUN_CMD: the scanner's first event before reload still counts.
tcp_probe "$NS_B" "$IP_A" 11 >/dev/null
wait_lines 30 "$WORK/history" 3
cat >> "$WORK/portsentry.conf" <<CONF
BLOCK_TCP="2"
KILL_RUN_CMD="echo \$TARGET\$ >> $WORK/ran"
CONF
kill -HUP "$DAEMON_PID"
wait_for 30 grep -q "Configuration reloaded" "$OUT"
tcp_probe "$NS_B" "$IP_A" 11 >/dev/null
wait_lines 30 "$WORK/history" 4
assert_eq "$(cat "$WORK/ran")" "$IP_B" "KILL_RUN_CMD after reload"
assert_line "$OUT" "Scan from: [$IP_B] ($IP_B) protocol: [TCP] port: [11] type: [Connect] IP opts: [unknown] ignored: [false] triggered: [true] noblock: [false] blocked: [true]"

# A broken config on reload: logged, the old one keeps running.
echo 'SCAN_TRIGER="1"' >> "$WORK/portsentry.conf"
bad_line=$(wc -l < "$WORK/portsentry.conf")
kill -HUP "$DAEMON_PID"
wait_for 30 grep -q "Reload failed, keeping the running configuration: $WORK/portsentry.conf:$bad_line: unknown key \"SCAN_TRIGER\"; did you mean \"SCAN_TRIGGER\"?" "$WORK/daemon.err"
kill -0 "$DAEMON_PID" || fail "daemon died on a bad reload"

stop_pid "$DAEMON_PID" || fail "daemon exit status $?"
assert_eq "$(tail -n 1 "$OUT")" "Portsentry is shutting down" "last line"
note "ok"
