#!/usr/bin/env bash
# Fleet bans through a real CrowdSec LAPI (Debian 12's crowdsec, LAPI only, no central API).
# Topology, all in this test's namespaces: NS_L runs the LAPI (on $LAPI_IP) and plays the
# scanner from its other addresses; daemon A (NS_A) and daemon B (NS_B) each reach NS_L over a
# veth pair. A bans a scan and pushes it; B pulls it within two intervals and drops the
# scanner's traffic; cscli's delete lifts it on B; a protected address added by cscli is
# refused by B; a cscli Range is a prefix ban on B until its delete; A's queue survives a LAPI
# restart (which invalidates its token); B keeps its fleet bans across its own restart while
# the LAPI is down. Each daemon's metrics count the fleet's side: B's fleet bans, pulled,
# refused and withdrawn decisions; A's pushes, its own decisions coming back, push failures.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/crowdsec_lib.sh"
. "$(dirname "$0")/metrics_lib.sh"
command -v crowdsec >/dev/null || fail "crowdsec is not installed (scripts/install-deps.sh)"

NS_L="psl$TEST_NUM"
NET="10.$_X.$_Y"
LAPI_IP="$NET.1"; SCAN1="$NET.9"; SCAN2="$NET.10"; A_IP="$NET.2"     # L-A link: $NET.0/26
L_B="$NET.65"; B_IP="$NET.66"                                         # L-B link: $NET.64/26
PROTECTED="$NET.30"
for ns in "$NS_L" "$NS_A" "$NS_B"; do ip netns add "$ns"; _NETNS+=("$ns"); ip -n "$ns" link set lo up; done
ip link add "la$TEST_NUM" netns "$NS_L" type veth peer name "al$TEST_NUM" netns "$NS_A"
ip link add "lb$TEST_NUM" netns "$NS_L" type veth peer name "bl$TEST_NUM" netns "$NS_B"
for a in "$LAPI_IP" "$SCAN1" "$SCAN2" "$PROTECTED"; do ip -n "$NS_L" addr add "$a/26" dev "la$TEST_NUM"; done
ip -n "$NS_L" addr add "$L_B/26" dev "lb$TEST_NUM"
ip -n "$NS_A" addr add "$A_IP/26" dev "al$TEST_NUM"
ip -n "$NS_B" addr add "$B_IP/26" dev "bl$TEST_NUM"
for l in "$NS_L la$TEST_NUM" "$NS_L lb$TEST_NUM" "$NS_A al$TEST_NUM" "$NS_B bl$TEST_NUM"; do set -- $l; ip -n "$1" link set "$2" up; done
ip -n "$NS_B" route add "$NET.0/26" via "$L_B"

lapi_setup "$NS_L" "$LAPI_IP"
cscli_run machines add ps-a --password 'ps-a-password-0123' -f "$WORK/a.credentials" >/dev/null
cscli_run machines add ps-b --password 'ps-b-password-0123' -f "$WORK/b.credentials" >/dev/null
cscli_run bouncers add ps-a-bouncer -k 'ps-a-api-key-0123456789' >/dev/null
cscli_run bouncers add ps-b-bouncer -k 'ps-b-api-key-0123456789' >/dev/null
chmod 600 "$WORK/b.credentials"
lapi_start

# daemon_conf NAME EXTRA: a stealth config with its own table, files and CROWDSEC_* lines.
daemon_conf() {
    local name=$1; shift
    mkdir -p "$WORK/$name"
    cat >"$WORK/$name.conf" <<CONF
TCP_PORTS="11,15"
UDP_PORTS="7"
BLOCK_TCP="1"
BLOCK_UDP="1"
SCAN_TRIGGER="0"
BLOCK_BACKEND="nftables"
BAN_TIME="1h"
NFT_TABLE="ps$name$TEST_NUM"
CONTROL_SOCKET="$WORK/$name/control.sock"
STATE_FILE="$WORK/$name/bans.state"
BLOCKED_FILE="$WORK/$name/blocked"
HISTORY_FILE="$WORK/$name/history"
CROWDSEC_LAPI_URL="$LAPI_URL"
CROWDSEC_PULL_INTERVAL="2s"
CROWDSEC_QUEUE_FILE="$WORK/$name/crowdsec.queue"
METRICS_LISTEN="127.0.0.1:9632"
CONF
    printf '%s\n' "$@" >>"$WORK/$name.conf"
    chmod 600 "$WORK/$name.conf"
}
daemon_conf a 'CROWDSEC_MACHINE_ID="ps-a"' 'CROWDSEC_PASSWORD="ps-a-password-0123"' 'CROWDSEC_API_KEY="ps-a-api-key-0123456789"'
printf 'ps-b-api-key-0123456789\n' >"$WORK/b.key"; chmod 600 "$WORK/b.key"
daemon_conf b "CROWDSEC_CREDENTIALS=\"$WORK/b.credentials\"" "CROWDSEC_API_KEY_FILE=\"$WORK/b.key\"" "PROTECT=\"$PROTECTED\""

note "a config file holding a password that everyone may read is refused"
chmod 644 "$WORK/a.conf"
if "$PORTSENTRY" -c "$WORK/a.conf" --check-config >"$WORK/check.out" 2>&1; then fail "a world-readable password was accepted"; fi
grep -q "holds a CrowdSec secret but it is readable by every user" "$WORK/check.out" || fail "unclear refusal: $(cat "$WORK/check.out")"
chmod 600 "$WORK/a.conf"

# start_in NS NAME: run daemon NAME in NS and wait until it listens; sets PID_<NAME>.
start_in() {
    local ns=$1 name=$2 n=$(( ${STARTS:-0} + 1 )); STARTS=$n
    start_bg "$name$n" ip netns exec "$ns" "$PORTSENTRY" -c "$WORK/$name.conf" -i "$3"
    eval "PID_$name=$LAST_PID; OUT_$name=$WORK/$name$n.out"
    wait_for 20 grep -q "Portsentry is now active and listening." "$WORK/$name$n.out"
}
ctl_in() { ip netns exec "$1" "$PORTSENTRY_CTL" -c "$WORK/$2.conf" "${@:3}"; }
# The whole answer first: grep -q may stop reading early (SIGPIPE under pipefail).
listed_as() { local out; out=$(ctl_in "$1" "$2" list) && grep -q "^$3 .*$4" <<<"$out"; }
# from SRC HOST PORT: a TCP connection from NS_L's address SRC succeeds within 1.5 s.
from() {
    ip netns exec "$NS_L" python3 -c '
import socket, sys
s = socket.socket(); s.settimeout(1.5); s.bind((sys.argv[1], 0)); s.connect((sys.argv[2], int(sys.argv[3])))' "$@" 2>/dev/null
}
# probe SRC: one SYN from SRC to A's watched port 11.
probe() { from "$1" "$A_IP" 11 || true; }
in_lapi() { local out; out=$(lapi_decisions) && grep -qx "$1" <<<"$out"; }
not_listed() { local out; out=$(ctl_in "$1" "$2" list) && ! grep -q "^$3 " <<<"$out"; }
start_in "$NS_A" a "al$TEST_NUM"
start_in "$NS_B" b "bl$TEST_NUM"
start_bg web ip netns exec "$NS_B" python3 -m http.server 2222 --bind "$B_IP"
wait_for 5 from "$SCAN1" "$B_IP" 2222

note "a scan banned by A reaches the LAPI with our origin and scenario"
probe "$SCAN1"
wait_for 10 listed_as "$NS_A" a "$SCAN1" "TCP/11"
wait_for 10 in_lapi "$SCAN1 portsentry portsentry/tcp-scan"

note "B bans the scanner within two pull intervals, and drops its traffic"
wait_for 6 listed_as "$NS_B" b "$SCAN1" "fleet: lapi:portsentry"
! from "$SCAN1" "$B_IP" 2222 || fail "B let the fleet-banned scanner in"
from "$SCAN2" "$B_IP" 2222 || fail "B drops an address nobody banned"
ctl_in "$NS_B" b status >"$WORK/status.out"
grep -q "fleet bans:  lapi:portsentry 1" "$WORK/status.out" || fail "status: $(cat "$WORK/status.out")"
grep -q "crowdsec:    $LAPI_URL reachable" "$WORK/status.out" || fail "status reachability: $(cat "$WORK/status.out")"
! grep -q "password\|api-key" "$WORK/status.out" "$OUT_a" "$OUT_b" || fail "a secret leaked into status or the logs"
# Nothing pulled is pushed again, and A recognised its own decision.
[ "$(lapi_decisions | grep -c "^$SCAN1 ")" -eq 1 ] || fail "the decision was pushed back: $(lapi_decisions)"
listed_as "$NS_A" a "$SCAN1" "TCP/11" || fail "A's own ban turned into a fleet ban"
METRICS_NS=$NS_B expect_metric 'portsentry_bans_total{origin="fleet",family="ipv4"}' == 1
METRICS_NS=$NS_B expect_metric 'portsentry_fleet_decisions_total{result="applied"}' '>=' 1
METRICS_NS=$NS_B expect_metric 'portsentry_fleet_lapi_reachable' == 1
METRICS_NS=$NS_B expect_metric 'portsentry_fleet_last_pull_timestamp_seconds' '>' 0
METRICS_NS=$NS_A wait_metric 6 'portsentry_fleet_pushed_total' == 1
METRICS_NS=$NS_A wait_metric 6 'portsentry_fleet_decisions_total{result="own"}' '>=' 1

note "a protected address added by cscli is refused by B"
cscli_run decisions add --ip "$PROTECTED" --duration 1h --reason test >/dev/null
wait_for 6 grep -q "Host $PROTECTED is protected (PROTECT), not blocked" "$OUT_b"
not_listed "$NS_B" b "$PROTECTED" || fail "B banned a protected address"
METRICS_NS=$NS_B expect_metric 'portsentry_fleet_decisions_total{result="refused"}' '>=' 1
METRICS_NS=$NS_B expect_metric 'portsentry_ban_refusals_total{origin="fleet",reason="protected"}' '>=' 1

note "a Range decision is a prefix ban on B, and its delete lifts it"
cscli_run decisions add --range 198.51.100.0/24 --duration 1h --reason test >/dev/null
wait_for 6 listed_as "$NS_B" b "198.51.100.0/24" "fleet: lapi:cscli"
cscli_run decisions delete --range 198.51.100.0/24 >/dev/null
wait_for 6 not_listed "$NS_B" b "198.51.100.0/24"
METRICS_NS=$NS_B expect_metric 'portsentry_unbans_total{reason="withdrawn"}' == 1

note "cscli decisions delete lifts the fleet ban on B"
cscli_run decisions delete --ip "$SCAN1" >/dev/null
wait_for 6 not_listed "$NS_B" b "$SCAN1"
wait_for 3 from "$SCAN1" "$B_IP" 2222
listed_as "$NS_A" a "$SCAN1" "TCP/11" || fail "the delete lifted A's local ban"

note "A's queue survives a LAPI restart and is delivered (its token is invalid after it)"
lapi_stop
probe "$SCAN2"
wait_for 10 listed_as "$NS_A" a "$SCAN2" "TCP/11"
status_has() { local out; out=$(ctl_in "$1" "$2" status) && grep -q -- "$3" <<<"$out"; }
wait_for 10 status_has "$NS_A" a "unreachable"
status_has "$NS_A" a "queue 1$" || fail "A's status does not show the queued ban: $(ctl_in "$NS_A" a status)"
wait_for 5 grep -q "CrowdSec push failed, 1 queued ban(s) kept" "${OUT_a%.out}.err"
METRICS_NS=$NS_A expect_metric 'portsentry_fleet_push_failures_total' '>=' 1
METRICS_NS=$NS_A expect_metric 'portsentry_fleet_push_queue_depth' == 1
METRICS_NS=$NS_A expect_metric 'portsentry_fleet_lapi_reachable' == 0
METRICS_NS=$NS_B wait_metric 6 'portsentry_fleet_pull_failures_total' '>=' 1
lapi_start
wait_for 15 in_lapi "$SCAN2 portsentry portsentry/tcp-scan"
wait_for 6 listed_as "$NS_B" b "$SCAN2" "fleet: lapi:portsentry"

note "B keeps its fleet bans across its own restart while the LAPI is down"
lapi_stop
stop_pid "$PID_b" || fail "B exit status $?"
start_in "$NS_B" b "bl$TEST_NUM"
listed_as "$NS_B" b "$SCAN2" "fleet: lapi:portsentry" || fail "B lost the fleet ban on restart"
! from "$SCAN2" "$B_IP" 2222 || fail "B let the scanner in after its restart"
stop_pid "$PID_b" || fail "B exit status $?"
stop_pid "$PID_a" || fail "A exit status $?"
note "ok"
