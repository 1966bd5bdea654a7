#!/usr/bin/env bash
# `systemctl restart nftables` beside the running daemon: nftables.service's ExecStop
# (`nft flush ruleset`) and at once its ExecStart, `nft -f` of an /etc/nftables.conf that starts
# with `flush ruleset` (Debian's default file plus a rule); then that `nft -f` alone (what
# `systemctl reload nftables` runs). Each is repaired by the daemon and logged:
# table, chain and ban back with their remaining time, the banned source dropped again, the
# loaded file's tables left as they are. Prints how long each repair took (the target, 1 s, is
# measured here, not asserted: test deadlines are 3 s).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/coexist_lib.sh"
coexist_setup

cat >"$WORK/nftables.conf" <<'NFT'
#!/usr/sbin/nft -f

flush ruleset

table inet filter {
	chain input {
		type filter hook input priority filter; policy accept;
		tcp dport 2222 accept
	}
	chain forward {
		type filter hook forward priority filter;
	}
	chain output {
		type filter hook output priority filter;
	}
}
NFT
in_a nft -f "$WORK/nftables.conf"

write_coexist_config "$WORK/portsentry.conf" prerouting
start_daemon daemon "$WORK/portsentry.conf" --stealth -m raw
ban_by_scan "$IP_A"
assert_dropped_not_others "$IP_A" 2222 "before the restart"

# repaired WHAT CMD...: runs CMD in NS_A, then waits until the ban is back in a whole table and
# the repair is logged; prints the time it took.
repair_line="was changed behind portsentry's back"
repairs_logged() { [ "$(count_lines "$WORK/daemon.err" "$repair_line")" -gt "$1" ]; }
repaired() {
    local what=$1 start elapsed logged; shift
    logged=$(count_lines "$WORK/daemon.err" "$repair_line")
    start=$(date +%s%N)
    in_a "$@"
    wait_for 3 coex_in_set "$IP_B"
    elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
    local chain; chain=$(in_a nft list chain inet "$COEX_TABLE" prerouting) || fail "$what: chain not restored"
    grep -q "@banned_v4" <<<"$chain" || fail "$what: chain restored without its drop rule: $chain"
    wait_for 3 repairs_logged "$logged"
    in_a nft list chain inet filter input >/dev/null || fail "$what: the loaded file's table is gone"
    note "$what: ban back after ${elapsed} ms"
    local left; left=$(ban_seconds_left "$COEX_TABLE" banned_v4 "$IP_B")
    [ "$left" -gt 500 ] && [ "$left" -le 600 ] || fail "$what: remaining time of the ban ${left}s, want its 10m less the test's time"
    assert_dropped_not_others "$IP_A" 2222 "$what"
}
# systemctl restart nftables: ExecStop, then ExecStart at once.
repaired "restart (nft flush ruleset; nft -f nftables.conf)" sh -c "nft flush ruleset && nft -f '$WORK/nftables.conf'"
# systemctl reload nftables (ExecReload) and a plain `nft -f /etc/nftables.conf`.
repaired "reload (nft -f nftables.conf, starting with flush ruleset)" nft -f "$WORK/nftables.conf"
stop_pid "$DAEMON_PID" || fail "daemon exit status $?"
note "ok"
