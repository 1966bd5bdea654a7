#!/usr/bin/env bash
# Advanced stealth mode (legacy -atcp): every TCP port up to ADVANCED_PORTS_TCP is watched except
# ADVANCED_EXCLUDE_TCP and ports with a listener (the latter even with -S, then without the
# service line); TCP_PORTS is not used.
. "$(dirname "$0")/lib.sh"
make_pair
cat > "$WORK/portsentry.conf" <<CONF
TCP_PORTS="40000"
UDP_PORTS="7"
ADVANCED_PORTS_TCP="2000"
ADVANCED_EXCLUDE_TCP="113,139"
BLOCK_TCP="0"
BLOCK_UDP="0"
SCAN_TRIGGER="0"
HISTORY_FILE="$WORK/history"
CONTROL_SOCKET="$WORK/control.sock"
STATE_FILE="$WORK/bans.state"
CONF
start_bg listener in_a python3 -c '
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.bind(("0.0.0.0", 1500)); s.listen(8)
time.sleep(300)'
wait_for 10 sh -c "ip netns exec $NS_A ss -Hltn 'sport = :1500' | grep -q 1500"
line() {
    echo "Scan from: [$IP_B] ($IP_B) protocol: [TCP] port: [$1] type: [TCP SYN/Normal scan] IP opts: [not set] ignored: [false] triggered: [true] noblock: [true] blocked: [false]"
}
for flags in "" "-S"; do
    name="daemon${flags:+-S}"
    : > "$WORK/history"
    start_daemon "$name" "$WORK/portsentry.conf" -atcp $flags
    OUT=$WORK/$name.out
    # Unwatched first: excluded ports, the listener's port, above the limit, the TCP_PORTS entry.
    in_b nmap -n -Pn --max-retries 0 -sS -p 113,139,1500,2001,40000 "$IP_A" >>"$WORK/nmap.out" 2>&1 || fail "nmap failed"
    in_b nmap -n -Pn --max-retries 0 -sS -p 1,112,2000 "$IP_A" >>"$WORK/nmap.out" 2>&1 || fail "nmap failed"
    wait_lines 10 "$WORK/history" 3
    for p in 1 112 2000; do assert_line "$OUT" "$(line $p)"; done
    assert_eq "$(count_lines "$OUT" "Scan from:")" 3 "[$name] only the three watched ports"
    service="Ignoring packet from $IP_B to destination port 1500, a service is running"
    if [ -z "$flags" ]; then assert_line "$OUT" "$service"; else assert_no_line "$OUT" "$service"; fi
    stop_pid "$DAEMON_PID" || fail "[$name] daemon exit status $?"
    note "$name ok"
done
