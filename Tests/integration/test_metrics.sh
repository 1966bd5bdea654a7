#!/usr/bin/env bash
# The Prometheus endpoint end to end (METRICS_LISTEN, docs/metrics.md), scraped over HTTP inside
# the daemon's namespace: a scan's ban moves events, bans, active bans and the scan-to-ban
# histogram; the banned source's packets move the drop counters; the ban's expiry, a manual ban
# and its unblock move bans and unbans; the capture counts what it received. A wildcard address
# is refused (file, line, fix) by --check-config and at start; an address named explicitly is
# served there alone.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ctl_lib.sh"
. "$(dirname "$0")/metrics_lib.sh"
make_pair
write_ctl_config "$WORK/portsentry.conf"
cat >>"$WORK/portsentry.conf" <<CONF
BAN_TIME="5s"
KERNEL_BAN="0"
METRICS_LISTEN="127.0.0.1:9632"
CONF

note "refused: a wildcard address, at --check-config and at start"
sed 's/^METRICS_LISTEN=.*/METRICS_LISTEN="0.0.0.0:9632"/' "$WORK/portsentry.conf" >"$WORK/wild.conf"
line=$(grep -n '^METRICS_LISTEN=' "$WORK/wild.conf" | cut -d: -f1)
rc=0; in_a "$PORTSENTRY" -c "$WORK/wild.conf" --check-config >"$WORK/check.out" 2>"$WORK/check.err" || rc=$?
assert_eq "$rc" 1 "--check-config of a wildcard METRICS_LISTEN"
grep -qF "$WORK/wild.conf:$line: METRICS_LISTEN: \"0.0.0.0:9632\" would serve metrics on every address" "$WORK/check.err" \
    || fail "no file:line message: $(cat "$WORK/check.err")"
grep -qF "write 127.0.0.1:9632 (this host only)" "$WORK/check.err" || fail "no fix in: $(cat "$WORK/check.err")"
for wild in '[::]:9632' '9632'; do
    sed "s/^METRICS_LISTEN=.*/METRICS_LISTEN=\"$wild\"/" "$WORK/portsentry.conf" >"$WORK/wild.conf"
    rc=0; in_a "$PORTSENTRY" -c "$WORK/wild.conf" --stealth -m raw >"$WORK/wild.out" 2>"$WORK/wild.err" || rc=$?
    assert_eq "$rc" 1 "start with METRICS_LISTEN=$wild"
    grep -qF "every address" "$WORK/wild.err" || fail "start with $wild: $(cat "$WORK/wild.err")"
done

start_daemon daemon "$WORK/portsentry.conf" --stealth -m raw
note "before any scan: build info, empty table, the sets' size, every series at 0"
scrape
grep -qx "status 200" "$WORK/metrics.txt" || fail "GET /metrics: $(head -3 "$WORK/metrics.txt")"
grep -qx "type text/plain; version=0.0.4; charset=utf-8" "$WORK/metrics.txt" || fail "content type: $(head -3 "$WORK/metrics.txt")"
grep -q '^portsentry_build_info{version="[^"]*",commit="[^"]*"} 1' "$WORK/metrics.txt" || fail "no build info"
grep -q '^# HELP portsentry_bans_total ' "$WORK/metrics.txt" || fail "no HELP line"
expect_metric 'portsentry_active_bans{family="ipv4"}' == 0
expect_metric 'portsentry_ban_set_capacity{family="ipv4"}' == 65536
expect_metric 'portsentry_bans_total{origin="probe",family="ipv4"}' == 0
expect_metric 'portsentry_events_total{protocol="tcp",result="blocked"}' == 0
scrape "http://127.0.0.1:9632/"
grep -qx "status 404" "$WORK/metrics.txt" || fail "GET / should be 404: $(cat "$WORK/metrics.txt")"

note "a scan is banned, and the banned source's packets are dropped and counted"
in_b nmap -n -Pn --max-retries 0 -sS -p 11 "$IP_A" >"$WORK/nmap.out" 2>&1 || fail "nmap failed"
wait_metric 5 'portsentry_bans_total{origin="probe",family="ipv4"}' == 1
expect_metric 'portsentry_dropped_packets_total{family="ipv4"}' == 0
# Three UDP datagrams of 100 bytes to a port nobody watches: 3 × (20 + 8 + 100) bytes of IPv4.
in_b python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for _ in range(3): s.sendto(b"x" * 100, (sys.argv[1], 4000))' "$IP_A"
wait_metric 3 'portsentry_dropped_packets_total{family="ipv4"}' == 3
expect_metric 'portsentry_dropped_bytes_total{family="ipv4"}' == 384
expect_metric 'portsentry_dropped_packets_total{family="ipv6"}' == 0
expect_metric 'portsentry_events_total{protocol="tcp",result="blocked"}' == 1
expect_metric 'portsentry_active_bans{family="ipv4"}' == 1
expect_metric 'portsentry_scan_to_ban_seconds_count' == 1
expect_metric 'portsentry_scan_to_ban_seconds_bucket{le="+Inf"}' == 1
wait_metric 5 'portsentry_capture_received_total{interface="any"}' '>' 0
expect_metric 'portsentry_capture_dropped_total{interface="any"}' '>=' 0

note "the ban expires"
wait_metric 10 'portsentry_unbans_total{reason="expired"}' == 1
wait_metric 5 'portsentry_active_bans{family="ipv4"}' == 0

note "a manual ban and its unblock"
expect_ctl 0 block 198.51.100.7 --for 1h
wait_metric 5 'portsentry_bans_total{origin="manual",family="ipv4"}' == 1
expect_metric 'portsentry_active_bans{family="ipv4"}' == 1
expect_ctl 0 unblock 198.51.100.7
wait_metric 5 'portsentry_unbans_total{reason="manual"}' == 1
wait_metric 5 'portsentry_active_bans{family="ipv4"}' == 0
stop_pid "$DAEMON_PID" || fail "daemon exit status $?"

note "a non-loopback address named explicitly: served there (with a warning), and only there"
sed "s/^METRICS_LISTEN=.*/METRICS_LISTEN=\"$IP_A:9632\"/" "$WORK/portsentry.conf" >"$WORK/explicit.conf"
start_daemon explicit "$WORK/explicit.conf" --stealth -m raw
grep -qF "METRICS_LISTEN=\"$IP_A:9632\" is not a loopback address" "$WORK/explicit.err" || fail "no warning: $(cat "$WORK/explicit.err")"
scrape "http://$IP_A:9632/metrics" "$NS_B"
grep -qx "status 200" "$WORK/metrics.txt" || fail "not served on $IP_A: $(head -3 "$WORK/metrics.txt")"
in_a python3 -c 'import socket; socket.create_connection(("127.0.0.1", 9632), timeout=2)' 2>/dev/null \
    && fail "also listening on 127.0.0.1"
note "ok"
