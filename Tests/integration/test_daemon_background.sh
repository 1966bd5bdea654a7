#!/usr/bin/env bash
# -D: the command returns at once with status 0 and the daemon keeps running in the background
# (new session, syslog output), still detecting; SIGTERM ends it.
. "$(dirname "$0")/lib.sh"
make_pair
cat > "$WORK/portsentry.conf" <<CONF
TCP_PORTS="11"
BLOCK_TCP="0"
CONF
test_paths_conf >> "$WORK/portsentry.conf"
ip netns exec "$NS_A" "$PORTSENTRY" -c "$WORK/portsentry.conf" --connect -D >"$WORK/fg.out" 2>&1 || fail "-D exited with $?"
# The background daemon is the one process running with this test's unique config path.
wait_for 30 pgrep -f -- "-c $WORK/portsentry.conf --connect -l syslog"
bg=$(pgrep -f -- "-c $WORK/portsentry.conf --connect -l syslog")
_PIDS+=("$bg")
assert_eq "$(ps -o sid= -p "$bg" | tr -d ' ')" "$bg" "the daemon leads its own session"
wait_for 30 sh -c "ip netns exec $NS_A ss -Hltn | grep -q ':11 '"
tcp_probe "$NS_B" "$IP_A" 11 >/dev/null
wait_lines 30 "$WORK/history" 1
grep -qF "Scan from: [$IP_B] ($IP_B) protocol: [TCP] port: [11] type: [Connect]" "$WORK/history" || fail "history line"
kill -TERM "$bg"
wait_for 5 sh -c "! kill -0 $bg 2>/dev/null"
note "ok"
