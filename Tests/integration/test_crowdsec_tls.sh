#!/usr/bin/env bash
# CrowdSec over https with a private CA (CROWDSEC_CA_FILE), and CROWDSEC_PUSH_UNBLOCK, against a
# real LAPI (Debian 12's crowdsec, LAPI only): without the CA the daemon reports the LAPI
# unreachable with a certificate error and pushes nothing; with it a scan banned here reaches
# the LAPI; `portsentry-ctl unblock` deletes our decision fleet-wide; a decision added by cscli
# comes back as a fleet ban that `explain` names.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/crowdsec_lib.sh"
command -v crowdsec >/dev/null || fail "crowdsec is not installed (scripts/install-deps.sh)"

NS_L="psl$TEST_NUM"
NET="10.$_X.$_Y"
LAPI_IP="$NET.1"; SCAN="$NET.9"; OTHER="$NET.10"; A_IP="$NET.2"
for ns in "$NS_L" "$NS_A"; do ip netns add "$ns"; _NETNS+=("$ns"); ip -n "$ns" link set lo up; done
ip link add "la$TEST_NUM" netns "$NS_L" type veth peer name "al$TEST_NUM" netns "$NS_A"
for a in "$LAPI_IP" "$SCAN" "$OTHER"; do ip -n "$NS_L" addr add "$a/24" dev "la$TEST_NUM"; done
ip -n "$NS_A" addr add "$A_IP/24" dev "al$TEST_NUM"
ip -n "$NS_L" link set "la$TEST_NUM" up; ip -n "$NS_A" link set "al$TEST_NUM" up

note "a private CA and a certificate for the LAPI's address"
pki=$WORK/pki; mkdir -p "$pki"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=portsentry test CA" \
    -keyout "$pki/ca.key" -out "$pki/ca.pem" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=$LAPI_IP" -keyout "$pki/lapi.key" -out "$pki/lapi.csr" 2>/dev/null
printf 'subjectAltName=IP:%s\nextendedKeyUsage=serverAuth\n' "$LAPI_IP" >"$pki/ext"
openssl x509 -req -in "$pki/lapi.csr" -CA "$pki/ca.pem" -CAkey "$pki/ca.key" -CAcreateserial -days 2 \
    -extfile "$pki/ext" -out "$pki/lapi.pem" 2>/dev/null
LAPI_TLS_CERT=$pki/lapi.pem LAPI_TLS_KEY=$pki/lapi.key lapi_setup "$NS_L" "$LAPI_IP"
[[ $LAPI_URL == https://* ]] || fail "LAPI not on https: $LAPI_URL"
cscli_run machines add ps-a --password 'ps-a-password-0123' -f "$WORK/a.credentials" >/dev/null
cscli_run bouncers add ps-a-bouncer -k 'ps-a-api-key-0123456789' >/dev/null
lapi_start

# conf EXTRA...: daemon A's config with push, pull and push-unblock, plus EXTRA lines.
conf() {
    mkdir -p "$WORK/a"
    cat >"$WORK/a.conf" <<CONF
TCP_PORTS="11"
UDP_PORTS="7"
SCAN_TRIGGER="0"
BLOCK_BACKEND="nftables"
BAN_TIME="1h"
NFT_TABLE="pstls$TEST_NUM"
CONTROL_SOCKET="$WORK/a/control.sock"
STATE_FILE="$WORK/a/bans.state"
CROWDSEC_LAPI_URL="$LAPI_URL"
CROWDSEC_PULL_INTERVAL="1s"
CROWDSEC_QUEUE_FILE="$WORK/a/crowdsec.queue"
CROWDSEC_MACHINE_ID="ps-a"
CROWDSEC_PASSWORD="ps-a-password-0123"
CROWDSEC_API_KEY="ps-a-api-key-0123456789"
CROWDSEC_PUSH_UNBLOCK="1"
CONF
    printf '%s\n' "$@" >>"$WORK/a.conf"
    chmod 600 "$WORK/a.conf"
}
start_a() {
    local n=$(( ${STARTS:-0} + 1 )); STARTS=$n
    start_bg "a$n" ip netns exec "$NS_A" "$PORTSENTRY" -c "$WORK/a.conf" -i "al$TEST_NUM"
    PID_A=$LAST_PID; OUT_A=$WORK/a$n
    wait_for 20 grep -q "Portsentry is now active and listening." "$OUT_A.out"
}
ctl_a() { ip netns exec "$NS_A" "$PORTSENTRY_CTL" -c "$WORK/a.conf" "$@"; }
status_has() { local out; out=$(ctl_a status) && grep -q -- "$1" <<<"$out"; }
listed() { local out; out=$(ctl_a list) && grep -q "^$1 .*$2" <<<"$out"; }
in_lapi() { local out; out=$(lapi_decisions) && grep -qx "$1" <<<"$out"; }
not_in_lapi() { local out; out=$(lapi_decisions) && ! grep -q "^$1 " <<<"$out"; }
probe() {
    ip netns exec "$NS_L" python3 -c '
import socket, sys
s = socket.socket(); s.settimeout(0.5); s.bind((sys.argv[1], 0))
try: s.connect((sys.argv[2], 11))
except OSError: pass' "$1" "$A_IP"
}

note "without the CA file the LAPI's certificate is refused, and nothing is pushed"
conf
start_a
wait_for 15 status_has "unreachable"
ctl_a status | grep "crowdsec:" | grep -qi "certificate\|SSL\|TLS" || fail "no certificate error: $(ctl_a status)"
probe "$OTHER"
wait_for 5 listed "$OTHER" "TCP/11"
wait_for 5 status_has "queue 1$"
not_in_lapi "$OTHER" || fail "pushed over an unverified connection"
stop_pid "$PID_A" || fail "daemon exit status $?"

note "with CROWDSEC_CA_FILE the queued ban and a new one are delivered"
conf "CROWDSEC_CA_FILE=\"$pki/ca.pem\""
start_a
wait_for 15 in_lapi "$OTHER portsentry portsentry/tcp-scan"
probe "$SCAN"
wait_for 10 in_lapi "$SCAN portsentry portsentry/tcp-scan"
wait_for 5 status_has "crowdsec:    $LAPI_URL reachable"

note "portsentry-ctl unblock deletes our decision fleet-wide (CROWDSEC_PUSH_UNBLOCK)"
ctl_a unblock "$SCAN" >"$WORK/unblock.out" || fail "unblock: $(cat "$WORK/unblock.out")"
wait_for 10 not_in_lapi "$SCAN"
in_lapi "$OTHER portsentry portsentry/tcp-scan" || fail "unblock of $SCAN deleted $OTHER's decision too"

note "a decision added by cscli comes back as a fleet ban that explain names"
cscli_run decisions add --ip 198.51.100.77 --duration 2h --reason "seen elsewhere" >/dev/null
wait_for 6 listed 198.51.100.77 "fleet: lapi:cscli"
ctl_a explain 198.51.100.77 >"$WORK/explain.out" || fail "explain failed"
grep -qF "decided by:  fleet ban from lapi:cscli" "$WORK/explain.out" || fail "explain: $(cat "$WORK/explain.out")"
grep -qF "(what the fleet's decision had left)" "$WORK/explain.out" || fail "explain duration: $(cat "$WORK/explain.out")"
! grep -q "password\|api-key" "$OUT_A.out" "$OUT_A.err" "$WORK/explain.out" || fail "a secret leaked"
stop_pid "$PID_A" || fail "daemon exit status $?"
note "ok"
