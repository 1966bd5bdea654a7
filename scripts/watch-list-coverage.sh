#!/usr/bin/env bash
# How much of a scanner's first burst lands on watched ports: from nmap's port frequency table
# (nmap-services, the table behind `nmap --top-ports N` and nmap's default top-1000 scan), the
# share of nmap's top-N TCP and UDP ports that the shipped TCP_PORTS / UDP_PORTS cover.
# Two denominators per N: all N ports, and the N ports minus those the shipped list never
# watches on purpose (the legitimate-client ports below, and the ephemeral range 32768-60999).
# Also lists the popular ports that nmap moves to the front of every TCP scan and whether each
# is watched. Reads files only. See docs/watch-list.md.
#   scripts/watch-list-coverage.sh [--config FILE] [--services FILE]
set -euo pipefail
cd "$(dirname "$0")/.."
CONFIG=packaging/etc/portsentry.conf
SERVICES=/usr/share/nmap/nmap-services
while [ $# -gt 0 ]; do
    case $1 in
        --config) CONFIG=$2; shift 2 ;;
        --services) SERVICES=$2; shift 2 ;;
        *) echo "usage: $0 [--config FILE] [--services FILE]" >&2; exit 2 ;;
    esac
done
[ -r "$SERVICES" ] || { echo "$SERVICES not found (apt-get install nmap)" >&2; exit 1; }
[ -r "$CONFIG" ] || { echo "$CONFIG not found" >&2; exit 1; }

python3 - "$CONFIG" "$SERVICES" <<'PY'
import re, sys
config, services = sys.argv[1:3]

# Never watched by the shipped list: ports a legitimate client tries by itself (web, mail,
# DNS, NTP, SSH, ident, directory, printing, monitoring, discovery), see docs/watch-list.md.
# Tests/integration/test_shipped_watch_list.sh asserts the same lists against the shipped file.
LEGIT = {
    "tcp": {22, 25, 53, 80, 81, 88, 110, 113, 143, 389, 443, 464, 465, 587, 631, 636, 853, 993,
            995, 3268, 3269, 5353, 5666, 8000, 8008, 8080, 8081, 8443, 8888, 9100, 10050},
    "udp": {53, 67, 68, 88, 123, 137, 138, 162, 389, 443, 464, 514, 520, 546, 547, 631, 853,
            5351, 5353, 5355},
}
EPHEMERAL = range(32768, 61000)
# The ports nmap swaps to the front of every randomised TCP port list (nmap 7.x, portlist.cc).
NMAP_FRONT = [80, 23, 443, 21, 22, 25, 3389, 110, 445, 139, 143, 53, 135, 3306, 8080, 1723, 111,
              995, 993, 5900, 1025, 587, 8888, 199, 1720, 113, 554, 256]

def watched(key):
    for line in open(config):
        m = re.match(r'\s*%s\s*=\s*"(.*)"\s*$' % key, line)
        if m:
            ports = set()
            for item in m.group(1).split(","):
                a, _, b = item.strip().partition("-")
                ports.update(range(int(a), int(b or a) + 1))
            return ports
    sys.exit("%s: no uncommented %s line" % (config, key))

ranked = {"tcp": [], "udp": []}
for line in open(services):
    if line.startswith("#"):
        continue
    fields = line.split()
    if len(fields) < 3:
        continue
    port, _, proto = fields[1].partition("/")
    if proto in ranked:
        ranked[proto].append((float(fields[2]), int(port)))
for proto in ranked:
    ranked[proto] = [p for _, p in sorted(ranked[proto], key=lambda fp: (-fp[0], fp[1]))]

print("config: %s; frequencies: %s" % (config, services))
for proto, key in (("tcp", "TCP_PORTS"), ("udp", "UDP_PORTS")):
    ports = watched(key)
    bad = sorted(ports & LEGIT[proto])
    eph = sorted(p for p in ports if p in EPHEMERAL)
    print("\n%s: %d ports watched; legitimate-client ports watched: %s; in 32768-60999: %s"
          % (key, len(ports), bad or "none", eph or "none"))
    print("%6s %16s %26s" % ("top N", "watched / N", "watched / (N - excluded)"))
    for n in (10, 20, 50, 100, 1000):
        top = ranked[proto][:n]
        hit = sum(p in ports for p in top)
        eligible = [p for p in top if p not in LEGIT[proto] and p not in EPHEMERAL]
        print("%6d %8d/%-4d %4.0f%% %12d/%-4d %6.0f%%" % (n, hit, n, 100.0 * hit / n, hit,
              len(eligible), 100.0 * hit / max(len(eligible), 1)))
    top = ranked[proto][:100]
    print("top 100 not watched: legitimate %s; ephemeral %s; other %s" % (
        [p for p in top if p in LEGIT[proto]], [p for p in top if p in EPHEMERAL],
        [p for p in top if p not in ports and p not in LEGIT[proto] and p not in EPHEMERAL]))
    if proto == "tcp":
        front = [p for p in NMAP_FRONT if p in ports]
        print("nmap's %d front ports (in random order at the start of every TCP scan): %d watched %s"
              % (len(NMAP_FRONT), len(front), front))
PY
