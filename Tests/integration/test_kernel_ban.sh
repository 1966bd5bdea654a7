#!/usr/bin/env bash
# KERNEL_BAN: the probe's own packet bans its source in the kernel (stealth mode, nftables).
# A real nmap SYN scan is cut off in the kernel: its source is in the trap set while the daemon
# is stopped with SIGSTOP, and the daemon logs the probe after SIGCONT, saying the kernel banned
# it, and records the ban in the ban set.
# Ignored, protected and local (forged) sources are never added by the kernel rule; a served
# watched port is no trap, and a port that gets a listener leaves the trap within a second; a
# UDP reply to the host's own query on a watched ephemeral port never bans; kernel-made bans are
# listed, unblocked (from the trap set too) and repaired after `nft flush ruleset` like any
# other; KERNEL_BAN="0" puts no rule in the kernel and the daemon still bans; nft/*.nft load
# with nft -f.
. "$(dirname "$0")/lib.sh"
make_pair
NET=${IP_B%.*}
IGNORED=$NET.3; PROTECTED=$NET.4; LATE=$NET.5; CLIENT=$NET.6
for a in $IGNORED $PROTECTED $LATE $CLIENT; do ip -n "$NS_B" addr add "$a/24" dev "$IF_B"; done
TABLE=ps_kban_$TEST_NUM
echo "$IGNORED" > "$WORK/ignore"
write_conf() {
    cat > "$WORK/portsentry.conf" <<CONF
TCP_PORTS="23,111,2000,40000"
UDP_PORTS="69,40001"
BLOCK_TCP="1"
BLOCK_UDP="1"
SCAN_TRIGGER="0"
BAN_TIME="10m"
NFT_TABLE="$TABLE"
IGNORE_FILE="$WORK/ignore"
PROTECT="$PROTECTED"
KERNEL_BAN="$1"
CONF
    test_paths_conf >> "$WORK/portsentry.conf"
}
# grep reads all of nft's output (with -q it may exit first: SIGPIPE fails the pipeline under pipefail).
# in_set ADDRESS [SET]: ADDRESS is in SET (banned_v4 unless named); in_either: in banned_v4 or trapped_v4.
in_set() { in_a nft list set inet "$TABLE" "${2:-banned_v4}" | grep -w -- "$1" > /dev/null; }
in_either() { in_set "$1" || in_set "$1" trapped_v4; }
trap_rule() { in_a nft list chain inet "$TABLE" prerouting | grep 'add @trapped_v4' || true; }
# syn_from SRC PORT: one forged TCP SYN from SRC to IP_A:PORT, sent from the scanner's namespace.
syn_from() { in_b python3 "$ROOT/scripts/lib/forge_syn.py" "$1" "$IP_A" "$2"; }

write_conf auto
start_tcp_listener served 2000
start_daemon daemon "$WORK/portsentry.conf" --stealth
OUT=$WORK/daemon.out
grep -q "Kernel ban: on for TCP and UDP" "$OUT" || fail "no start-up line saying the kernel bans"
wait_for 10 grep -q "Watched port 2000/TCP has a listener" "$WORK/daemon.err"
rule=$(trap_rule)
[[ $rule == *"tcp dport { 23, 111 }"* ]] || fail "the trap should hold 23 and 111 (not the served 2000, not the ephemeral 40000): $rule"
CTL_OUT=$("$PORTSENTRY_CTL" -c "$WORK/portsentry.conf" status) || fail "portsentry-ctl status failed"
grep -q "kernel ban:  on: 2 TCP and 1 UDP ports" <<<"$CTL_OUT" || fail "status does not show the kernel ban: $CTL_OUT"

# Sources the daemon never bans are never added by the kernel either: ignored, protected, and
# this host's own address (forged). The daemon is stopped meanwhile: only the kernel can act.
kill -STOP "$DAEMON_PID"
syn_from "$IGNORED" 23
syn_from "$PROTECTED" 23
syn_from "$IP_A" 23
syn_from "$CLIENT" 2000   # the served port is no trap
in_b timeout 30 nmap -n -Pn --max-retries 0 -sS -S "$LATE" -e "$IF_B" -p 23,111 "$IP_A" > "$WORK/nmap.out" 2>&1 || fail "nmap failed"
wait_for 5 in_set "$LATE" trapped_v4
grep -q "23/tcp  *filtered" "$WORK/nmap.out" || fail "nmap got an answer from the trap port: $(cat "$WORK/nmap.out")"
for a in "$IGNORED" "$PROTECTED" "$IP_A" "$CLIENT"; do ! in_either "$a" || fail "the kernel banned $a"; done
kill -CONT "$DAEMON_PID"
# nmap sends 23 and 111 in either order: the first one to arrive made the ban.
wait_for 10 grep -Eq "Scan from: \[$LATE\] \($LATE\) protocol: \[TCP\] port: \[(23|111)\] type: \[TCP SYN/Normal scan\] IP opts: \[not set\] ignored: \[false\] triggered: \[true\] noblock: \[false\] blocked: \[true\]" "$OUT"
wait_for 10 grep -qF "attackalert: Host $LATE has been blocked via nftables set inet $TABLE banned_v4 for 10m (by the kernel, on the probe's own packet)" "$OUT"
wait_for 10 has_size "$WORK/blocked" 6
in_set "$LATE" || fail "the daemon did not record the kernel's ban of $LATE in banned_v4"
grep -q "$LATE" "$WORK/history" || fail "no history record for $LATE"

# A reply to this host's own query, on a watched UDP port inside the ephemeral range, never bans.
start_bg resolver ip netns exec "$NS_B" python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("0.0.0.0", 5353))
while True:
    data, peer = s.recvfrom(512); s.sendto(data, peer)'
wait_for 10 sh -c "ip netns exec $NS_B ss -Hlun 'sport = :5353' | grep -q 5353"
reply=$(in_a python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("0.0.0.0", 40001)); s.settimeout(2)
s.sendto(b"query", (sys.argv[1], 5353)); print(s.recv(512).decode())' "$IP_B") || fail "no UDP reply"
[ "$reply" = query ] || fail "UDP reply: $reply"
! in_either "$IP_B" || fail "a reply to the host's own query banned $IP_B"

# A watched port that gets a listener leaves the trap within a second, with a warning.
start_tcp_listener late 111
wait_for 3 grep -q "Watched port 111/TCP has a listener" "$WORK/daemon.err"
wait_for 3 sh -c "ip netns exec $NS_A nft list chain inet $TABLE prerouting | grep 'add @trapped_v4' | grep -q 'tcp dport 23 '"

# Kernel-made bans are the daemon's bans: listed, repaired after a flushed ruleset, unblocked.
"$PORTSENTRY_CTL" -c "$WORK/portsentry.conf" list | grep -q "$LATE" || fail "list does not show $LATE"
in_a nft flush ruleset
wait_for 3 in_set "$LATE"
wait_for 3 sh -c "ip netns exec $NS_A nft list chain inet $TABLE prerouting | grep -q 'add @trapped_v4'"
"$PORTSENTRY_CTL" -c "$WORK/portsentry.conf" unblock "$LATE" > /dev/null || fail "unblock failed"
! in_either "$LATE" || fail "$LATE still banned after unblock"
# Trapped again, then unblocked while the trap set still holds it: both sets let it go.
syn_from "$LATE" 23
wait_for 5 in_set "$LATE" trapped_v4
wait_for 10 in_set "$LATE"
"$PORTSENTRY_CTL" -c "$WORK/portsentry.conf" unblock "$LATE" > /dev/null || fail "unblock failed"
! in_either "$LATE" || fail "$LATE still in a set after its second unblock"

# Stopping the daemon removes the trap (nobody would follow listeners) and keeps the bans.
"$PORTSENTRY_CTL" -c "$WORK/portsentry.conf" block "$CLIENT" > /dev/null || fail "block failed"
in_set "$CLIENT" || fail "$CLIENT is not in the set after portsentry-ctl block"
stop_pid "$DAEMON_PID" || fail "daemon exit status $?"
[ -z "$(trap_rule)" ] || fail "the trap outlived the daemon"
in_set "$CLIENT" || fail "the bans did not outlive the daemon: $(in_a nft list table inet "$TABLE")"

# KERNEL_BAN="0": no rule in the kernel, the daemon bans as before.
write_conf 0
start_daemon daemon0 "$WORK/portsentry.conf" --stealth
grep -q 'Kernel ban: off (KERNEL_BAN="0")' "$WORK/daemon0.out" || fail "no start-up line for KERNEL_BAN=0"
[ -z "$(trap_rule)" ] || fail "KERNEL_BAN=0 installed a trap"
in_b timeout 30 nmap -n -Pn --max-retries 0 -sS -p 23 "$IP_A" > /dev/null 2>&1 || fail "nmap failed"
wait_for 10 in_set "$IP_B"
wait_for 10 grep -qF "attackalert: Host $IP_B has been blocked via nftables set inet $TABLE banned_v4 for 10m" "$WORK/daemon0.out"
! grep -qF "(by the kernel" "$WORK/daemon0.out" || fail "KERNEL_BAN=0 but a ban is said to be the kernel's"
stop_pid "$DAEMON_PID" || fail "daemon exit status $?"

# The reference rulesets load with nft -f, twice and over each other.
for f in portsentry.nft portsentry-kernel-ban.nft portsentry-kernel-ban.nft portsentry.nft; do
    in_a nft -f "$ROOT/nft/$f" || fail "nft -f nft/$f failed"
done
note "ok"
