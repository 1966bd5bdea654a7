#!/usr/bin/env bash
# KERNEL_BAN under a flood of forged sources: 3,000 spoofed sources (one SYN each, from
# bench-capture in NS_B, 2,000 per second) against a stealth-mode daemon with NFT_SET_SIZE=256.
# The packet path adds only to the trap set, so every set stays within its size (on Linux 6.18
# a set the packet path filled while the daemon added to it grew past its size without limit),
# the daemon keeps banning with evictions and answers `portsentry-ctl status`, the full trap set
# is logged once, a real scanner (nmap from NS_B's own address) right after the flood is banned
# by the daemon (not said to be the kernel's), and SIGTERM ends the daemon.
. "$(dirname "$0")/lib.sh"
make_pair
TABLE="pskf$TEST_NUM"
SIZE=256
SOURCES=3000
flood_conf "$TABLE" "NFT_SET_SIZE=\"$SIZE\"" > "$WORK/portsentry.conf"
start_daemon daemon "$WORK/portsentry.conf" --stealth -i "$IF_A"
OUT=$WORK/daemon.out
grep -q "Kernel ban: on for TCP" "$OUT" || fail "the kernel trap is not on"

count() { set_elements "$TABLE" "$1"; }
within_size() {
    local set n
    for set in banned_v4 trapped_v4; do
        n=$(count "$set")
        [ "$n" -le "$SIZE" ] || fail "set $set holds $n elements, more than its size $SIZE"
    done
}

send_flood "$SOURCES" 2000
within_size
# The flood's probes are processed (every source logged as blocked or not), the sets still in bounds.
logged() { [ "$(count_lines "$OUT" "Scan from: [11.")" -ge "$SOURCES" ]; }
wait_for 30 logged
within_size
[ "$(count "trapped_v4")" -eq "$SIZE" ] || fail "the flood did not fill the trap set: $(count trapped_v4) of $SIZE"
"$PORTSENTRY_CTL" -c "$WORK/portsentry.conf" status > "$WORK/status.txt" || fail "portsentry-ctl status failed after the flood"

# A real scanner after the flood: the trap set is full, so the daemon bans it (evicting a ban).
in_b timeout 30 nmap -n -Pn --max-retries 0 -sS -p 31337 "$IP_A" > "$WORK/nmap.out" 2>&1 || fail "nmap failed"
# The trap set's fullness is logged once, and the scanner's ban is the daemon's, not the kernel's.
assert_eq "$(count_lines "$WORK/daemon.err" "nftables set inet $TABLE trapped_v4 is full (NFT_SET_SIZE=$SIZE)")" 1 "trap-set-full warnings"
wait_for 10 grep -qxF "attackalert: Host $IP_B has been blocked via nftables set inet $TABLE banned_v4 for 10m" "$OUT"
members=$(in_a nft list set inet "$TABLE" banned_v4)
grep -qw -- "$IP_B" <<<"$members" || fail "$IP_B is not in banned_v4 after its ban"
within_size
stop_pid "$DAEMON_PID" || fail "daemon exit status $?"
note "ok: banned_v4 $(count banned_v4), trapped_v4 $(count trapped_v4) of $SIZE"
