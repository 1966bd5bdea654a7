#!/usr/bin/env bash
# Counting only what a scanner sends: answers to the host's own traffic never ban its peer, even
# when they arrive after the client socket is gone (a slow DNS or NTP answer, QUIC packets after
# the socket closed), on a host with a stateful firewall (connection tracking on). Outgoing TCP is
# answered with SYN-ACK, which never counts. A real probe from the same peer afterwards is banned,
# so the daemon was watching all along. Both capture methods.
. "$(dirname "$0")/lib.sh"
make_pair
cat > "$WORK/portsentry.conf" <<CONF
TCP_PORTS="40004"
UDP_PORTS="40001-40003,40009"
BLOCK_TCP="1"
BLOCK_UDP="1"
SCAN_TRIGGER="0"
NFT_TABLE="ps_flows_$TEST_NUM"
CONF
test_paths_conf >> "$WORK/portsentry.conf"
# The host's own stateful firewall (another table): connection tracking runs in its namespace.
in_a nft -f - <<NFT
table inet hostfw_$TEST_NUM {
    chain input { type filter hook input priority 0; policy accept; ct state established,related accept; }
}
NFT
# The peer answers every UDP datagram 300 ms later, and serves TCP 8080.
start_bg peer in_b python3 -c "
import socket, threading, time
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(('$IP_B', 0))
for port in (53, 123, 443):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(('$IP_B', port))
    def serve(s=s):
        while True:
            data, peer = s.recvfrom(2048)
            time.sleep(0.3)
            for _ in range(3): s.sendto(b'answer', peer)
    threading.Thread(target=serve, daemon=True).start()
t = socket.socket(); t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); t.bind(('$IP_B', 8080)); t.listen(8)
while True:
    c, _ = t.accept(); c.close()"
wait_for 10 sh -c "ip netns exec $NS_B ss -Hlun | grep -q ':443'"

# own_flows: the host's clients, each gone before its answer comes.
own_flows() {
    in_a python3 -c "
import socket
for lport, rport in ((40001, 53), (40002, 123), (40003, 443)):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(('$IP_A', lport))
    s.sendto(b'query', ('$IP_B', rport)); s.close()
c = socket.socket(); c.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); c.bind(('$IP_A', 40004)); c.connect(('$IP_B', 8080)); c.close()"
}
for method in pcap raw; do
    start_daemon "daemon-$method" "$WORK/portsentry.conf" --stealth -m "$method" -v
    OUT=$WORK/daemon-$method.out
    own_flows
    # The answers (three per port, 300 ms late) are recognised as answers.
    for port in 40001 40002 40003; do
        wait_for 10 grep -q "to destination port $port, a reply to a flow this host opened" "$OUT"
    done
    # A real probe afterwards from the same peer: banned.
    in_b python3 -c "import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.sendto(b'probe', ('$IP_A', 40009))"
    wait_for 10 grep -q "protocol: \[UDP\] port: \[40009\] type: \[UDP\] .* blocked: \[true\]" "$OUT"
    for port in 40001 40002 40003 40004; do assert_no_line "$OUT" "port: [$port]"; done
    ip netns exec "$NS_A" nft list set inet "ps_flows_$TEST_NUM" banned_v4 | grep "$IP_B" > /dev/null || fail "[$method] the real probe was not banned"
    stop_pid "$DAEMON_PID" || fail "[$method] daemon exit status $?"
    in_a nft flush set inet "ps_flows_$TEST_NUM" banned_v4
    rm -f "$WORK/bans.state"   # or the next daemon restores the ban
    note "$method ok"
done
