#!/usr/bin/env bash
# The daemon as portsentry.service runs it: a non-root user (a numeric uid with no passwd entry,
# so the machine's user database stays untouched) holding only the ambient capabilities
# CAP_NET_ADMIN and CAP_NET_RAW, no new privileges, in its own namespace. A scan from NS_B is
# banned in the namespace's nft set (by the kernel and by the daemon), HISTORY_FILE, BLOCKED_FILE
# and STATE_FILE are written in its state directory, and root drives it over the control socket
# (status, list, unblock) although socket and directory belong to the daemon's user. The
# daemon's capability sets are checked from /proc, and another non-root user is refused. The
# daemon runs under strace, which records every system call of the unit's
# SystemCallFilter=~@privileged (chown, setuid, capset, bpf...): there must be none, or the
# unit's filter would refuse it (EPERM) in production.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ctl_lib.sh"
make_pair

# A free uid/gid pair for the daemon's user.
DAEMON_UID=$(( 61000 + TEST_NUM % 1000 ))
while getent passwd "$DAEMON_UID" >/dev/null || getent group "$DAEMON_UID" >/dev/null; do DAEMON_UID=$(( DAEMON_UID + 1 )); done
CAPS="-all,+net_admin,+net_raw"

# The unit's layout: state and runtime directories owned by the daemon's user, mode 0700; the
# config readable, the test directory only searchable by others.
chmod 0711 "$WORK"
install -d -o "$DAEMON_UID" -g "$DAEMON_UID" -m 0700 "$WORK/state" "$WORK/run"
write_ctl_config "$WORK/portsentry.conf"
sed -i -e "s|^HISTORY_FILE=.*|HISTORY_FILE=\"$WORK/state/portsentry.history\"|" \
       -e "s|^BLOCKED_FILE=.*|BLOCKED_FILE=\"$WORK/state/portsentry.blocked\"|" \
       -e "s|^STATE_FILE=.*|STATE_FILE=\"$WORK/state/bans.state\"|" "$WORK/portsentry.conf"
CTL_BLOCKED="$WORK/state/portsentry.blocked"
chmod 0644 "$WORK/portsentry.conf" "$CTL_IGNORE"

# syscall_group NAME: the system calls of systemd's group @NAME, nested groups expanded.
syscall_group() {
    local line
    systemd-analyze syscall-filter "@$1" | tail -n +2 | while read -r line; do
        case $line in "#"*|"") ;; @*) syscall_group "${line#@}" ;; *) echo "$line" ;; esac
    done
}
privileged=$(syscall_group privileged | sort -u | sed 's/^/?/' | paste -sd, -)
[ -n "$privileged" ] || fail "systemd-analyze syscall-filter @privileged listed nothing"
start_bg daemon ip netns exec "$NS_A" setpriv --reuid="$DAEMON_UID" --regid="$DAEMON_UID" --clear-groups \
    --inh-caps="$CAPS" --ambient-caps="$CAPS" --bounding-set="$CAPS" --no-new-privs \
    strace -f -qq --seccomp-bpf -e signal=none -o "$WORK/state/privileged-syscalls" -e trace="$privileged" \
    "$PORTSENTRY" -c "$WORK/portsentry.conf"
TRACER_PID=$LAST_PID
# The daemon is strace's child; strace's end does not end it, so clean-up must know it too.
traced_daemon() { DAEMON_PID=$(pgrep -P "$TRACER_PID"); }
wait_for 5 traced_daemon
_PIDS+=("$DAEMON_PID")
wait_for 20 grep -q "Portsentry is now active and listening." "$WORK/daemon.out"

note "the daemon runs as uid $DAEMON_UID with CAP_NET_ADMIN and CAP_NET_RAW only"
status=/proc/$DAEMON_PID/status
grep -qP "^Uid:\t$DAEMON_UID\t$DAEMON_UID\t$DAEMON_UID\t$DAEMON_UID$" "$status" || fail "uid: $(grep ^Uid "$status")"
for set in CapEff CapPrm CapAmb CapBnd; do
    grep -qP "^$set:\t0000000000003000$" "$status" || fail "$set: $(grep "^$set" "$status")"
done
grep -qi "error\|cannot\|denied" "$WORK/daemon.err" && fail "errors at start: $(cat "$WORK/daemon.err")"
socket_owner=$(stat -c '%u %a' "$CTL_SOCKET")
assert_eq "$socket_owner" "$DAEMON_UID 600" "control socket owner and mode"

note "a scan is banned in the namespace's set and recorded in the state directory"
in_b nmap -n -Pn --max-retries 0 -sS -p 11,15 "$IP_A" >"$WORK/nmap.out" 2>&1 || fail "nmap failed"
wait_for 5 in_set "$IP_B"
wait_for 5 grep -q "Scan from: \[$IP_B\]" "$WORK/state/portsentry.history"
wait_for 5 blocked_file_has "$IP_B"
state_has_b() { grep -q "^$IP_B	" "$WORK/state/bans.state"; }
wait_for 5 state_has_b
for f in portsentry.history portsentry.blocked bans.state; do
    assert_eq "$(stat -c %u "$WORK/state/$f")" "$DAEMON_UID" "owner of $f"
done

note "a ban the daemon makes itself (not the kernel's trap): portsentry-ctl block as root"
expect_ctl 0 block 198.51.100.9 --reason "by hand"
in_set 198.51.100.9 || fail "manual ban not in the set"

note "root drives the daemon over its socket: status, list, unblock"
expect_ctl 0 status
grep -q "portsentry is running" "$WORK/ctl.out" || fail "status: $(cat "$WORK/ctl.out")"
expect_ctl 0 list
grep -q "^$IP_B " "$WORK/ctl.out" || fail "list lacks $IP_B: $(cat "$WORK/ctl.out")"
grep -q "^198.51.100.9 .*manual: by hand" "$WORK/ctl.out" || fail "list lacks the manual ban: $(cat "$WORK/ctl.out")"
expect_ctl 0 unblock "$IP_B"
! in_set "$IP_B" || fail "$IP_B still in the set after unblock"
not_in_blocked_file() { ! blocked_file_has "$1"; }
wait_for 5 not_in_blocked_file "$IP_B"

note "another non-root user is refused"
other=$(( DAEMON_UID + 1000 ))
chmod 0755 "$WORK/run"; chmod 0666 "$CTL_SOCKET"   # open modes: only the peer check stands
refused=$(in_a setpriv --reuid="$other" --regid="$other" --clear-groups "$PORTSENTRY_CTL" -c "$CTL_CONF" status 2>&1) \
    && fail "uid $other was served: $refused"
grep -q "uid $other" <<<"$refused" || fail "refusal does not name the uid: $refused"

note "SIGHUP reload and SIGTERM stop work without root"
kill -HUP "$DAEMON_PID"
wait_for 10 grep -q "^Configuration reloaded from" "$WORK/daemon.out"
kill -TERM "$DAEMON_PID"
wait "$TRACER_PID" || fail "daemon exit status $?"
! grep -qi "cannot\|denied\|not permitted" "$WORK/daemon.err" || fail "errors: $(cat "$WORK/daemon.err")"
[ ! -s "$WORK/state/privileged-syscalls" ] || fail "system calls the unit's filter refuses: $(cat "$WORK/state/privileged-syscalls")"
note "ok"
