#!/usr/bin/env bash
# Stealth mode start-up errors: without CAP_NET_RAW (pcap and raw) and with an unknown interface,
# the daemon says what is wrong, never reports itself active, and exits non-zero.
. "$(dirname "$0")/lib.sh"
make_pair
cat > "$WORK/portsentry.conf" <<CONF
TCP_PORTS="11"
UDP_PORTS="7"
BLOCK_TCP="0"
BLOCK_UDP="0"
CONTROL_SOCKET="$WORK/control.sock"
STATE_FILE="$WORK/bans.state"
CONF
# expect_failure NAME EXPECTED-TEXT CMD...: CMD must exit non-zero, print EXPECTED-TEXT on stderr
# and never print the "active" line.
expect_failure() {
    local name=$1 text=$2; shift 2
    local rc=0
    "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" || rc=$?
    [ "$rc" -ne 0 ] || fail "$name: exit status 0"
    grep -qF -- "$text" "$WORK/$name.err" || fail "$name: missing on stderr: $text"
    assert_no_line "$WORK/$name.out" "Portsentry is now active and listening."
}
expect_failure pcap-nocap "cannot capture on $IF_A: permission denied; packet capture needs CAP_NET_RAW" \
    in_a capsh --drop=cap_net_raw -- -c "exec $PORTSENTRY -c $WORK/portsentry.conf --stealth -m pcap"
expect_failure raw-nocap "cannot open an AF_PACKET socket: permission denied; packet capture needs CAP_NET_RAW" \
    in_a capsh --drop=cap_net_raw -- -c "exec $PORTSENTRY -c $WORK/portsentry.conf --stealth -m raw"
expect_failure unknown-if "unknown interface nosuch0 (interfaces: lo, $IF_A)" \
    in_a "$PORTSENTRY" -c "$WORK/portsentry.conf" --stealth -i nosuch0
note "ok"
