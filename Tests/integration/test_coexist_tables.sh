#!/usr/bin/env bash
# Coexistence with other firewall tables in the same namespace: a banned source stays dropped
# while firewalld-, ufw/iptables-nft- and raw-priority tables accept its traffic (an accept ends
# only its own base chain; a drop anywhere is final), with NFT_HOOK="prerouting" and "input".
# A source that is not banned gets through the same tables.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/coexist_lib.sh"
coexist_setup

# What firewalld (inet firewalld, filter + 10), iptables-nft as ufw and Docker use it (ip filter
# INPUT, priority filter) and a table hooked before ours (priority -400) would each do with our
# scanner: accept it explicitly.
cat >"$WORK/others.nft" <<NFT
table inet firewalld {
    chain filter_INPUT {
        type filter hook input priority filter + 10; policy drop;
        ct state established,related accept
        iifname "lo" accept
        ip saddr { $IP_B, $IP_B2 } tcp dport 2222 accept
    }
    chain mangle_PREROUTING { type filter hook prerouting priority mangle + 10; policy accept; ip saddr $IP_B accept; }
}
table ip filter {
    chain INPUT {
        type filter hook input priority filter; policy accept;
        ip saddr $IP_B counter accept
    }
}
table inet early {
    chain prerouting { type filter hook prerouting priority -400; policy accept; ip saddr $IP_B accept; }
}
NFT
in_a nft -f "$WORK/others.nft"

for hook in prerouting input; do
    note "NFT_HOOK=$hook"
    write_coexist_config "$WORK/$hook.conf" "$hook"
    connects_from "$IP_B" "$IP_A" 2222 || fail "$IP_B cannot connect before its ban (the other tables must accept it)"
    start_daemon "daemon-$hook" "$WORK/$hook.conf" --stealth -m raw
    ban_by_scan "$IP_A"
    assert_dropped_not_others "$IP_A" 2222 "NFT_HOOK=$hook beside firewalld, ip filter and an earlier accept"
    # The other tables are untouched by our install.
    for t in "inet firewalld" "ip filter" "inet early"; do in_a nft list table $t >/dev/null || fail "table $t is gone"; done
    stop_pid "$DAEMON_PID" || fail "daemon exit status $?"
    # Start the next round clean: table (and ban) removed.
    in_a nft delete table inet "$COEX_TABLE"
    rm -f "$WORK/bans.state"
done
note "ok"
