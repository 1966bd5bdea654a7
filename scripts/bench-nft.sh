#!/usr/bin/env bash
# Benchmarks of the nftables backend (figures for docs/performance.md, "Blocking").
# Everything runs inside two network namespaces this script creates and removes:
#   (a) ban latency: libnftables in-process vs fork/exec of iptables -I, 1,000 each;
#   (b) throughput: 100,000 distinct sources, one batch and concurrent ban() calls;
#   (c) data path: UDP packets/s from NS_B through NS_A's netfilter with no rules,
#       10 and 100,000 bans in our sets, and 10,000 iptables DROP rules;
#   (d) set exhaustion: 1,000,000 forged sources against NFT_SET_SIZE=65536 through the ban
#       service, in batches of 1,000 and of 65,536 (the pipeline's queue limit), then one real
#       scanner; checks that the kernel set holds exactly 65,536 elements, the scanner among them;
#   (e) prefix bans: IPv6 UDP packets/s through NS_A with no rules, 10 and 100,000 /64 bans in
#       banned_v6_64 (a masked lookup in a hash set), and the add latency of a /64 vs a host;
#   (f) the crash journal's cost: 1,000 single bans with and without STATE_FILE, interleaved.
# Usage: scripts/bench-nft.sh            (builds bench-nft in release mode first)
#        scripts/bench-nft.sh exhaust    (only (d); needs no iptables)
#        scripts/bench-nft.sh prefixes   (only (e); needs no iptables)
#        scripts/bench-nft.sh journal    (only (f); needs no iptables)
#        BENCH_NFT=/path/to/bench-nft scripts/bench-nft.sh
# Needs root, nftables, iptables (apt-get install iptables).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${BENCH_NFT:-}" ]; then
    swift build -c release --scratch-path .build-nft --product bench-nft >&2
    BENCH_NFT=$PWD/.build-nft/release/bench-nft
fi
LATENCY_N=${LATENCY_N:-1000}
THROUGHPUT_N=${THROUGHPUT_N:-100000}
FLOOD_SECONDS=${FLOOD_SECONDS:-3}
EXHAUST_N=${EXHAUST_N:-1000000}
EXHAUST_SIZE=${EXHAUST_SIZE:-65536}

. Tests/integration/lib.sh
make_pair

exhaust() {
    echo "== (d) set exhaustion, load: $(cut -d' ' -f1-3 /proc/loadavg)"
    local batch elements
    for batch in 1000 65536; do
        in_a "$BENCH_NFT" exhaust "$EXHAUST_N" "$EXHAUST_SIZE" "$batch"
        elements=$(in_a nft -j list set inet benchfull banned_v4 | python3 -c 'import json,sys; e=[x for o in json.load(sys.stdin)["nftables"] if "set" in o for x in o["set"].get("elem", [])]; print(len(e), "198.51.100.7" in [x["elem"]["val"] if isinstance(x, dict) else x for x in e])')
        echo "  kernel set: $elements (elements, real scanner present)"
        [ "$elements" = "$EXHAUST_SIZE True" ] || fail "kernel set: $elements"
        in_a nft delete table inet benchfull
    done
}
# flood LABEL [TARGET]: UDP from NS_B to NS_A's TARGET (default IP_A) for FLOOD_SECONDS; prints
# packets/s sent and received in NS_A.
flood() {
    local label=$1 target=${2:-$IP_A} port=9999
    start_bg "sink-$label" ip netns exec "$NS_A" "$BENCH_NFT" sink $port "$FLOOD_SECONDS"
    local sink=$LAST_PID
    wait_for 10 grep -q ready "$WORK/sink-$label.out"
    in_b "$BENCH_NFT" flood "$target" $port "$((FLOOD_SECONDS + 1))" >"$WORK/flood-$label.out"
    wait "$sink"
    local got sent
    got=$(sed -n 's/^received //p' "$WORK/sink-$label.out")
    sent=$(sed -n 's/^sent //p' "$WORK/flood-$label.out")
    # veth delivers in the sender's context, so the send rate includes NS_A's netfilter cost;
    # the receive rate is also bounded by the single-threaded receiver.
    printf '%-36s sent %8d/s   received %8d/s\n' "$label" $((sent / (FLOOD_SECONDS + 1))) $((got / FLOOD_SECONDS))
}

prefixes() {
    echo "== (e) prefix bans, UDP $NS_B -> $NS_A over IPv6, ${FLOOD_SECONDS}s each, load: $(cut -d' ' -f1-3 /proc/loadavg)"
    for round in 1 2; do
        flood "v6, no rules (round $round)" "$IP6_A"
        in_a "$BENCH_NFT" fill-prefixes 10 >/dev/null
        flood "v6, 10 prefix bans (round $round)" "$IP6_A"
        in_a nft delete table inet portsentry
        in_a "$BENCH_NFT" fill-prefixes 100000 >/dev/null
        flood "v6, 100000 prefix bans (round $round)" "$IP6_A"
        in_a nft delete table inet portsentry
    done
    in_a "$BENCH_NFT" prefix-latency "$LATENCY_N"
    in_a nft delete table inet benchpfx
}
if [ "${1:-}" = exhaust ]; then exhaust; exit 0; fi
if [ "${1:-}" = prefixes ]; then prefixes; exit 0; fi
if [ "${1:-}" = journal ]; then
    echo "== (f) journal cost, load: $(cut -d' ' -f1-3 /proc/loadavg)"
    in_a "$BENCH_NFT" journal-latency "$LATENCY_N"
    exit 0
fi
note "kernel $(uname -r), $(nproc) CPUs, $(nft --version), $(iptables --version), load: $(cut -d' ' -f1-3 /proc/loadavg)"

echo "== (a) ban latency"
in_a "$BENCH_NFT" latency "$LATENCY_N"
echo "== (b) ban throughput"
in_a "$BENCH_NFT" throughput "$THROUGHPUT_N"
in_a nft delete table inet benchlat
in_a nft delete table inet benchtp

echo "== (c) data path, UDP $NS_B -> $NS_A, ${FLOOD_SECONDS}s each"
for round in 1 2; do
    flood "no rules (round $round)"
    in_a "$BENCH_NFT" fill 10 >/dev/null
    flood "nft set, 10 bans (round $round)"
    in_a nft flush set inet portsentry banned_v4
    in_a "$BENCH_NFT" fill 100000 >/dev/null
    flood "nft set, 100000 bans (round $round)"
    in_a nft delete table inet portsentry
    { echo "*filter"; for i in $(seq 0 9999); do echo "-A INPUT -s 10.65.$((i / 250)).$((i % 250 + 1)) -j DROP"; done; echo COMMIT; } \
        | in_a iptables-restore
    flood "iptables, 10000 DROP (round $round)"
    in_a iptables -F INPUT
done
exhaust
prefixes
