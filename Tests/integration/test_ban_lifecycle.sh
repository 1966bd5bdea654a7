#!/usr/bin/env bash
# The ban lifecycle end to end: a repeat offender's bans grow (BAN_TIME x BAN_TIME_INCREMENT^(n-1))
# across three bans and a restart, capped at BAN_TIME_MAX, also when the kernel trap made the
# first element; a banned source that probes again has its ban renewed; `portsentry-ctl explain`
# shows a probe ban (rule, duration and why, each probe with its flags and interface), a manual
# ban, an expired ban, an ignored and an unknown address; `list` shows the offence.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ctl_lib.sh"
make_pair
write_ctl_config "$WORK/portsentry.conf"
cat >>"$WORK/portsentry.conf" <<CONF
BAN_TIME="2s"
BAN_TIME_INCREMENT="2"
BAN_TIME_MAX="6s"
OFFENCE_MEMORY="1h"
CONF
LEDGER="$CTL_STATE.ledger"

# timeout_of: the timeout nft shows for IP_B's element (e.g. 4s), empty when it has none.
timeout_of() {
    local out; out=$(in_a nft list set inet "$CTL_TABLE" banned_v4)
    python3 -c '
import re, sys
m = re.search(r"\b'"$IP_B"' timeout (\S+?)[,\s]", sys.stdin.read())
print(m.group(1) if m else "")' <<<"$out"
}
# expires_ms: what is left of IP_B's element, in milliseconds.
expires_ms() {
    local out; out=$(in_a nft list set inet "$CTL_TABLE" banned_v4)
    python3 -c '
import re, sys
m = re.search(r"\b'"$IP_B"' timeout \S+ expires (\S+?)[,\s}]", sys.stdin.read())
units = {"d": 86400000, "h": 3600000, "m": 60000, "s": 1000, "ms": 1}
print(int(sum(int(n) * units[u] for n, u in re.findall(r"(\d+)(ms|d|h|m|s)", m.group(1)))) if m else -1)' <<<"$out"
}
timeout_is() { [ "$(timeout_of)" = "$1" ]; }
not_in_set() { ! in_set "$IP_B"; }
expires_above() { [ "$(expires_ms)" -gt "$1" ]; }
expires_below() { local left; left=$(expires_ms); [ "$left" -ge 0 ] && [ "$left" -lt "$1" ]; }
probe() { in_b nmap -n -Pn --max-retries 0 -sS -p "$1" "$IP_A" >"$WORK/nmap.out" 2>&1 || fail "nmap failed"; }
# offence_listed N: list --json shows IP_B's ban as offence N.
offence_listed() {
    ctl list --json
    python3 -c '
import json, sys
bans = [b for b in json.load(open(sys.argv[1])) if b["address"] == sys.argv[2]]
sys.exit(0 if bans and bans[0].get("offence") == int(sys.argv[3]) else 1)' "$WORK/ctl.out" "$IP_B" "$1"
}

start_daemon daemon "$WORK/portsentry.conf" --stealth -m raw

note "first ban: BAN_TIME"
probe 11
wait_for 5 timeout_is 2s
wait_for 5 offence_listed 1
wait_for 10 not_in_set

note "second ban: BAN_TIME x 2 (the kernel trap's element is replaced)"
probe 15
wait_for 5 timeout_is 4s
wait_for 5 offence_listed 2
wait_for 5 grep -q "^$IP_B	" "$LEDGER"
wait_for 10 not_in_set

note "a restart keeps the offences"
stop_pid "$DAEMON_PID" || fail "daemon exit status $?"
grep -q "	2	" "$LEDGER" || fail "ledger lost the offence count: $(cat "$LEDGER")"
start_daemon daemon2 "$WORK/portsentry.conf" --stealth -m raw -v

note "third ban: BAN_TIME x 4 = 8s, capped at BAN_TIME_MAX 6s"
probe 79
wait_for 5 timeout_is 6s
wait_for 5 offence_listed 3

note "explain a live probe ban"
expect_ctl 0 explain "$IP_B"
out=$(cat "$WORK/ctl.out")
for want in "$IP_B: banned as $IP_B" "SCAN_TRIGGER=0: 1 probe on TCP/79 TCP SYN/Normal scan" \
            "6s = BAN_TIME 2s × 2^2 for offence #3, capped at BAN_TIME_MAX" "3 remembered (OFFENCE_MEMORY=1h); this was ban #3" \
            "TCP 79  TCP SYN/Normal scan flags SYN  from $IP_B on $IF_A" "ignored:     no" "protected:   no"; do
    [[ $out == *"$want"* ]] || fail "explain lacks '$want':
$out"
done
expect_ctl 0 explain "$IP_B" --json
python3 - "$WORK/ctl.out" "$IP_B" "$IF_A" <<'PY' || fail "explain --json: $(cat "$WORK/ctl.out")"
import json, sys
e = json.load(open(sys.argv[1]))
last = e["last"]
assert e["live"]["offence"] == 3 and e["offences"] == 3, e
assert last["term"] == "configured" and last["baseSeconds"] == 2 and last["factor"] == 2 and last["capped"] is True, last
assert last["seconds"] == 6 and last["origin"] in ("probe", "kernel"), last
p = last["probes"][-1]
assert p["proto"] == "TCP" and p["port"] == 79 and p["flags"] == "SYN" and p["interface"] == sys.argv[3] and p["source"] == sys.argv[2], p
PY

note "probing again while banned renews the ban"
wait_for 5 expires_below 4500
probe 79
wait_for 3 expires_above 5000
grep -q "Ban of $IP_B renewed: it probed again while banned" "$WORK/daemon2.out" || fail "no renewal line"

note "explain an expired ban"
wait_for 10 not_in_set
expect_ctl 0 explain "$IP_B"
grep -q "^$IP_B: not banned; its last ban expired" "$WORK/ctl.out" || fail "expired: $(cat "$WORK/ctl.out")"
grep -q "this was ban #3" "$WORK/ctl.out" || fail "expired ban lost its offence: $(cat "$WORK/ctl.out")"

note "explain a manual ban, an ignored and an unknown address"
expect_ctl 0 block 198.51.100.7 --for 1h --reason "office scan"
expect_ctl 0 explain 198.51.100.7
for want in "198.51.100.7: banned as 198.51.100.7, 1h left" "decided by:  portsentry-ctl block (reason: office scan)" \
            "duration:    1h (asked for with --for)"; do
    grep -qF -- "$want" "$WORK/ctl.out" || fail "manual explain lacks '$want': $(cat "$WORK/ctl.out")"
done
expect_ctl 0 explain 192.0.2.50
grep -qF "ignored:     yes" "$WORK/ctl.out" || fail "ignored: $(cat "$WORK/ctl.out")"
expect_ctl 0 explain 203.0.113.99
grep -qF "203.0.113.99: not banned, and no ban of it is remembered (OFFENCE_MEMORY=1h)" "$WORK/ctl.out" || fail "unknown: $(cat "$WORK/ctl.out")"
expect_ctl 64 explain not-an-address

note "explain works with the daemon stopped"
stop_pid "$DAEMON_PID" || fail "daemon exit status $?"
expect_ctl 0 explain "$IP_B"
grep -q "this was ban #3" "$WORK/ctl.out" || fail "offline explain: $(cat "$WORK/ctl.out")"
note "ok"
