#!/usr/bin/env bash
# Docker's published ports: NS_A forwards IP_A:8080 through a `nat prerouting dnat` rule and a
# bridge to a service in a third, container-like namespace (NS_C), with Docker-style ip nat and
# ip filter FORWARD tables. A banned source is dropped on the way to the container with
# NFT_HOOK="prerouting" (the default); a source that is not banned gets through. With
# NFT_HOOK="input" the forwarded traffic never passes the input hook: the ban does not reach it
# (docs/nftables.md, "Docker and other forwarded traffic"), which this test pins down too.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/coexist_lib.sh"
coexist_setup

NS_C="psc$TEST_NUM"
BR="pbr$TEST_NUM"
IP_BR="172.$(( 16 + TEST_NUM % 16 )).$(( TEST_NUM % 250 )).1"
IP_C="${IP_BR%.1}.2"
ip netns add "$NS_C"; _NETNS+=("$NS_C")
ip -n "$NS_A" link add "$BR" type bridge
ip link add "vc$TEST_NUM" netns "$NS_A" type veth peer name "vd$TEST_NUM" netns "$NS_C"
ip -n "$NS_A" link set "vc$TEST_NUM" master "$BR"
ip -n "$NS_A" addr add "$IP_BR/24" dev "$BR"
ip -n "$NS_C" addr add "$IP_C/24" dev "vd$TEST_NUM"
for l in "$BR" "vc$TEST_NUM"; do ip -n "$NS_A" link set "$l" up; done
ip -n "$NS_C" link set lo up
ip -n "$NS_C" link set "vd$TEST_NUM" up
ip -n "$NS_C" route add default via "$IP_BR"
in_a sysctl -qw net.ipv4.ip_forward=1

# The container's service on port 80.
start_bg container ip netns exec "$NS_C" python3 -c '
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 80)); s.listen(16)
held = []
while True:
    held.append(s.accept()[0])'
wait_for 10 sh -c "ip netns exec $NS_C ss -Hltn 'sport = :80' | grep -q ':80'"

# What `docker run -p 8080:80` leaves in the ruleset (iptables-nft), reduced to its effect.
cat >"$WORK/docker.nft" <<NFT
table ip nat {
    chain PREROUTING { type nat hook prerouting priority dstnat; policy accept; fib daddr type local jump DOCKER; }
    chain POSTROUTING { type nat hook postrouting priority srcnat; policy accept; ip saddr $IP_C/24 oifname != "$BR" masquerade; }
    chain DOCKER { iifname != "$BR" tcp dport 8080 dnat to $IP_C:80; }
}
table ip filter {
    chain FORWARD {
        type filter hook forward priority filter; policy drop;
        oifname "$BR" ct state established,related accept
        iifname "$BR" oifname != "$BR" accept
        ip daddr $IP_C iifname != "$BR" oifname "$BR" tcp dport 80 accept
    }
}
NFT
in_a nft -f "$WORK/docker.nft"
connects_from "$IP_B" "$IP_A" 8080 || fail "the published port does not work before any ban"
connects_from "$IP_B2" "$IP_A" 8080 || fail "the published port does not work for $IP_B2"

note "NFT_HOOK=prerouting: the ban covers the published port"
write_coexist_config "$WORK/prerouting.conf" prerouting
start_daemon daemon-prerouting "$WORK/prerouting.conf" --stealth -m raw
ban_by_scan "$IP_A"
assert_dropped_not_others "$IP_A" 8080 "NFT_HOOK=prerouting, DNAT to $IP_C:80"
stop_pid "$DAEMON_PID" || fail "daemon exit status $?"
in_a nft delete table inet "$COEX_TABLE"
rm -f "$WORK/bans.state"

note "NFT_HOOK=input: forwarded traffic does not pass the input hook"
write_coexist_config "$WORK/input.conf" input
start_daemon daemon-input "$WORK/input.conf" --stealth -m raw
ban_by_scan "$IP_A"
blocked_from "$IP_B" "$IP_A" 2222 || fail "NFT_HOOK=input: banned $IP_B reached the host's own service"
connects_from "$IP_B" "$IP_A" 8080 \
    || fail "NFT_HOOK=input now drops forwarded traffic too: update docs/nftables.md and this test"
note "NFT_HOOK=input: $IP_B dropped on the host's own port, reaches the published port (documented)"
stop_pid "$DAEMON_PID" || fail "daemon exit status $?"
note "ok"
