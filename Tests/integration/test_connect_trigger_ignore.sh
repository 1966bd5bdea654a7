#!/usr/bin/env bash
# Connect mode: SCAN_TRIGGER counting (TCP and UDP together), log-only mode, the ignore file
# (with -v), nmap -sT and -sU from another namespace, IPv4 and IPv6.
. "$(dirname "$0")/lib.sh"
make_pair
printf '# scanners we trust\n%s/32  # the IPv4 side\r\n' "$IP_B" > "$WORK/ignore"
cat > "$WORK/portsentry.conf" <<CONF
TCP_PORTS="11,15,1024-1030"
UDP_PORTS="7,9"
BLOCK_TCP="0"
BLOCK_UDP="0"
SCAN_TRIGGER="3"
IGNORE_FILE="$WORK/ignore"
CONF
test_paths_conf >> "$WORK/portsentry.conf"
start_daemon daemon "$WORK/portsentry.conf" --connect -v
OUT=$WORK/daemon.out
assert_line "$OUT" "Listen on AF_INET6: TCP port: 1030"

# The ignored IPv4 source: verbose line, ignored, nothing else decided.
tcp_probe "$NS_B" "$IP_A" 11 >/dev/null
wait_lines 30 "$WORK/history" 1
assert_line "$OUT" "Host: $IP_B found in ignore file $WORK/ignore, aborting actions"
assert_line "$OUT" "Scan from: [$IP_B] ($IP_B) protocol: [TCP] port: [11] type: [Connect] IP opts: [unknown] ignored: [true] triggered: [unset] noblock: [unset] blocked: [unset]"

# The IPv6 source: events 1 and 2 do not trigger (TCP and UDP counted together), 3 does.
tcp_probe "$NS_B" "$IP6_A" 15 >/dev/null
wait_lines 30 "$WORK/history" 2
udp_probe "$NS_B" "$IP6_A" 9 >/dev/null
wait_lines 30 "$WORK/history" 3
tcp_probe "$NS_B" "$IP6_A" 11 >/dev/null
wait_lines 30 "$WORK/history" 4
assert_line "$OUT" "Scan from: [$IP6_B] ($IP6_B) protocol: [TCP] port: [15] type: [Connect] IP opts: [unknown] ignored: [false] triggered: [false] noblock: [unset] blocked: [unset]"
assert_line "$OUT" "Scan from: [$IP6_B] ($IP6_B) protocol: [UDP] port: [9] type: [Connect] IP opts: [unknown] ignored: [false] triggered: [false] noblock: [unset] blocked: [unset]"
assert_line "$OUT" "Scan from: [$IP6_B] ($IP6_B) protocol: [TCP] port: [11] type: [Connect] IP opts: [unknown] ignored: [false] triggered: [true] noblock: [true] blocked: [false]"
assert_eq "$(file_size "$WORK/blocked")" 0 "log-only mode blocks nobody"

# nmap connect and UDP scans over IPv6 (bounded: 3 TCP ports, 2 UDP ports, no retries).
in_b nmap -6 -n -Pn -sT -p 1024-1026 --max-retries 0 "$IP6_A" >"$WORK/nmap-t.out" 2>&1 || fail "nmap -sT failed"
wait_lines 30 "$WORK/history" 7
for p in 1024 1025 1026; do
    assert_line "$OUT" "Scan from: [$IP6_B] ($IP6_B) protocol: [TCP] port: [$p] type: [Connect] IP opts: [unknown] ignored: [false] triggered: [true] noblock: [true] blocked: [false]"
done
in_b nmap -6 -n -Pn -sU -p 7,9 --max-retries 0 "$IP6_A" >"$WORK/nmap-u.out" 2>&1 || fail "nmap -sU failed"
wait_for 30 grep -qF "Scan from: [$IP6_B] ($IP6_B) protocol: [UDP] port: [7] type: [Connect]" "$OUT"
assert_eq "$(grep -c "ignored: \[true\]" "$WORK/history")" 1 "only the ignored source is ignored"
note "ok"
