#!/usr/bin/env bash
# Stealth mode and the host's own short-lived client sockets on watched ports (the ephemeral
# range): a resolver's answer, 5 ms after the query, to a UDP socket that lives only for the
# exchange is "a service is running", never a probe — five exchanges, IPv4 and IPv6, connected
# and unconnected, wildcard and specific, dual-stack with IPv4-mapped peers; and the SYN-ACK of
# an outgoing TCP connection from a watched port never counts. -m pcap and -m raw.
# Each client socket lives from its query until the daemon has logged its verdict on the answer
# (milliseconds, far below the once-a-second listener view): the check must look at packet time.
. "$(dirname "$0")/lib.sh"
make_pair
cat > "$WORK/portsentry.conf" <<CONF
TCP_PORTS="32780,32781"
UDP_PORTS="32770-32774"
BLOCK_TCP="0"
BLOCK_UDP="0"
SCAN_TRIGGER="0"
CONF
test_paths_conf >> "$WORK/portsentry.conf"

# The "resolver" (UDP port 53, IPv4 and IPv6: answers 5 ms after each query) and a TCP server
# on port 80, in the other namespace.
start_bg resolver in_b python3 -c '
import select, socket, sys, time
v4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); v4.bind((sys.argv[1], 53))
v6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); v6.bind((sys.argv[2], 53))
tcp = socket.socket(); tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
tcp.bind((sys.argv[1], 80)); tcp.listen(8)
while True:
    for s in select.select([v4, v6, tcp], [], [])[0]:
        if s is tcp:
            s.accept()[0].close()
            continue
        query, peer = s.recvfrom(512)
        time.sleep(0.005)
        s.sendto(b"answer:" + query, peer)
' "$IP_B" "$IP6_B"
wait_for 10 sh -c "ip netns exec $NS_B ss -Hlun 'sport = :53' | grep -q 53"

# exchanges OUT: in the daemon's namespace, one query per watched UDP port, each from a socket
# that is closed once the answer is in and the daemon (output OUT) has logged something about
# that port; then a TCP connection from port 32780.
exchanges() {
    in_a python3 -c '
import socket, sys, time
a, b, b6, out = sys.argv[1:5]
def logged(port):
    text = open(out, "rb").read()
    return b"destination port %d," % port in text or b"port: [%d]" % port in text
def exchange(family, bind, peer, connect):
    s = socket.socket(family, socket.SOCK_DGRAM)
    s.settimeout(2)
    s.bind(bind)
    if connect:
        s.connect(peer); s.send(b"q%d" % bind[1])
    else:
        s.sendto(b"q%d" % bind[1], peer)
    answer = s.recv(512)
    assert answer == b"answer:q%d" % bind[1], answer
    deadline = time.monotonic() + 5
    while not logged(bind[1]) and time.monotonic() < deadline:
        time.sleep(0.001)
    s.close()
exchange(socket.AF_INET, ("0.0.0.0", 32770), (b, 53), True)         # like glibc: connected
exchange(socket.AF_INET, ("0.0.0.0", 32771), (b, 53), False)        # wildcard, unconnected
exchange(socket.AF_INET, (a, 32772), (b, 53), False)                # bound to the address
exchange(socket.AF_INET6, ("::", 32773), ("::ffff:" + b, 53), False)  # dual-stack, mapped peer
exchange(socket.AF_INET6, ("::", 32774), (b6, 53), True)            # IPv6, connected
t = socket.socket(); t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)   # the pcap round left it in TIME_WAIT
t.settimeout(2); t.bind((a, 32780)); t.connect((b, 80)); t.close()
print("exchanges ok")
' "$IP_A" "$IP_B" "$IP6_B" "$1"
}

for method in pcap raw; do
    start_daemon "daemon-$method" "$WORK/portsentry.conf" --stealth -m "$method"
    OUT=$WORK/daemon-$method.out
    exchanges "$OUT" >"$WORK/client-$method.out" || fail "[$method] the exchanges failed"
    # A probe to a watched port without any socket: reported; once it is, every packet before it
    # has been handled.
    marker="Scan from: [$IP_B] ($IP_B) protocol: [TCP] port: [32781] type: [TCP SYN/Normal scan]"
    deadline=$(( $(date +%s) + 10 ))
    until grep -qF "$marker" "$OUT"; do
        [ "$(date +%s)" -lt "$deadline" ] || fail "[$method] the marker probe was not reported"
        in_b python3 -c 'import socket, sys; s = socket.socket(); s.setblocking(False); s.connect_ex((sys.argv[1], 32781))' "$IP_A"
        sleep 0.05
    done
    for port in 32770 32771 32772 32773; do
        assert_line "$OUT" "Ignoring packet from $IP_B to destination port $port, a service is running"
    done
    assert_line "$OUT" "Ignoring packet from $IP6_B to destination port 32774, a service is running"
    assert_no_line "$OUT" "port: [3277"
    assert_no_line "$OUT" "port: [32780]"
    stop_pid "$DAEMON_PID" || fail "[$method] daemon exit status $?"
    note "$method ok"
done
