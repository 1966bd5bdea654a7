#!/usr/bin/env bash
# Stealth mode with blocking on the nftables backend: the first SYN of an IPv4 and an IPv6 scanner
# bans them (blocked: [true]), the blocked file grows by 6 and 18 bytes, the hosts are in the set.
. "$(dirname "$0")/lib.sh"
make_pair
cat > "$WORK/portsentry.conf" <<CONF
TCP_PORTS="11,15"
UDP_PORTS="7"
BLOCK_TCP="1"
BLOCK_UDP="1"
SCAN_TRIGGER="0"
BAN_TIME="10m"
NFT_TABLE="ps_stealth_$TEST_NUM"
CONF
test_paths_conf >> "$WORK/portsentry.conf"
start_daemon daemon "$WORK/portsentry.conf" --stealth -m raw
OUT=$WORK/daemon.out
in_b nmap -n -Pn --max-retries 0 -sS -p 11 "$IP_A" >"$WORK/nmap.out" 2>&1 || fail "nmap failed"
wait_for 10 has_line "$OUT" "Scan from: [$IP_B] ($IP_B) protocol: [TCP] port: [11] type: [TCP SYN/Normal scan] IP opts: [not set] ignored: [false] triggered: [true] noblock: [false] blocked: [true]"
wait_for 30 has_size "$WORK/blocked" 6
in_b nmap -6 -n -Pn --max-retries 0 -sF -p 15 "$IP6_A" >>"$WORK/nmap.out" 2>&1 || fail "nmap -6 failed"
wait_for 10 has_line "$OUT" "Scan from: [$IP6_B] ($IP6_B) protocol: [TCP] port: [15] type: [TCP FIN scan] IP opts: [unknown] ignored: [false] triggered: [true] noblock: [false] blocked: [true]"
wait_for 30 has_size "$WORK/blocked" 24
wait_for 10 sh -c "ip netns exec $NS_A nft list table inet ps_stealth_$TEST_NUM | grep -q '$IP_B'"
wait_for 10 sh -c "ip netns exec $NS_A nft list table inet ps_stealth_$TEST_NUM | grep -q '$IP6_B'"
stop_pid "$DAEMON_PID" || fail "daemon exit status $?"
note "ok"
