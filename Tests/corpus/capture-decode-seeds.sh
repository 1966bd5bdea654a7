#!/usr/bin/env bash
# Rebuilds Tests/corpus/decode/ from real traffic (root): nmap scans one namespace from another
# over a veth pair while tcpdump captures them as Ethernet and, on the `any` device, as Linux
# cooked v1 and v2; the raw-IP and BSD-loopback seeds are the same IP packets without their
# Ethernet header. Each seed is one link-type byte (fuzz-decode's input format) and one frame.
. "$(dirname "$0")/../integration/lib.sh"
out=$ROOT/Tests/corpus/decode
make_pair
for link in EN10MB LINUX_SLL LINUX_SLL2; do
    dev=$([ $link = EN10MB ] && echo "vb$TEST_NUM" || echo any)
    start_bg "tcpdump-$link" ip netns exec "$NS_B" tcpdump -U -n -i "$dev" -y $link -w "$WORK/$link.pcap" ip or ip6
    wait_for 10 grep -q "listening on" "$WORK/tcpdump-$link.err"
done
for scan in -sS -sU -sF -sX -sN -sA; do in_a nmap -n -Pn $scan -p 22,53,80 --max-retries 0 "$IP_B" >/dev/null; done
for scan in -sS -sU; do in_a nmap -6 -n -Pn $scan -p 22,53 --max-retries 0 "$IP6_B" >/dev/null; done
in_a bash -c "exec 3<>/dev/tcp/$IP_B/7" 2>/dev/null || true   # a connect() probe, answered by RST
# tcpdump writes what the kernel queued for it a little later: stop it once the last probe is in.
has_last_probe() { tcpdump -n -r "$WORK/$1.pcap" 2>/dev/null | grep -F "$IP_B.7: Flags [S]" >/dev/null; }
for link in EN10MB LINUX_SLL LINUX_SLL2; do wait_for 10 has_last_probe $link; done
for pid in "${_PIDS[@]}"; do stop_pid "$pid"; done
rm -f "$out"/*.frame
python3 - "$WORK" "$out" <<'PY'
import struct, sys
work, out = sys.argv[1], sys.argv[2]
def frames(name):
    data = open(f"{work}/{name}.pcap", "rb").read()
    at = 24
    while at + 16 <= len(data):
        length = struct.unpack_from("<I", data, at + 8)[0]
        yield data[at + 16: at + 16 + length]
        at += 16 + length
def shape(ip):
    """ipv4-tcp-02, ipv6-udp, ipv6-58 ...: one seed per shape is enough."""
    version, proto, at = ("ipv4", ip[9], (ip[0] & 15) * 4) if ip[0] >> 4 == 4 else ("ipv6", ip[6], 40)
    name = {6: "tcp", 17: "udp"}.get(proto, str(proto))
    return f"{version}-{name}" + (f"-{ip[at + 13] & 0x3f:02x}" if proto == 6 else "")
written = set()
def write(link, kind, frame, ip):
    # fuzz-decode's link byte: 0 Ethernet, 1 raw IP, 2 Linux cooked v1, 3 v2, 4 BSD loopback.
    name = f"{kind}-{shape(ip)}"
    if name not in written:
        written.add(name)
        open(f"{out}/{name}.frame", "wb").write(bytes([link]) + frame)
for frame in frames("EN10MB"):
    ip = frame[14:]
    write(0, "ethernet", frame, ip)
    write(0, "ethernet-vlan", frame[:12] + bytes([0x81, 0, 0, 7]) + frame[12:], ip)
    write(1, "raw", ip, ip)
    write(4, "null", struct.pack("<I", 2 if ip[0] >> 4 == 4 else 10) + ip, ip)
    if ip[0] >> 4 == 6 and ip[6] == 6:   # the same SYN behind a hop-by-hop options header
        hop = bytes([6, 0, 1, 4, 0, 0, 0, 0])
        v6 = ip[:4] + struct.pack("!H", len(ip) - 40 + 8) + bytes([0]) + ip[7:40] + hop + ip[40:]
        write(1, "raw-hop-by-hop", v6, ip)
for frame in frames("LINUX_SLL"):
    write(2, "sll-out" if frame[1] == 4 else "sll", frame, frame[16:])
for frame in frames("LINUX_SLL2"):
    write(3, "sll2-out" if frame[10] == 4 else "sll2", frame, frame[20:])
PY
note "$(ls "$out"/*.frame | wc -l) seeds in $out"
