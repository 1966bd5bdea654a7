#!/usr/bin/env bash
# Connect mode with a portsentry 2.x legacy config: banner, KILL_RUN_CMD first, KILL_HOSTS_DENY,
# KILL_ROUTE with quotes and redirections, exact log lines, history, blocked file, IPv4 and IPv6.
# Run three times: with no /etc/hosts.deny, an empty one and one holding Debian's default comment
# block; portsentry's lines must follow whatever the file held.
. "$(dirname "$0")/lib.sh"
make_pair
cat > "$WORK/portsentry.conf" <<CONF
TCP_PORTS="11,15"
UDP_PORTS="7"
BLOCK_TCP="1"
BLOCK_UDP="1"
KILL_ROUTE="echo route \$TARGET\$ \$PORT\$ \$MODE\$ >> $WORK/actions && echo "\$TARGET\$:\$PORT\$" >> $WORK/route.log"
KILL_HOSTS_DENY="ALL: \$TARGET\$ : DENY"
KILL_RUN_CMD="echo run \$TARGET\$ >> $WORK/actions"
KILL_RUN_CMD_FIRST = "1"
SCAN_TRIGGER="0"
PORT_BANNER="** UNAUTHORIZED ACCESS PROHIBITED **"
CONF
test_paths_conf >> "$WORK/portsentry.conf"
# Debian's default /etc/hosts.deny (libwrap0): comments only.
DEBIAN_HOSTS_DENY='# /etc/hosts.deny: list of hosts that are _not_ allowed to access the system.
#                  See the manual pages hosts_access(5) and hosts_options(5).
#
# Example:    ALL: some.host.name, .some.domain
#             ALL EXCEPT in.fingerd: other.host.name, .other.domain
#
# If you are going to protect the portmapper use the name "rpcbind" for the
# daemon name. See rpcbind(8) and rpc.mountd(8) for further information.
#
# The PARANOID wildcard checks host names and addresses that do not match
# each other.
#
#   ALL: PARANOID'
DENY=$WORK/etc/hosts.deny

# seed_hosts_deny absent|empty|debian: what /etc/hosts.deny holds before the daemon starts.
seed_hosts_deny() {
    private_etc
    case $1 in
        absent) rm -f "$DENY" ;;
        empty) : >"$DENY" ;;
        debian) printf '%s\n' "$DEBIAN_HOSTS_DENY" >"$DENY" ;;
    esac
}

# appended_to_hosts_deny: the text after the seeded part (which must be unchanged).
appended_to_hosts_deny() {
    [ "$(head -c "$SEED_SIZE" "$DENY")" = "$SEED" ] || fail "[$case] hosts.deny lost what it held before"
    tail -c +$(( SEED_SIZE + 1 )) "$DENY"
}

# One run per seed (the body is not indented: it holds multi-line strings).
for case in absent empty debian; do
rm -f "$WORK/history" "$WORK/blocked" "$WORK/actions" "$WORK/route.log"
seed_hosts_deny "$case"
SEED=$(cat "$DENY" 2>/dev/null || true); SEED_SIZE=$(file_size "$DENY")
start_daemon_private_etc "daemon-$case" "$WORK/portsentry.conf" --connect
OUT=$WORK/daemon-$case.out
assert_line "$OUT" "Listen on AF_INET6: TCP port: 11"
assert_line "$OUT" "Listen on AF_INET6: TCP port: 15"
assert_line "$OUT" "Listen on AF_INET6: UDP port: 7"

# IPv4 TCP connect: the banner comes back, then the actions run in order.
banner=$(tcp_probe "$NS_B" "$IP_A" 11)
assert_eq "$banner" "** UNAUTHORIZED ACCESS PROHIBITED **" "TCP banner"
wait_lines 30 "$WORK/history" 1
assert_eq "$(cat "$WORK/actions")" "run $IP_B
route $IP_B 11 connect" "action order"
assert_eq "$(cat "$WORK/route.log")" "$IP_B:11" "KILL_ROUTE ran its whole command"
assert_eq "$(appended_to_hosts_deny)" "ALL: $IP_B : DENY" "[$case] hosts.deny"
scan="Scan from: [$IP_B] ($IP_B) protocol: [TCP] port: [11] type: [Connect] IP opts: [unknown] ignored: [false] triggered: [true] noblock: [false] blocked: [true]"
expected="attackalert: External command run for host: $IP_B using command: \"echo run $IP_B >> $WORK/actions\"
attackalert: Host $IP_B has been blocked via wrappers with string: \"ALL: $IP_B : DENY\"
attackalert: Host $IP_B has been blocked via dropped route using command: \"echo route $IP_B 11 connect >> $WORK/actions && echo \"$IP_B:11\" >> $WORK/route.log\"
$scan"
assert_eq "$(grep -A3 "External command run for host: $IP_B" "$OUT")" "$expected" "event lines"
assert_eq "$(head -n 1 "$WORK/history" | cut -d' ' -f2-)" "$scan" "history line"
head -n 1 "$WORK/history" | cut -d' ' -f1 | grep -qE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}[+-][0-9]{4}$' || fail "history timestamp format"
assert_eq "$(file_size "$WORK/blocked")" 6 "blocked file after one IPv4 host"

# UDP from the same source: banner as the reply, already blocked, no new actions.
reply=$(udp_probe "$NS_B" "$IP_A" 7)
assert_eq "$reply" "** UNAUTHORIZED ACCESS PROHIBITED **" "UDP banner reply"
wait_lines 30 "$WORK/history" 2
assert_line "$OUT" "attackalert: Host: $IP_B/$IP_B is already blocked Ignoring"
udp_scan="Scan from: [$IP_B] ($IP_B) protocol: [UDP] port: [7] type: [Connect] IP opts: [unknown] ignored: [false] triggered: [true] noblock: [false] blocked: [true]"
assert_line "$OUT" "$udp_scan"
assert_eq "$(sed -n 2p "$WORK/history" | cut -d' ' -f2-)" "$udp_scan" "UDP history line"
assert_eq "$(line_count "$WORK/actions")" 2 "no actions for an already blocked host"

# IPv6 source: its own actions, an 18-byte record.
tcp_probe "$NS_B" "$IP6_A" 15 >/dev/null
wait_lines 30 "$WORK/history" 3
assert_line "$OUT" "Scan from: [$IP6_B] ($IP6_B) protocol: [TCP] port: [15] type: [Connect] IP opts: [unknown] ignored: [false] triggered: [true] noblock: [false] blocked: [true]"
assert_eq "$(tail -n 1 "$WORK/route.log")" "$IP6_B:15" "IPv6 route command"
assert_eq "$(file_size "$WORK/blocked")" 24 "blocked file after an IPv4 and an IPv6 host"
assert_eq "$(appended_to_hosts_deny)" "ALL: $IP_B : DENY
ALL: $IP6_B : DENY" "[$case] hosts.deny IPv6"

stop_pid "$DAEMON_PID" || fail "daemon exit status $?"
assert_eq "$(tail -n 1 "$OUT")" "Portsentry is shutting down" "last line"
note "$case hosts.deny ok"
done
