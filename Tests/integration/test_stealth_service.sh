#!/usr/bin/env bash
# Stealth mode's service check: a probe to a watched port with a listener is skipped with the
# "a service is running" line (once per source and port), others are reported; -S reports it too.
# Also: an address added after start-up is watched (pcap filters and raw address set follow it).
. "$(dirname "$0")/lib.sh"
make_pair
cat > "$WORK/portsentry.conf" <<CONF
TCP_PORTS="11,15,1025"
UDP_PORTS="7"
BLOCK_TCP="0"
BLOCK_UDP="0"
SCAN_TRIGGER="0"
CONF
test_paths_conf >> "$WORK/portsentry.conf"
# A TCP service on [::]:1025 (dual-stack) in the daemon's namespace.
start_tcp_listener listener 1025
scan() { in_b nmap -n -Pn --max-retries 0 "$@" >>"$WORK/nmap.out" 2>&1 || fail "nmap $* failed"; }
scan_line() {
    echo "Scan from: [$1] ($1) protocol: [TCP] port: [$2] type: [TCP SYN/Normal scan] IP opts: [$3] ignored: [false] triggered: [true] noblock: [true] blocked: [false]"
}

for method in pcap raw; do
    start_daemon "daemon-$method" "$WORK/portsentry.conf" --stealth -m "$method"
    OUT=$WORK/daemon-$method.out
    scan -sS -p 1025 "$IP_A"
    scan -sS -p 1025 "$IP_A"                      # same source and port again: no second line
    scan -6 -sS -p 1025 "$IP6_A"
    scan -sS -p 11 "$IP_A"                        # no listener: reported
    wait_for 10 has_line "$OUT" "$(scan_line "$IP_B" 11 "not set")"
    assert_eq "$(count_lines "$OUT" "Ignoring packet from $IP_B to destination port 1025, a service is running")" 1 "[$method] IPv4 service line once"
    assert_line "$OUT" "Ignoring packet from $IP6_B to destination port 1025, a service is running"
    assert_no_line "$OUT" "port: [1025]"

    # An address added while running is watched.
    [ "$method" = raw ] && added="10.$_X.$_Y.78" || added="10.$_X.$_Y.77"
    ip -n "$NS_A" addr add "$added/24" dev "$IF_A"
    deadline=$(( $(date +%s) + 10 ))
    until has_line "$OUT" "$(scan_line "$IP_B" 15 "not set")"; do
        [ "$(date +%s)" -lt "$deadline" ] || fail "[$method] probe to the added address $added not reported"
        scan -sS -p 15 "$added"
    done
    stop_pid "$DAEMON_PID" || fail "[$method] daemon exit status $?"
    note "$method ok"
done

# -S: the listener's port is reported like any other.
start_daemon daemon-S "$WORK/portsentry.conf" --stealth -S
scan -sS -p 1025 "$IP_A"
wait_for 10 has_line "$WORK/daemon-S.out" "$(scan_line "$IP_B" 1025 "not set")"
assert_no_line "$WORK/daemon-S.out" "a service is running"
note "-S ok"
