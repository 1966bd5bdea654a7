#!/usr/bin/env bash
# nftables enforcement end to end: a SYN scan from NS_B puts the scanner into the set, with the
# ban line in the log; its next packets are dropped (the named counter rises, a TCP connect to an
# open port times out); after BAN_TIME it can connect again and leaves the blocked file. IPv4
# and IPv6.
. "$(dirname "$0")/lib.sh"
make_pair
TABLE="psnft$TEST_NUM"
cat > "$WORK/portsentry.conf" <<CONF
TCP_PORTS="11,15"
UDP_PORTS="7"
BLOCK_TCP="1"
BLOCK_UDP="1"
SCAN_TRIGGER="0"
BLOCK_BACKEND="nftables"
BAN_TIME="4s"
NFT_TABLE="$TABLE"
CONF
test_paths_conf >> "$WORK/portsentry.conf"

# in_set ADDRESS: ADDRESS is an element of our IPv4 or IPv6 set in NS_A.
in_set() {
    local set=banned_v4 out; case $1 in *:*) set=banned_v6 ;; esac
    out=$(in_a nft list set inet "$TABLE" "$set") && grep -qw -- "$1" <<<"$out"
}
not_in_set() { ! in_set "$1"; }
# dropped FAMILY: packets counted by the named drop counter (v4|v6).
dropped() { in_a nft -j list counter inet "$TABLE" "dropped_$1" | python3 -c 'import json,sys; print([o["counter"]["packets"] for o in json.load(sys.stdin)["nftables"] if "counter" in o][0])'; }
# connects HOST: a TCP connection from NS_B to HOST:2222 succeeds within 1.5 s.
connects() { in_b timeout 1.5 bash -c "exec 3<>/dev/tcp/$1/2222" 2>/dev/null; }

start_bg web ip netns exec "$NS_A" python3 -m http.server 2222 --bind ::
wait_for 5 bash -c "ip netns exec $NS_A ss -ltn | grep -q ':2222 '"
start_daemon daemon "$WORK/portsentry.conf" --stealth -m raw
OUT=$WORK/daemon.out

check_family() {   # FAMILY(v4|v6) SCANNER TARGET NMAP_FLAGS... 
    local fam=$1 scanner=$2 target=$3; shift 3
    local set=banned_$fam
    connects "$target" || fail "$scanner cannot connect before the scan"
    in_b nmap -n -Pn --max-retries 0 "$@" -p 11 "$target" >>"$WORK/nmap.out" 2>&1 || fail "nmap failed"
    wait_for 5 in_set "$scanner"
    # The default KERNEL_BAN="auto" bans in the kernel, on the probe (docs/nftables.md).
    wait_for 5 grep -qxF "attackalert: Host $scanner has been blocked via nftables set inet $TABLE $set for 4s (by the kernel, on the probe's own packet)" "$OUT"
    local before; before=$(dropped "$fam")
    ! connects "$target" || fail "banned $scanner could connect"
    local after; after=$(dropped "$fam")
    [ "$after" -gt "$before" ] || fail "drop counter $fam did not rise ($before -> $after)"
    note "$scanner banned; dropped_$fam $before -> $after"
    wait_for 8 not_in_set "$scanner"
    wait_for 3 connects "$target"
    note "$scanner can connect again after BAN_TIME"
}

check_family v4 "$IP_B" "$IP_A" -sS
check_family v6 "$IP6_B" "$IP6_A" -6 -sS
# Expired bans leave BLOCKED_FILE (the daemon removes what the backend reports expired).
blocked_file_empty() { [ "$(file_size "$WORK/blocked")" -eq 0 ]; }
wait_for 5 blocked_file_empty
stop_pid "$DAEMON_PID" || fail "daemon exit status $?"
note "ok"
