#!/usr/bin/env bash
# Backend choice without CAP_NET_ADMIN (docs/configuration.md "Which backend a config gets"): with BLOCK_BACKEND="nftables"
# and KILL_ROUTE set, the daemon warns and blocks with KILL_ROUTE; without KILL_ROUTE it exits
# non-zero naming the missing capability, and nothing is left in the firewall.
. "$(dirname "$0")/lib.sh"
make_pair
TABLE="psnft$TEST_NUM"

# write_conf FILE [KILL_ROUTE-line]: connect mode on TCP 11, nftables backend.
write_conf() {
    cat > "$1" <<CONF
TCP_PORTS="11"
UDP_PORTS="7"
BLOCK_TCP="1"
BLOCK_UDP="1"
SCAN_TRIGGER="0"
BLOCK_BACKEND="nftables"
NFT_TABLE="$TABLE"
${2:-}
CONF
    test_paths_conf >> "$1"
}
# NO_CAP CMD...: runs CMD in NS_A without CAP_NET_ADMIN, exec'ing all the way down, so a pid
# from start_bg is the daemon's own.
NO_CAP=(ip netns exec "$NS_A" capsh --drop=cap_net_admin -- -c 'exec "$@"' capsh)
no_table() { [[ "$(in_a nft list tables)" != *"$TABLE"* ]]; }

note "with KILL_ROUTE: warning, then KILL_ROUTE blocks"
write_conf "$WORK/route.conf" "KILL_ROUTE=\"echo \$TARGET\$ >> $WORK/route.log\""
start_bg daemon "${NO_CAP[@]}" "$PORTSENTRY" -c "$WORK/route.conf" --connect
DAEMON_PID=$LAST_PID
wait_for 20 grep -q "Portsentry is now active and listening." "$WORK/daemon.out"
grep -q "falling back to KILL_ROUTE" "$WORK/daemon.out" "$WORK/daemon.err" || fail "no fallback warning"
grep -q "CAP_NET_ADMIN" "$WORK/daemon.out" "$WORK/daemon.err" || fail "the warning does not name CAP_NET_ADMIN"
in_b timeout 2 bash -c "exec 3<>/dev/tcp/$IP_A/11" 2>/dev/null || true
route_ran() { grep -qx "$IP_B" "$WORK/route.log" 2>/dev/null; }
wait_for 5 route_ran
wait_for 5 grep -qF "attackalert: Host $IP_B has been blocked via dropped route using command: \"echo $IP_B >> $WORK/route.log\"" "$WORK/daemon.out"
no_table || fail "a table was created without CAP_NET_ADMIN"
stop_pid "$DAEMON_PID" || fail "daemon exit status $?"

note "without KILL_ROUTE: exit with the reason"
write_conf "$WORK/plain.conf"
rc=0
"${NO_CAP[@]}" "$PORTSENTRY" -c "$WORK/plain.conf" --connect >"$WORK/plain.out" 2>"$WORK/plain.err" || rc=$?
[ "$rc" -ne 0 ] || fail "daemon started without CAP_NET_ADMIN and without KILL_ROUTE"
grep -q "CAP_NET_ADMIN" "$WORK/plain.out" "$WORK/plain.err" || fail "the error does not name CAP_NET_ADMIN"
no_table || fail "a table was created without CAP_NET_ADMIN"
note "ok"
