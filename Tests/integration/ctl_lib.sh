# Helpers shared by the portsentry-ctl end-to-end tests (source after lib.sh).

# write_ctl_config FILE: a config whose socket, table, state, blocked and ignore files are this
# test's own. Sets CTL_CONF, CTL_SOCKET, CTL_TABLE, CTL_STATE, CTL_BLOCKED, CTL_IGNORE.
write_ctl_config() {
    CTL_CONF=$1
    CTL_SOCKET="$WORK/run/control.sock"
    CTL_TABLE="psctl$TEST_NUM"
    CTL_STATE="$WORK/bans.state"
    CTL_BLOCKED="$WORK/portsentry.blocked"
    CTL_IGNORE="$WORK/portsentry.ignore"
    printf '127.0.0.1\n::1\n192.0.2.50\n' >"$CTL_IGNORE"
    cat >"$CTL_CONF" <<CONF
TCP_PORTS="1,11,15,79,111,119,143,540,635,1080,1524,2000,12345,31337"
UDP_PORTS="1,7,9,69,161,162,513,635,31337"
IGNORE_FILE="$CTL_IGNORE"
HISTORY_FILE="$WORK/portsentry.history"
BLOCKED_FILE="$CTL_BLOCKED"
SCAN_TRIGGER="0"
BLOCK_TCP="1"
BLOCK_UDP="1"
BLOCK_BACKEND="nftables"
BAN_TIME="10m"
NFT_TABLE="$CTL_TABLE"
CONTROL_SOCKET="$CTL_SOCKET"
STATE_FILE="$CTL_STATE"
CONF
}

# ctl ARGS...: run portsentry-ctl inside NS_A with the test's config; stdout/stderr in
# $WORK/ctl.out / ctl.err; sets CTL_RC (never fails by itself).
ctl() {
    CTL_RC=0
    in_a "$PORTSENTRY_CTL" "$@" -c "$CTL_CONF" >"$WORK/ctl.out" 2>"$WORK/ctl.err" || CTL_RC=$?
}

# expect_ctl RC ARGS...: run ctl and fail unless it exits with RC.
expect_ctl() {
    local want=$1; shift
    ctl "$@"
    [ "$CTL_RC" = "$want" ] || fail "portsentry-ctl $* exited $CTL_RC, expected $want; stdout: $(cat "$WORK/ctl.out"); stderr: $(cat "$WORK/ctl.err")"
}

# in_set ADDRESS: whether ADDRESS is an element of the test table's set (run inside NS_A).
in_set() {
    local set=banned_v4
    case $1 in *:*) set=banned_v6 ;; esac
    in_a nft list set inet "$CTL_TABLE" "$set" | grep -w -- "$1" >/dev/null
}

# blocked_file_has ADDRESS: whether BLOCKED_FILE holds a record of the IPv4 ADDRESS.
blocked_file_has() {
    [ -f "$CTL_BLOCKED" ] || return 1
    python3 - "$CTL_BLOCKED" "$1" <<'PY'
import socket, struct, sys
data = open(sys.argv[1], "rb").read()
want = socket.inet_pton(socket.AF_INET, sys.argv[2])
i = 0
while i + 2 <= len(data):
    family = struct.unpack("=H", data[i:i + 2])[0]
    size = 4 if family == 2 else 16
    if family == 2 and data[i + 2:i + 2 + size] == want:
        sys.exit(0)
    i += 2 + size
sys.exit(1)
PY
}

# start_ctl_daemon: the two namespaces, the test's config (write_ctl_config) and the daemon on
# IF_A, once its control socket is there.
start_ctl_daemon() {
    make_pair
    write_ctl_config "$WORK/portsentry.conf"
    start_daemon daemon "$WORK/portsentry.conf" -i "$IF_A"
    wait_for 5 test -S "$CTL_SOCKET"
}

# probe PORT: one TCP SYN from the scanner to PORT on the daemon's host.
probe() { in_b timeout 1 bash -c "echo > /dev/tcp/$IP_A/$1" 2>/dev/null || true; }
# listed ADDRESS: whether `list` shows a ban of ADDRESS.
listed() { ctl list && grep -q "^$1 " "$WORK/ctl.out"; }
