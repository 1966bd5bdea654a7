#!/usr/bin/env bash
# Connect mode on large ranges up to 65535 (15,537 sockets while the shell's soft limit is 1024):
# the descriptor soft limit is raised to the hard one, every port is bound, probes are seen;
# with more ports than descriptors, the daemon says so once and keeps running.
. "$(dirname "$0")/lib.sh"
make_pair
cat > "$WORK/portsentry.conf" <<CONF
TCP_PORTS="40000-50000"
UDP_PORTS="60000-65535"
BLOCK_TCP="0"
BLOCK_UDP="0"
CONF
test_paths_conf >> "$WORK/portsentry.conf"
# A modest soft limit, as a shell would give; the daemon raises it to the hard limit.
start_bg daemon ip netns exec "$NS_A" prlimit --nofile=1024:20000 "$PORTSENTRY" -c "$WORK/portsentry.conf" --connect
DAEMON_PID=$LAST_PID
wait_for 60 grep -q "Portsentry is now active and listening." "$WORK/daemon.out"
OUT=$WORK/daemon.out
assert_eq "$(grep -c '^Listen on AF_INET6: TCP port: ' "$OUT")" 10001 "TCP sockets"
assert_eq "$(grep -c '^Listen on AF_INET6: UDP port: ' "$OUT")" 5536 "UDP sockets"
tcp_probe "$NS_B" "$IP_A" 40000 >/dev/null
udp_probe "$NS_B" "$IP6_A" 65535 >/dev/null
wait_lines 30 "$WORK/history" 2
assert_line "$OUT" "Scan from: [$IP_B] ($IP_B) protocol: [TCP] port: [40000] type: [Connect] IP opts: [unknown] ignored: [false] triggered: [true] noblock: [true] blocked: [false]"
assert_line "$OUT" "Scan from: [$IP6_B] ($IP6_B) protocol: [UDP] port: [65535] type: [Connect] IP opts: [unknown] ignored: [false] triggered: [true] noblock: [true] blocked: [false]"
stop_pid "$DAEMON_PID" || fail "daemon exit status $?"

# More ports than descriptors: one clear message, the rest is watched.
start_bg small ip netns exec "$NS_A" prlimit --nofile=300:300 "$PORTSENTRY" -c "$WORK/portsentry.conf" --connect
wait_for 60 grep -q "Portsentry is now active and listening." "$WORK/small.out"
assert_eq "$(grep -c "Out of file descriptors after" "$WORK/small.err")" 1 "one message for the descriptor limit"
grep -q "TCP port 4[0-9]* and the ports after it are not watched; raise the limit" "$WORK/small.err" || fail "limit message"
# The ports that fit are really watched (descriptors were left for epoll and the control socket).
tcp_probe "$NS_B" "$IP_A" 40000 >/dev/null || true
wait_for 10 grep -q "protocol: \[TCP\] port: \[40000\]" "$WORK/small.out"
assert_no_line "$WORK/small.err" "Capture stopped"
assert_no_line "$WORK/small.err" "Control socket unavailable"
stop_pid "$LAST_PID" || fail "daemon exit status $?"
note "ok"
