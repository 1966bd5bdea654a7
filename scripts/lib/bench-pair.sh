# Two network namespaces joined by a veth pair, for the benchmark scripts; source it after
# `set -euo pipefail`, with PREFIX set to a short name (two or three letters).
# Sets NS_A/NS_B (A captures or bans, B sends), IF_A/IF_B, IP_A/IP_B, WORK (a temp dir) and
# DAEMON_PID (for the caller's daemon); removes all of it, and stops that daemon, on exit.
N=$(( $$ % 60000 ))
NS_A="${PREFIX}a$N"; NS_B="${PREFIX}b$N"; IF_A="${PREFIX}va$N"; IF_B="${PREFIX}vb$N"
X=$(( 100 + (N / 250) % 150 )); Y=$(( N % 250 ))
IP_A="10.$X.$Y.1"; IP_B="10.$X.$Y.2"
WORK=$(mktemp -d "/tmp/bench-$PREFIX.XXXXXX")
DAEMON_PID=""
bench_pair_cleanup() {
    [ -n "$DAEMON_PID" ] && kill -TERM "$DAEMON_PID" 2>/dev/null && wait "$DAEMON_PID" 2>/dev/null || true
    ip netns del "$NS_A" 2>/dev/null || true
    ip netns del "$NS_B" 2>/dev/null || true
    rm -rf "$WORK"
}
trap bench_pair_cleanup EXIT

ip netns add "$NS_A"; ip netns add "$NS_B"
ip link add "$IF_A" netns "$NS_A" type veth peer name "$IF_B" netns "$NS_B"
ip -n "$NS_A" addr add "$IP_A/24" dev "$IF_A"; ip -n "$NS_B" addr add "$IP_B/24" dev "$IF_B"
for ns in "$NS_A" "$NS_B"; do ip -n "$ns" link set lo up; done
ip -n "$NS_A" link set "$IF_A" up; ip -n "$NS_B" link set "$IF_B" up
