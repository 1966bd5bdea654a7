#!/usr/bin/env bash
# The shipped watch list (packaging/etc/portsentry.conf, docs/watch-list.md): (a) its TCP_PORTS /
# UDP_PORTS hold none of the ports a legitimate client tries by itself and none in the ephemeral
# range 32768-60999; (b) with those lists, in stealth mode on the nftables backend, a client
# that tries web, mail, DNS, DNS over TLS, NTP, SSH, mDNS, QUIC and the rest of those ports
# (IPv6, then IPv4; nothing serves them) is never reported or banned; (c) one connection to a
# watched port (telnet, 23) from the same client is reported and banned.
. "$(dirname "$0")/lib.sh"
SHIPPED=$ROOT/packaging/etc/portsentry.conf
# The ports a legitimate client tries by itself (docs/watch-list.md, "Never watched"); the
# first ones in the order a client tries them.
LEGIT_TCP="80 443 8080 8443 25 465 587 110 995 143 993 53 853 22 81 88 113 389 464 631 636 3268 3269 5353 5666 8000 8008 8081 8888 9100 10050"
LEGIT_UDP="53 123 5353 443 853 67 68 88 137 138 162 389 464 514 520 546 547 631 5351 5355"

# shipped KEY: the value of the uncommented KEY line of the shipped config, ranges expanded,
# one port a line.
shipped() {
    local value item
    value=$(sed -n "s/^$1=\"\\(.*\\)\"\$/\\1/p" "$SHIPPED")
    [ -n "$value" ] || fail "no uncommented $1 line in $SHIPPED"
    for item in ${value//,/ }; do
        if [[ $item == *-* ]]; then seq "${item%-*}" "${item#*-}"; else echo "$item"; fi
    done
}

# (a) the shipped lists themselves.
shipped TCP_PORTS > "$WORK/tcp"
shipped UDP_PORTS > "$WORK/udp"
for port in $LEGIT_TCP; do ! grep -qx "$port" "$WORK/tcp" || fail "shipped TCP_PORTS watches $port, a legitimate client's port"; done
for port in $LEGIT_UDP; do ! grep -qx "$port" "$WORK/udp" || fail "shipped UDP_PORTS watches $port, a legitimate client's port"; done
for f in tcp udp; do
    awk '$1 >= 32768 && $1 <= 60999 { bad = bad " " $1 } END { if (bad) { print bad; exit 1 } }' "$WORK/$f" \
        || fail "shipped $f list has ports in 32768-60999"
done
grep -qx 23 "$WORK/tcp" || fail "shipped TCP_PORTS does not watch 23 (the probe of part (c))"
note "shipped lists: $(wc -l < "$WORK/tcp") TCP and $(wc -l < "$WORK/udp") UDP ports, no client port"

# (b) a legitimate client against a daemon watching the shipped lists.
make_pair
TABLE=ps_wl_$TEST_NUM
{
    grep -E '^(TCP|UDP)_PORTS=' "$SHIPPED"
    cat <<CONF
BLOCK_TCP="1"
BLOCK_UDP="1"
SCAN_TRIGGER="0"
BAN_TIME="10m"
BLOCK_BACKEND="nftables"
NFT_TABLE="$TABLE"
CONF
    test_paths_conf
} > "$WORK/portsentry.conf"
start_daemon daemon "$WORK/portsentry.conf" --stealth
OUT=$WORK/daemon.out

# client HOST: in the client's namespace, a TCP connection attempt to every LEGIT_TCP port and
# a datagram to every LEGIT_UDP port of HOST (nothing listens: refused, or no answer).
client() {
    in_b python3 - "$1" "$LEGIT_TCP" "$LEGIT_UDP" <<'PY'
import socket, sys
host, tcp, udp = sys.argv[1], sys.argv[2].split(), sys.argv[3].split()
family = socket.AF_INET6 if ":" in host else socket.AF_INET
for port in tcp:
    try:
        socket.create_connection((host, int(port)), timeout=1).close()
    except OSError:
        pass
for port in udp:
    s = socket.socket(family, socket.SOCK_DGRAM)
    s.sendto(b"client", (host, int(port)))
    s.close()
PY
}
client "$IP6_A" || fail "the IPv6 client failed"
client "$IP_A" || fail "the IPv4 client failed"
# set_has SET ADDRESS: the address is in that set of the daemon's table.
set_has() { local out; out=$(in_a nft list set inet "$TABLE" "$1") && grep -qw -- "$2" <<<"$out"; }
sleep 1
! set_has banned_v4 "$IP_B" || fail "the client ($IP_B) was banned for legitimate ports"
! set_has banned_v6 "$IP6_B" || fail "the client ($IP6_B) was banned for legitimate ports"

# (c) one connection to telnet from the same client: reported and banned. Packets are handled in
# the order they were captured, so once this one is reported every earlier one has been.
in_b python3 -c '
import socket, sys
try:
    socket.create_connection((sys.argv[1], 23), timeout=1).close()
except OSError:
    pass' "$IP_A"
wait_for 10 grep -qF "Scan from: [$IP_B] ($IP_B) protocol: [TCP] port: [23] type: [TCP SYN/Normal scan]" "$OUT"
wait_for 10 set_has banned_v4 "$IP_B"
scans=$(grep -F "Scan from:" "$OUT" || true)
[ "$(grep -c . <<<"$scans")" -eq 1 ] || fail "reports other than the telnet probe: $scans"
[[ $scans == *"blocked: [true]"* ]] || fail "the telnet probe was not blocked: $scans"
! set_has banned_v6 "$IP6_B" || fail "the client's IPv6 address was banned"
stop_pid "$DAEMON_PID" || fail "daemon exit status $?"
note "ok"
