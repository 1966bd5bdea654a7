#!/usr/bin/env bash
# Enforcement is never silently off: each change someone else makes to the daemon's table while
# it runs — a flushed chain (the drop chain, then the kernel trap's UDP chain), a flushed table,
# a flushed set, a deleted element, a replaced rule, a flushed prefix set (banned_v6_64, the
# default IPV6_BAN_PREFIX) — is logged once and repaired: a banned source's traffic is dropped
# again within a second, and the ban keeps its remaining time. The traffic is TCP connections to a service on an unwatched port,
# which no kernel trap rule bans.
. "$(dirname "$0")/lib.sh"
make_pair
TABLE="psdrift$TEST_NUM"
cat > "$WORK/portsentry.conf" <<CONF
TCP_PORTS="11"
UDP_PORTS="7"
BLOCK_TCP="1"
BLOCK_UDP="1"
SCAN_TRIGGER="0"
BAN_TIME="10m"
NFT_TABLE="$TABLE"
CONF
test_paths_conf >> "$WORK/portsentry.conf"
DRIFT_LINE="nftables table inet $TABLE was changed behind portsentry's back"

# dropped: a TCP connection from the scanner to the service gets no answer within 0.3 s.
dropped() {
    ! in_b python3 -c 'import socket, sys; socket.create_connection((sys.argv[1], 8080), timeout=0.3)' "$IP_A" 2> /dev/null
}
# dropped_within_1s [CHECK]: polls CHECK (default `dropped`) until one second after the call.
dropped_within_1s() {
    local check=${1:-dropped} deadline=$(( $(date +%s%N) + 1000000000 ))
    until "$check"; do
        [ "$(date +%s%N)" -lt "$deadline" ] || return 1
        sleep 0.05
    done
}
in_set() { local out; out=$(in_a nft list set inet "$TABLE" banned_v4 2>/dev/null) && grep -qw -- "$IP_B" <<<"$out"; }
seconds_left() { ban_seconds_left "$TABLE" banned_v4 "$IP_B"; }
drift_lines() { count_lines "$WORK/daemon.err" "$DRIFT_LINE"; }
# expect_repair N WHAT: the N-th drift line appears (saying WHAT), the ban holds its time left.
expect_repair() {
    wait_for 5 sh -c "[ \$(grep -cF \"$DRIFT_LINE\" '$WORK/daemon.err') -ge $1 ]"
    grep -F "$DRIFT_LINE" "$WORK/daemon.err" | sed -n "$1p" | grep -F -- "$2" > /dev/null || fail "drift line $1 does not say '$2': $(grep -F "$DRIFT_LINE" "$WORK/daemon.err" | sed -n "$1p")"
    in_set || fail "the ban of $IP_B is not back"
    local left; left=$(seconds_left)
    [ "$left" -gt 500 ] && [ "$left" -le 600 ] || fail "remaining time after the repair: ${left}s"
}

start_tcp_listener service 8080
start_daemon daemon "$WORK/portsentry.conf" --stealth
grep -q "Kernel ban: on for TCP and UDP" "$WORK/daemon.out" || fail "the kernel trap is not on"
! dropped || fail "the service does not answer before any ban"
"$PORTSENTRY_CTL" -c "$WORK/portsentry.conf" block "$IP_B" > /dev/null || fail "block failed"
dropped || fail "the banned $IP_B still reaches the service"

note "flush chain prerouting"
in_a nft flush chain inet "$TABLE" prerouting
dropped_within_1s || fail "traffic not dropped again within 1 s of a flushed chain"
expect_repair 1 "chain prerouting has 0 of its"

note "flush chain prerouting_ct (the kernel trap's UDP chain)"
in_a nft flush chain inet "$TABLE" prerouting_ct
expect_repair 2 "chain prerouting_ct has 0 of its"
wait_for 2 sh -c "ip netns exec $NS_A nft list chain inet $TABLE prerouting_ct | grep 'add @trapped_v4' > /dev/null"

note "flush table"
in_a nft flush table inet "$TABLE"
dropped_within_1s || fail "traffic not dropped again within 1 s of a flushed table"
expect_repair 3 "chain prerouting has 0 of its"

note "flush set"
in_a nft flush set inet "$TABLE" banned_v4
dropped_within_1s || fail "traffic not dropped again within 1 s of a flushed set"
expect_repair 4 "1 of 1 bans missing from set banned_v4"

note "delete element"
in_a nft delete element inet "$TABLE" banned_v4 "{ $IP_B }"
dropped_within_1s || fail "traffic not dropped again within 1 s of a deleted element"
expect_repair 5 "1 of 1 bans missing from set banned_v4"

note "replaced rule"
handle=$(in_a nft -a list chain inet "$TABLE" prerouting | sed -n 's/.*ip saddr @banned_v4 .* drop # handle \([0-9]*\)$/\1/p')
[ -n "$handle" ] || fail "no handle for the drop rule"
in_a nft replace rule inet "$TABLE" prerouting handle "$handle" ip saddr @banned_v4 accept
dropped_within_1s || fail "traffic not dropped again within 1 s of a replaced rule"
expect_repair 6 "chain prerouting has 1 changed rule"

note "flush prefix set banned_v6_64"
# S6 is in a /64 of its own, not NS_A's; NS_A reaches it on the link.
P6="fd01:$_X:$(( _Y + 1 ))::"; S6="${P6}a"
ip -n "$NS_B" -6 addr add "$S6/64" dev "$IF_B" nodad
ip -n "$NS_A" -6 route add "$P6/64" dev "$IF_A"
reaches_from_s6() {
    in_b python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
s.settimeout(0.3); s.bind((sys.argv[1], 0)); s.connect((sys.argv[2], 8080))' "$S6" "$IP6_A" 2> /dev/null
}
s6_dropped() { ! reaches_from_s6; }
prefix_in_set() { local out; out=$(in_a nft list set inet "$TABLE" banned_v6_64 2>/dev/null) && grep -qw -- "$P6" <<<"$out"; }
wait_for 5 reaches_from_s6
"$PORTSENTRY_CTL" -c "$WORK/portsentry.conf" block "$P6/64" > /dev/null || fail "block of $P6/64 failed"
prefix_in_set || fail "$P6/64 is not in set banned_v6_64"
s6_dropped || fail "$S6, inside the banned $P6/64, still reaches the service"
in_a nft flush set inet "$TABLE" banned_v6_64
dropped_within_1s s6_dropped || fail "traffic from $S6 not dropped again within 1 s of a flushed prefix set"
wait_for 5 sh -c "[ \$(grep -cF \"$DRIFT_LINE\" '$WORK/daemon.err') -ge 7 ]"
grep -F "$DRIFT_LINE" "$WORK/daemon.err" | sed -n 7p | grep -F -- "1 of 1 bans missing from set banned_v6_64" > /dev/null \
    || fail "drift line 7 does not name the prefix set: $(grep -F "$DRIFT_LINE" "$WORK/daemon.err" | sed -n 7p)"
prefix_in_set || fail "$P6/64 is not back in set banned_v6_64"
left=$(ban_seconds_left "$TABLE" banned_v6_64 "$P6")
[ "$left" -gt 500 ] && [ "$left" -le 600 ] || fail "remaining time of $P6/64 after the repair: ${left}s"

# Each drift was logged once, and nothing else was taken for one.
[ "$(drift_lines)" -eq 7 ] || fail "$(drift_lines) drift lines for 7 drifts: $(grep -F "$DRIFT_LINE" "$WORK/daemon.err")"
stop_pid "$DAEMON_PID" || fail "daemon exit status $?"
note "ok"
