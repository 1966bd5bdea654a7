#!/usr/bin/env bash
# Never ban the wrong host: forged probes from the target's default gateway, its resolver (its
# own resolv.conf, in a private /etc), its own address on another interface, a host holding an
# established SSH-like session (a listener on port 22 in the target) and a PROTECT entry are
# refused with the protected line and never reach an nft set; a normal scanner in the same run is
# banned; portsentry-ctl protected lists them; block --force cannot override them.
. "$(dirname "$0")/lib.sh"
make_pair
NET="10.$_X.$_Y"
GATEWAY="$NET.9"; RESOLVER="$NET.53"; SSH_PEER="$NET.22"; PROTECTED="$NET.33"
OTHER_IF_ADDR="172.31.$_Y.1"
for a in "$GATEWAY" "$RESOLVER" "$SSH_PEER" "$PROTECTED" "$OTHER_IF_ADDR"; do ip -n "$NS_B" addr add "$a/32" dev "$IF_B"; done
ip -n "$NS_A" route add default via "$GATEWAY"
# A second interface in the target (a veth pair kept inside it) with its own address.
ip link add "xa$TEST_NUM" netns "$NS_A" type veth peer name "xb$TEST_NUM" netns "$NS_A"
ip -n "$NS_A" addr add "$OTHER_IF_ADDR/32" dev "xa$TEST_NUM"
ip -n "$NS_A" link set "xa$TEST_NUM" up; ip -n "$NS_A" link set "xb$TEST_NUM" up
cat > "$WORK/portsentry.conf" <<CONF
TCP_PORTS="11,15"
UDP_PORTS="7"
BLOCK_TCP="1"
BLOCK_UDP="1"
SCAN_TRIGGER="0"
NFT_TABLE="ps_prot_$TEST_NUM"
PROTECT="$PROTECTED"
CONF
test_paths_conf >> "$WORK/portsentry.conf"

# An SSH-like service in the target, and a session from SSH_PEER that stays open.
start_tcp_listener sshd 22
start_bg session in_b python3 -c "
import socket, time
c = socket.create_connection(('$IP_A', 22), source_address=('$SSH_PEER', 0))
time.sleep(300)"
wait_for 10 sh -c "ip netns exec $NS_A ss -Htn state established 'sport = :22' | grep -q '$SSH_PEER'"

start_daemon_private_etc daemon "$WORK/portsentry.conf" --stealth
OUT=$WORK/daemon.out
# The target's resolver changes while the daemon runs (its private /etc): re-read within a second.
rm -f "$WORK/etc/resolv.conf"   # never write through a link to the machine's own file
printf '# test resolver\nnameserver %s\n' "$RESOLVER" > "$WORK/etc/resolv.conf"
wait_for 10 sh -c "'$PORTSENTRY_CTL' -c '$WORK/portsentry.conf' protected | grep -q '^$RESOLVER .*resolver'"
# probe_from SOURCE TARGET: one SYN to port 11 from SOURCE (an address the scanner holds, so a
# plain connect sends it; the target answers with RST, or not at all when it is its own address).
probe_from() {
    in_b python3 -c "
import socket
s = socket.socket(); s.settimeout(1); s.bind(('$1', 0))
try: s.connect(('$2', 11))
except OSError: pass" || fail "probe from $1 failed"
}
scan_line() { echo "Scan from: [$1] ($1) protocol: [TCP] port: [11] type: [TCP SYN/Normal scan] IP opts: [not set] ignored: [false] triggered: [true] noblock: [false] blocked: [$2]"; }
in_set() { ip netns exec "$NS_A" nft list set inet "ps_prot_$TEST_NUM" banned_v4 | grep -F "$1" > /dev/null; }

for case in "$GATEWAY:default gateway" "$RESOLVER:resolver" "$OTHER_IF_ADDR:local address" "$SSH_PEER:ssh session" "$PROTECTED:PROTECT"; do
    src=${case%%:*}; why=${case#*:}
    probe_from "$src" "$IP_A"
    wait_for 10 has_line "$OUT" "$(scan_line "$src" false)"
    assert_line "$OUT" "attackalert: Host $src is protected ($why), not blocked"
    note "$src: protected ($why)"
done
# A normal scanner in the same run is banned.
in_b nmap -n -Pn --max-retries 0 -sS -p 11 "$IP_A" >>"$WORK/nmap.out" 2>&1 || fail "nmap failed"
wait_for 10 has_line "$OUT" "$(scan_line "$IP_B" true)"
wait_for 10 in_set "$IP_B"
for src in "$GATEWAY" "$RESOLVER" "$OTHER_IF_ADDR" "$SSH_PEER" "$PROTECTED"; do
    ! in_set "$src" || fail "$src is in the ban set"
done

# portsentry-ctl protected lists them; block --force cannot override protection.
"$PORTSENTRY_CTL" -c "$WORK/portsentry.conf" protected > "$WORK/protected.out" || fail "portsentry-ctl protected failed"
for row in "$GATEWAY  *default gateway" "$RESOLVER  *resolver" "$OTHER_IF_ADDR  *local address" "$PROTECTED  *PROTECT"; do
    grep -Eq "^$row\$" "$WORK/protected.out" || fail "protected does not list '$row': $(cat "$WORK/protected.out")"
done
"$PORTSENTRY_CTL" -c "$WORK/portsentry.conf" status | grep -q "protected: .*default gateway 1" || fail "status does not show protection"
if "$PORTSENTRY_CTL" -c "$WORK/portsentry.conf" block --force "$GATEWAY" > "$WORK/force.out" 2>&1; then fail "block --force of the gateway succeeded"; fi
grep -q "is protected (default gateway)" "$WORK/force.out" || fail "block --force: $(cat "$WORK/force.out")"
! in_set "$GATEWAY" || fail "the gateway is in the ban set after block --force"
stop_pid "$DAEMON_PID" || fail "daemon exit status $?"
note "ok"
