# Helpers for the firewall-coexistence tests (source after lib.sh): portsentry's table beside
# tables that other firewall managers (firewalld, ufw/iptables-nft, Docker, nftables.service)
# put in the same namespace. Everything happens in the test's own namespaces.

COEX_TABLE="pscx$TEST_NUM"
# A second address of the scanner's namespace that is never banned: the control group.
IP_B2="10.$_X.$_Y.3"

# coexist_setup: make_pair plus IP_B2 on the scanner's side, and a TCP service on port 2222 in
# NS_A that holds its connections.
coexist_setup() {
    make_pair
    ip -n "$NS_B" addr add "$IP_B2/24" dev "$IF_B"
    start_tcp_listener web 2222
}

# write_coexist_config FILE HOOK: a daemon config with the test's paths and table, NFT_HOOK=HOOK.
write_coexist_config() {
    { nft_test_conf "$COEX_TABLE" "NFT_HOOK=\"$2\""; test_paths_conf; } >"$1"
}

# connects_from SOURCE HOST PORT: a TCP connection from NS_B, bound to SOURCE, to HOST:PORT is
# established within 1.5 s.
connects_from() {
    in_b python3 - "$1" "$2" "$3" <<'PY' 2>/dev/null
import socket, sys
s = socket.create_connection((sys.argv[2], int(sys.argv[3])), timeout=1.5, source_address=(sys.argv[1], 0))
PY
}
blocked_from() { ! connects_from "$@"; }

# coex_in_set ADDRESS: ADDRESS is an element of the test table's IPv4 set in NS_A.
coex_in_set() {
    local out; out=$(in_a nft list set inet "$COEX_TABLE" banned_v4 2>/dev/null) && grep -qw -- "$1" <<<"$out"
}

# coex_dropped: packets counted by the table's IPv4 drop counter.
coex_dropped() {
    in_a nft -j list counter inet "$COEX_TABLE" dropped_v4 \
        | python3 -c 'import json,sys; print([o["counter"]["packets"] for o in json.load(sys.stdin)["nftables"] if "counter" in o][0])'
}

# ban_by_scan TARGET: a SYN probe from IP_B to watched port 11 of TARGET; waits for the ban.
ban_by_scan() {
    in_b nmap -n -Pn --max-retries 0 -sS -p 11 "$1" >>"$WORK/nmap.out" 2>&1 || fail "nmap failed"
    wait_for 5 coex_in_set "$IP_B"
}

# assert_dropped_not_others TARGET PORT WHAT: IP_B (banned) cannot reach TARGET:PORT and the
# drop counter rises; IP_B2 (not banned) can.
assert_dropped_not_others() {
    local target=$1 port=$2 what=$3 before after
    before=$(coex_dropped)
    blocked_from "$IP_B" "$target" "$port" || fail "$what: banned $IP_B reached $target:$port"
    after=$(coex_dropped)
    [ "$after" -gt "$before" ] || fail "$what: drop counter did not rise ($before -> $after)"
    connects_from "$IP_B2" "$target" "$port" || fail "$what: $IP_B2 (not banned) cannot reach $target:$port"
    note "$what: $IP_B dropped (dropped_v4 $before -> $after), $IP_B2 passes"
}
