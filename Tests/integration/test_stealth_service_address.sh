#!/usr/bin/env bash
# The service check's address rule (portsentry 2.0.4): a socket bound to one address serves that
# address only, so a probe to another address of the host on that port still counts; a socket on
# the wildcard address serves every address (`::` also serves IPv4). TCP and UDP, IPv4 and IPv6,
# -m pcap and -m raw; the sockets live for the whole run (the cached view) and are re-checked
# fresh (sock_diag) for every probe the cache shows as unserved.
. "$(dirname "$0")/lib.sh"
make_pair
cat > "$WORK/portsentry.conf" <<CONF
TCP_PORTS="2525,2527,2529,2531"
UDP_PORTS="2526,2528,2530"
BLOCK_TCP="0"
BLOCK_UDP="0"
SCAN_TRIGGER="0"
CONF
test_paths_conf >> "$WORK/portsentry.conf"
# Loopback-only services on 2525 (TCP) and 2526 (UDP); wildcard services on 2527 (TCP, 0.0.0.0:
# IPv4 only), 2528 (UDP, 0.0.0.0), 2529 (TCP, [::] dual-stack), 2530 (UDP, [::] dual-stack).
start_bg services in_a python3 -c '
import socket, time
def bound(family, kind, address, port):
    s = socket.socket(family, kind)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if family == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.bind((address, port))
    if kind == socket.SOCK_STREAM:
        s.listen(8)
    return s
T, U, V4, V6 = socket.SOCK_STREAM, socket.SOCK_DGRAM, socket.AF_INET, socket.AF_INET6
keep = [bound(V4, T, "127.0.0.1", 2525), bound(V6, T, "::1", 2525),
        bound(V4, U, "127.0.0.1", 2526), bound(V6, U, "::1", 2526),
        bound(V4, T, "0.0.0.0", 2527), bound(V4, U, "0.0.0.0", 2528),
        bound(V6, T, "::", 2529), bound(V6, U, "::", 2530)]
print("bound", flush=True)
time.sleep(300)'
wait_for 10 grep -q bound "$WORK/services.out"

# probe ADDRESS PROTO PORT: one SYN or datagram from the scanner.
probe() {
    in_b python3 -c '
import socket, sys
address, proto, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
family = socket.AF_INET6 if ":" in address else socket.AF_INET
if proto == "tcp":
    s = socket.socket(family, socket.SOCK_STREAM); s.setblocking(False); s.connect_ex((address, port))
else:
    socket.socket(family, socket.SOCK_DGRAM).sendto(b"probe", (address, port))
' "$@"
}
reported() { grep -qF "Scan from: [$1] ($1) protocol: [$2] port: [$3] " "$OUT"; }
skipped() { has_line "$OUT" "Ignoring packet from $1 to destination port $2, a service is running"; }

for method in pcap raw; do
    start_daemon "daemon-$method" "$WORK/portsentry.conf" --stealth -m "$method"
    OUT=$WORK/daemon-$method.out
    for pair in "$IP_B $IP_A" "$IP6_B $IP6_A"; do
        set -- $pair; src=$1 dst=$2
        for p in "tcp 2525" "udp 2526" "tcp 2527" "udp 2528" "tcp 2529" "udp 2530"; do probe "$dst" $p; done
        # The marker: no socket on 2531 at all; once it is reported, every probe before it was handled.
        deadline=$(( $(date +%s) + 10 ))
        until reported "$src" TCP 2531; do
            [ "$(date +%s)" -lt "$deadline" ] || fail "[$method] marker probe from $src not reported"
            probe "$dst" tcp 2531
            sleep 0.05
        done
        reported "$src" TCP 2525 || fail "[$method] $dst:2525/tcp (served on loopback only) not reported"
        reported "$src" UDP 2526 || fail "[$method] $dst:2526/udp (served on loopback only) not reported"
        for port in 2529 2530; do skipped "$src" "$port" || fail "[$method] $dst:$port ([::] service) not skipped"; done
    done
    # 0.0.0.0 serves every IPv4 address and no IPv6 address.
    for port in 2527 2528; do skipped "$IP_B" "$port" || fail "[$method] $IP_A:$port (0.0.0.0 service) not skipped"; done
    reported "$IP6_B" TCP 2527 || fail "[$method] $IP6_A:2527/tcp (served on 0.0.0.0 only) not reported"
    reported "$IP6_B" UDP 2528 || fail "[$method] $IP6_A:2528/udp (served on 0.0.0.0 only) not reported"
    assert_eq "$(grep "^Scan from: " "$OUT" | grep -vc "port: \[2531\]")" 6 "[$method] scan lines besides the markers: 2525 and 2526 twice, 2527 and 2528 over IPv6"
    stop_pid "$DAEMON_PID" || fail "[$method] daemon exit status $?"
    note "$method ok"
done
