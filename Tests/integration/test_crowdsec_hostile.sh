#!/usr/bin/env bash
# A hostile decision stream (a stand-in LAPI in NS_B): wrong types, an invalid address, negative,
# fractional and `d` durations, Ranges (one valid, one too wide), a huge list, then an answer
# that is not JSON. The daemon survives, logs what it skipped, applies the valid items one by one
# (the valid Range as one prefix element) and counts the rest.
. "$(dirname "$0")/lib.sh"
make_pair
cat >"$WORK/lapi.py" <<'PY'
import json, sys
from http.server import BaseHTTPRequestHandler, HTTPServer
def d(i, value, duration="1h", **kw):
    return dict(dict(id=i, origin="crowdsec", scenario="s", scope="Ip", type="ban", value=value, duration=duration), **kw)
startup = {"deleted": None, "new": [
    d(1, "192.0.2.1"), d(2, "999.0.0.1"), d(3, "192.0.2.3", duration=3600), d(4, "192.0.2.4", duration="-5m"),
    d(5, "192.0.2.5", duration="0.2s"), d(6, "192.0.2.6", duration="1d"), d(7, "198.51.100.0/24", scope="Range"),
    d(10, "100.0.0.0/6", scope="Range"),
    d("8", "192.0.2.8"), None, 17, d(9, "2001:db8::9", duration="90.5s", uuid="x"),
] + [d(100 + n, "203.0.113.%d" % (n % 250 + 1), origin="lists") for n in range(30000)]}
answers = [json.dumps(startup).encode(), b"<html>not json</html>", json.dumps({"new": "all", "deleted": 42}).encode()]
class H(BaseHTTPRequestHandler):
    calls = 0
    def do_GET(self):
        body = answers[min(H.calls, len(answers) - 1)]; H.calls += 1
        self.send_response(200); self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
    def log_message(self, *a): pass
HTTPServer((sys.argv[1], 8080), H).serve_forever()
PY
start_bg lapi ip netns exec "$NS_B" python3 "$WORK/lapi.py" "$IP_B"
wait_for 5 sh -c "ip netns exec $NS_B ss -Hltn 'sport = :8080' | grep -q 8080"
cat >"$WORK/portsentry.conf" <<CONF
TCP_PORTS="11"
BLOCK_BACKEND="nftables"
NFT_TABLE="pshost$TEST_NUM"
CROWDSEC_LAPI_URL="http://$IP_B:8080"
CROWDSEC_PUSH="0"
CROWDSEC_API_KEY_FILE="$WORK/key"
CROWDSEC_PULL_INTERVAL="1s"
CONF
test_paths_conf >>"$WORK/portsentry.conf"
printf 'k\n' >"$WORK/key"; chmod 600 "$WORK/key"
start_daemon daemon "$WORK/portsentry.conf" -i "$IF_A"
ctl() { in_a "$PORTSENTRY_CTL" -c "$WORK/portsentry.conf" "$@"; }
# The whole answer first: grep -q may stop reading early (SIGPIPE under pipefail).
listed() { local out; out=$(ctl list) && grep -q "^$1 .*fleet: $2" <<<"$out"; }
wait_for 20 listed 192.0.2.1 lapi:crowdsec
listed 2001:db8::9 lapi:crowdsec || fail "the valid IPv6 decision was not applied: $(ctl list | grep -v 203.0.113)"
listed 203.0.113.250 lapi:lists:s || fail "the large list was not applied"
LIST=$(ctl list)
listed 198.51.100.0/24 lapi:crowdsec || fail "the Range decision was not applied as a prefix"
out=$(in_a nft list set inet "pshost$TEST_NUM" banned_v4_24) && grep -qw 198.51.100.0 <<<"$out" || fail "the Range is not in banned_v4_24"
for bad in 999.0.0.1 192.0.2.3 192.0.2.4 192.0.2.5 192.0.2.6 192.0.2.8 100.0.0.0; do
    ! grep -q "^$bad " <<<"$LIST" || fail "the invalid decision for $bad was applied"
done
ERR=$WORK/daemon.err
grep -q '"999.0.0.1" is not an IP address; skipped' "$ERR" || fail "invalid address not logged"
grep -q 'duration "-5m" .*under one second\|duration -5m is under one second' "$ERR" || fail "negative duration not logged"
wait_for 10 grep -q "the decision stream answer is not a JSON object; ignored" "$ERR"
status_has() { local out; out=$(ctl status) && grep -q -- "$1" <<<"$out"; }
wait_for 10 status_has "1 refused"   # the /6 Range: wider than any ban may be
kill -0 "$DAEMON_PID" || fail "the daemon died"
stop_pid "$DAEMON_PID" || fail "daemon exit status $?"
note "ok"
