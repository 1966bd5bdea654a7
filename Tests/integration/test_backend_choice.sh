#!/usr/bin/env bash
# Which backend a config gets (docs/configuration.md "Which backend a config gets"): a portsentry
# 2.x config that blocks with KILL_HOSTS_DENY alone keeps 2.x's behaviour — the hosts.deny line,
# no nftables table, no STATE_FILE entry — and --check-config says why; a config with neither
# legacy method bans through nftables; DRY_RUN logs the would-be ban and changes nothing.
. "$(dirname "$0")/lib.sh"
make_pair
scan_line() {   # scan_line SOURCE BLOCKED
    echo "Scan from: [$1] ($1) protocol: [TCP] port: [11] type: [TCP SYN/Normal scan] IP opts: [not set] ignored: [false] triggered: [true] noblock: [false] blocked: [$2]"
}
base_conf() {
    cat <<CONF
TCP_PORTS="11"
UDP_PORTS="7"
BLOCK_TCP="1"
BLOCK_UDP="1"
SCAN_TRIGGER="0"
NFT_TABLE="ps_choice_$TEST_NUM"
CONF
    test_paths_conf
}

# 1. KILL_HOSTS_DENY only (portsentry 2.x's stealth-mode example): the legacy backend.
{ base_conf; echo 'KILL_HOSTS_DENY="ALL: $TARGET$ : DENY"'; } > "$WORK/legacy.conf"
"$PORTSENTRY" -c "$WORK/legacy.conf" --check-config > "$WORK/check.out" || fail "--check-config failed"
grep -qF 'Blocking backend: command (BLOCK_BACKEND="auto" and the config names KILL_HOSTS_DENY' "$WORK/check.out" \
    || fail "--check-config does not say why the legacy backend was chosen: $(cat "$WORK/check.out")"
start_daemon_private_etc legacy "$WORK/legacy.conf" --stealth -v
grep -qF "Blocking backend: command" "$WORK/legacy.out" || fail "-v does not print the backend line"
in_b nmap -n -Pn --max-retries 0 -sS -p 11 "$IP_A" >"$WORK/nmap.out" 2>&1 || fail "nmap failed"
wait_for 10 has_line "$WORK/legacy.out" "$(scan_line "$IP_B" true)"
assert_line "$WORK/legacy.out" "attackalert: Host $IP_B has been blocked via wrappers with string: \"ALL: $IP_B : DENY\""
assert_eq "$(tail -n 1 "$WORK/etc/hosts.deny")" "ALL: $IP_B : DENY" "hosts.deny got its line"
assert_eq "$(in_a nft list ruleset)" "" "no nftables table for a legacy config"
stop_pid "$DAEMON_PID" || fail "legacy daemon exit status $?"
if [ -f "$WORK/bans.state" ] && grep -q "$IP_B" "$WORK/bans.state"; then fail "STATE_FILE holds a ban of a legacy config"; fi
note "KILL_HOSTS_DENY only: legacy backend"

# 2. DRY_RUN on a config that would use nftables: the dry-run line, blocked: [false], no table.
rm -f "$WORK/blocked" "$WORK/history"
{ base_conf; echo 'DRY_RUN="1"'; } > "$WORK/dry.conf"
start_daemon dry "$WORK/dry.conf" --stealth
"$PORTSENTRY_CTL" -c "$WORK/dry.conf" status > "$WORK/status.out" || fail "portsentry-ctl status failed"
grep -q "dry run" "$WORK/status.out" || fail "status does not say dry run: $(cat "$WORK/status.out")"
in_b nmap -n -Pn --max-retries 0 -sS -p 11 "$IP_A" >>"$WORK/nmap.out" 2>&1 || fail "nmap failed"
wait_for 10 has_line "$WORK/dry.out" "$(scan_line "$IP_B" false)"
assert_eq "$(grep -B1 -xF "$(scan_line "$IP_B" false)" "$WORK/dry.out" | head -n 1)" \
    "attackalert: Dry run: host $IP_B would have been blocked via nftables" "dry-run line before the scan line"
assert_no_line "$WORK/dry.out" "Error during target dispose"
assert_eq "$(in_a nft list ruleset)" "" "a dry run creates no nftables table"
assert_eq "$(file_size "$WORK/blocked")" 0 "a dry run records nothing in BLOCKED_FILE"
stop_pid "$DAEMON_PID" || fail "dry-run daemon exit status $?"
note "dry run: nothing blocked"

# 3. Neither legacy method: nftables, and the scanner is in the set.
base_conf > "$WORK/nft.conf"
"$PORTSENTRY" -c "$WORK/nft.conf" --check-config | grep -qF 'Blocking backend: nftables (BLOCK_BACKEND="auto" and the config names neither KILL_ROUTE nor KILL_HOSTS_DENY)' \
    || fail "--check-config line for an nftables config"
start_daemon nft "$WORK/nft.conf" --stealth
in_b nmap -n -Pn --max-retries 0 -sS -p 11 "$IP_A" >>"$WORK/nmap.out" 2>&1 || fail "nmap failed"
wait_for 10 has_line "$WORK/nft.out" "$(scan_line "$IP_B" true)"
wait_for 10 sh -c "ip netns exec $NS_A nft list set inet ps_choice_$TEST_NUM banned_v4 | grep -q '$IP_B'"
stop_pid "$DAEMON_PID" || fail "nftables daemon exit status $?"
note "ok"
