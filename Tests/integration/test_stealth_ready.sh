#!/usr/bin/env bash
# "Portsentry is now active and listening." means capture has begun: probes sent the instant the
# line appears (100 TCP SYNs and 100 UDP datagrams to distinct watched ports) are all reported,
# with libpcap and with the AF_PACKET ring. The daemon's stdout is a pipe into the sender, which
# copies it to a file and sends the probes as soon as it reads the line. Likewise after SIGHUP
# replaces the sentry: a probe to a new port sent at "Configuration reloaded" is reported.
. "$(dirname "$0")/lib.sh"
make_pair
# write_conf UDP_PORTS: the config, with TCP ports 20000-20099.
write_conf() {
    cat > "$WORK/portsentry.conf" <<CONF
TCP_PORTS="20000-20099"
UDP_PORTS="$1"
BLOCK_TCP="0"
BLOCK_UDP="0"
SCAN_TRIGGER="0"
CONF
    test_paths_conf >> "$WORK/portsentry.conf"
}

# relay_and_send PIPE OUT: in the scanner's namespace, copy PIPE to OUT and, on the active line,
# send one SYN and one datagram to each watched port.
relay_and_send() {
    in_b python3 -c '
import socket, sys
pipe, out, target = open(sys.argv[1], "rb", buffering=0), open(sys.argv[2], "wb", buffering=0), sys.argv[3]
tcp = [socket.socket(socket.AF_INET, socket.SOCK_STREAM) for _ in range(100)]
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for t in tcp:
    t.setblocking(False)
seen = b""
while chunk := pipe.read(65536):
    if b"Portsentry is now active and listening.\n" not in seen and b"Portsentry is now active and listening.\n" in seen + chunk:
        for port, t in zip(range(20000, 20100), tcp):
            udp.sendto(b"probe", (target, port))
            t.connect_ex((target, port))
    seen = (seen + chunk)[-64:]
    out.write(chunk)
' "$1" "$2" "$IP_A"
}
reported() { cat "$1" 2>/dev/null | grep -cE "^Scan from: \[$IP_B\] .* port: \[200[0-9][0-9]\]" || true; }

for method in pcap raw; do
    write_conf 20000-20099
    OUT=$WORK/daemon-$method.out
    mkfifo "$WORK/pipe-$method"
    start_bg "relay-$method" relay_and_send "$WORK/pipe-$method" "$OUT"
    ip netns exec "$NS_A" "$PORTSENTRY" -c "$WORK/portsentry.conf" --stealth -m "$method" >"$WORK/pipe-$method" 2>"$WORK/daemon-$method.err" &
    DAEMON_PID=$!; _PIDS+=("$DAEMON_PID")
    deadline=$(( $(date +%s) + 20 ))
    until [ "$(reported "$OUT")" -ge 200 ]; do
        [ "$(date +%s)" -lt "$deadline" ] || fail "[$method] $(reported "$OUT") of 200 probes sent at the active line were reported"
        sleep 0.05
    done
    assert_eq "$(reported "$OUT")" 200 "[$method] probes reported once each"

    write_conf 20000-20100
    kill -HUP "$DAEMON_PID"
    wait_for 10 grep -q "Configuration reloaded" "$OUT"
    in_b python3 -c 'import socket, sys; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"probe", (sys.argv[1], 20100))' "$IP_A"
    wait_for 10 grep -qF "Scan from: [$IP_B] ($IP_B) protocol: [UDP] port: [20100] type: [UDP]" "$OUT"
    stop_pid "$DAEMON_PID" || fail "[$method] daemon exit status $?"
    note "$method ok"
done
