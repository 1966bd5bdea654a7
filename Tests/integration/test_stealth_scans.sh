#!/usr/bin/env bash
# Stealth mode, both capture methods (pcap, raw): nmap -sS -sT -sN -sF -sX -sU from another
# namespace over IPv4 and IPv6, IPv4 options; exact scan lines (type, IP opts, flags), one line per
# probe, history lines, nothing for an unwatched port, empty blocked file in log-only mode.
. "$(dirname "$0")/lib.sh"
make_pair
cat > "$WORK/portsentry.conf" <<CONF
TCP_PORTS="11,15,79,111,1024-1030"
UDP_PORTS="7,9"
BLOCK_TCP="0"
BLOCK_UDP="0"
SCAN_TRIGGER="0"
CONF
test_paths_conf >> "$WORK/portsentry.conf"

# scan_line SOURCE PROTO PORT TYPE OPTS: the exact line of one probe in log-only mode.
scan_line() {
    echo "Scan from: [$1] ($1) protocol: [$2] port: [$3] type: [$4] IP opts: [$5] ignored: [false] triggered: [true] noblock: [true] blocked: [false]"
}
# scan NMAP_ARGS...: one bounded nmap run from the scanner's namespace.
scan() { in_b nmap -n -Pn --max-retries 0 "$@" >>"$WORK/nmap.out" 2>&1 || fail "nmap $* failed"; }

for method in pcap raw; do
    : > "$WORK/history"
    start_daemon "daemon-$method" "$WORK/portsentry.conf" --stealth -m "$method"
    OUT=$WORK/daemon-$method.out
    expected=(
        "$(scan_line "$IP_B" TCP 11 "TCP SYN/Normal scan" "not set")"
        "$(scan_line "$IP_B" TCP 15 "TCP SYN/Normal scan" "not set")"
        "$(scan_line "$IP_B" TCP 79 "TCP NULL scan" "not set")"
        "$(scan_line "$IP_B" TCP 111 "TCP FIN scan" "not set")"
        "$(scan_line "$IP_B" TCP 1024 "TCP XMAS scan" "not set")"
        "$(scan_line "$IP_B" TCP 1025 "TCP SYN/Normal scan" "set")"
        "$(scan_line "$IP_B" UDP 7 "UDP" "not set")"
        "$(scan_line "$IP6_B" TCP 1026 "TCP SYN/Normal scan" "unknown")"
        "$(scan_line "$IP6_B" TCP 1027 "TCP NULL scan" "unknown")"
        "$(scan_line "$IP6_B" TCP 1028 "TCP FIN scan" "unknown")"
        "$(scan_line "$IP6_B" TCP 1029 "TCP XMAS scan" "unknown")"
        "$(scan_line "$IP6_B" TCP 1030 "TCP SYN/Normal scan" "unknown")"
        "$(scan_line "$IP6_B" UDP 9 "UDP" "unknown")"
    )
    scan -sS -p 80 "$IP_A"                                  # not watched: nothing
    scan -sS -p 11 "$IP_A"
    scan -sT -p 15 "$IP_A"
    scan -sN -p 79 "$IP_A"
    scan -sF -p 111 "$IP_A"
    scan -sX -p 1024 "$IP_A"
    scan -sS -p 1025 --ip-options '\x01\x01\x01\x01' "$IP_A"  # four NOP options: a 24-byte header
    scan -sU -p 7 "$IP_A"
    scan -6 -sS -p 1026 "$IP6_A"
    scan -6 -sN -p 1027 "$IP6_A"
    scan -6 -sF -p 1028 "$IP6_A"
    scan -6 -sX -p 1029 "$IP6_A"
    scan -6 -sT -p 1030 "$IP6_A"
    scan -6 -sU -p 9 "$IP6_A"
    wait_lines 10 "$WORK/history" ${#expected[@]}
    for line in "${expected[@]}"; do
        assert_eq "$(count_lines "$OUT" "$line")" 1 "[$method] once: $line"
        assert_eq "$(grep -cxF -- "$line" <(cut -d' ' -f2- "$WORK/history"))" 1 "[$method] history: $line"
    done
    assert_eq "$(count_lines "$OUT" "Scan from:")" ${#expected[@]} "[$method] scan lines"
    assert_no_line "$OUT" "port: [80]"
    assert_eq "$(file_size "$WORK/blocked")" 0 "[$method] log-only mode blocks nobody"
    stop_pid "$DAEMON_PID" || fail "[$method] daemon exit status $?"
    note "$method ok"
done
