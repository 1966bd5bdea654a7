#!/usr/bin/env bash
# Prefix bans end to end (IPV6_BAN_PREFIX, IPV4_BAN_PREFIX; docs/configuration.md "Prefix bans"):
# a probe from one address of a scanner's /64 bans the /64, so a second address of it that was
# never seen is really dropped (no SYN-ACK, the drop counter rises) while another /64 is not;
# unblock of an inner address lifts the /64; the kernel trap's host bans of two racing probes
# are folded into the /64; with SCAN_TRIGGER=2 one probe from each of two
# addresses of a /64 bans it; with IPV4_BAN_PREFIX=24 a /24 is banned; a local or protected
# address (PROTECT, an SSH peer) inside the prefix makes it a host ban.
. "$(dirname "$0")/lib.sh"
make_pair
TABLE="pspfx$TEST_NUM"
# The scanner's addresses: two in one /64 (P1), one in another (P2), none sharing NS_A's /64;
# two in an IPv4 /24 that is not NS_A's. NS_A reaches them on the link.
P1="fd01:$_X:$(( _Y + 1 ))::"; P2="fd01:$_X:$(( _Y + 2 ))::"
P3="fd01:$_X:$(( _Y + 3 ))::"
S1="${P1}a"; S2="${P1}b"; S3="${P2}a"; S3_PROTECTED="${P2}99"; S4="${P3}a"; S4_SSH="${P3}22"
N4="10.$_X.$(( _Y + 1 ))"; V1="$N4.7"; V2="$N4.8"
for a in "$S1" "$S2" "$S3" "$S4" "$S4_SSH"; do ip -n "$NS_B" -6 addr add "$a/64" dev "$IF_B" nodad; done
for a in "$V1" "$V2"; do ip -n "$NS_B" addr add "$a/24" dev "$IF_B"; done
ip -n "$NS_A" -6 route add "fd01:$_X::/32" dev "$IF_A"
ip -n "$NS_A" route add "$N4.0/24" dev "$IF_A"

write_conf() {   # SCAN_TRIGGER IPV4_BAN_PREFIX
    cat > "$WORK/portsentry.conf" <<CONF
TCP_PORTS="11,15"
UDP_PORTS="7"
BLOCK_TCP="1"
BLOCK_UDP="1"
SCAN_TRIGGER="$1"
IPV4_BAN_PREFIX="$2"
BLOCK_BACKEND="nftables"
BAN_TIME="10m"
NFT_TABLE="$TABLE"
PROTECT="$S3_PROTECTED"
CONF
    test_paths_conf >> "$WORK/portsentry.conf"
}

# connect_from SOURCE DESTINATION PORT: a TCP connect from SOURCE (NS_B) succeeds within 1.5 s
# (a refused or unanswered SYN fails; either way the SYN was sent).
connect_from() {
    in_b python3 -c '
import socket, sys
src, dst, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
s = socket.socket(socket.AF_INET6 if ":" in dst else socket.AF_INET, socket.SOCK_STREAM)
s.settimeout(1.5); s.bind((src, 0)); s.connect((dst, port))' "$@" 2>/dev/null
}
probe() { connect_from "$@" || true; }
# in_set SET TEXT: the set's listing names TEXT (an address or a prefix's network address).
in_set() { local out; out=$(in_a nft list set inet "$TABLE" "$1") && grep -qw -- "$2" <<<"$out"; }
not_in_set() { ! in_set "$@"; }
dropped() { in_a nft -j list counter inet "$TABLE" "dropped_$1" | python3 -c 'import json,sys; print([o["counter"]["packets"] for o in json.load(sys.stdin)["nftables"] if "counter" in o][0])'; }
ctl() { in_a "$PORTSENTRY_CTL" -c "$WORK/portsentry.conf" "$@"; }
events() { ctl status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["eventsSinceStart"])'; }

start_bg web ip netns exec "$NS_A" python3 -m http.server 2222 --bind ::
wait_for 5 bash -c "ip netns exec $NS_A ss -ltn | grep -q ':2222 '"

# 1. SCAN_TRIGGER=0 (the kernel trap bans S1 on its probe; the daemon bans its /64).
write_conf 0 32
start_daemon d1 "$WORK/portsentry.conf" --stealth -m raw
OUT=$WORK/d1.out
connect_from "$S2" "$IP6_A" 2222 || fail "$S2 cannot connect before the scan"
probe "$S1" "$IP6_A" 11
wait_for 5 in_set banned_v6_64 "$P1"
wait_for 5 grep -qF "attackalert: Host $S1 has been blocked via nftables set inet $TABLE banned_v6_64 for 10m (prefix $P1/64)" "$OUT"
not_in_set banned_v6 "$S1" || fail "the kernel's host element of $S1 was not replaced by its /64"
before=$(dropped v6)
! connect_from "$S2" "$IP6_A" 2222 || fail "$S2, inside the banned /64, could connect"
after=$(dropped v6)
[ "$after" -gt "$before" ] || fail "dropped_v6 did not rise ($before -> $after)"
note "$P1/64 banned after one probe from $S1; $S2 (never seen) dropped, dropped_v6 $before -> $after"
connect_from "$S3" "$IP6_A" 2222 || fail "$S3, in another /64, cannot connect"
ctl list | grep -F "$P1/64" >/dev/null || fail "portsentry-ctl list does not show $P1/64"
ctl list --json | grep -F "\"$P1/64\"" >/dev/null || fail "portsentry-ctl list --json does not show $P1/64"
ctl unblock "$S2" > "$WORK/unblock.out" || fail "unblock of $S2 failed"
grep -F "$P1/64" "$WORK/unblock.out" >/dev/null || fail "unblock of $S2 does not say it lifted $P1/64: $(cat "$WORK/unblock.out")"
not_in_set banned_v6_64 "$P1" || fail "$P1/64 still in the set after unblock of $S2"
wait_for 3 connect_from "$S2" "$IP6_A" 2222
note "unblock $S2 lifted $P1/64"

# Two addresses of the /64 probe within microseconds: the kernel trap bans both hosts before the
# daemon's /64 lands; their host elements are folded into the /64, so unblocking it lifts all.
in_b python3 -c '
import socket, sys
dst = sys.argv[3]
for src in sys.argv[1:3]:
    s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM); s.setblocking(False); s.bind((src, 0))
    try: s.connect((dst, 11))
    except BlockingIOError: pass' "$S1" "$S2" "$IP6_A"
wait_for 5 in_set banned_v6_64 "$P1"
both_folded() { not_in_set banned_v6 "$S1" && not_in_set banned_v6 "$S2"; }
wait_for 5 both_folded
ctl unblock "$P1/64" >/dev/null || fail "unblock of $P1/64 failed"
wait_for 3 connect_from "$S1" "$IP6_A" 2222
connect_from "$S2" "$IP6_A" 2222 || fail "$S2 still banned after unblock of $P1/64"
note "two racing probes: both kernel host bans folded into $P1/64; unblock of the /64 lifted both"

# A protected address in the prefix: the probe bans the host alone.
probe "$S3" "$IP6_A" 11
wait_for 5 in_set banned_v6 "$S3"
not_in_set banned_v6_64 "$P2" || fail "$P2/64 was banned although $S3_PROTECTED (PROTECT) is inside"
wait_for 5 grep -qF "attackalert: Host $S3 is banned alone, not its prefix: $S3_PROTECTED (PROTECT) shares $P2/64" "$OUT"
note "$S3 banned alone: $S3_PROTECTED is protected"

# An SSH session's peer in the prefix (PROTECT_AUTO, asked of the kernel per ban): the host alone.
start_tcp_listener sshd 22
start_bg session in_b python3 -c "
import socket, time
c = socket.create_connection(('$IP6_A', 22), source_address=('$S4_SSH', 0))
time.sleep(300)"
wait_for 10 sh -c "ip netns exec $NS_A ss -Htn state established 'sport = :22' | grep -q '$S4_SSH'"
probe "$S4" "$IP6_A" 11
wait_for 5 in_set banned_v6 "$S4"
wait_for 5 grep -qF "attackalert: Host $S4 is banned alone, not its prefix: $S4_SSH (ssh session) shares $P3/64" "$OUT"
note "$S4 banned alone: $S4_SSH has an SSH session"
stop_pid "$DAEMON_PID" || fail "daemon exit status $?"
ctl flush --yes >/dev/null 2>&1

# 2. SCAN_TRIGGER=2 counts per /64: one probe from S1 and one from S2 ban P1.
write_conf 2 32
start_daemon d2 "$WORK/portsentry.conf" --stealth -m raw
probe "$S1" "$IP6_A" 11
wait_for 5 test "$(events)" -ge 1
in_a nft list set inet "$TABLE" banned_v6_64 | grep -F "$P1" >/dev/null && fail "one probe banned $P1/64 with SCAN_TRIGGER=2"
probe "$S2" "$IP6_A" 15
wait_for 5 in_set banned_v6_64 "$P1"
note "SCAN_TRIGGER=2: one probe each from $S1 and $S2 banned $P1/64"
stop_pid "$DAEMON_PID" || fail "daemon exit status $?"
ctl flush --yes >/dev/null 2>&1

# 3. IPV4_BAN_PREFIX=24: a /24 ban drops its other addresses; the scanner's /24 that holds
#    this host's own address is a host ban.
write_conf 0 24
start_daemon d3 "$WORK/portsentry.conf" --stealth -m raw
OUT=$WORK/d3.out
probe "$V1" "$IP_A" 11
wait_for 5 in_set banned_v4_24 "$N4.0"
! connect_from "$V2" "$IP_A" 2222 || fail "$V2, inside the banned /24, could connect"
note "$N4.0/24 banned after a probe from $V1; $V2 dropped"
probe "$IP_B" "$IP_A" 11
wait_for 5 in_set banned_v4 "$IP_B"
# PROTECT_AUTO (the default) protects this host's addresses, so the policy names that reason.
wait_for 5 grep -qF "attackalert: Host $IP_B is banned alone, not its prefix: $IP_A (local address) shares ${IP_A%.*}.0/24" "$OUT"
not_in_set banned_v4_24 "${IP_A%.*}.0" || fail "this host's own /24 was banned"
note "$IP_B banned alone: this host's $IP_A shares its /24"
stop_pid "$DAEMON_PID" || fail "daemon exit status $?"
note "ok"
