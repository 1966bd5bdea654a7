# Helpers for the tests that scrape the metrics endpoint (source after lib.sh). They scrape
# $METRICS_URL from inside $METRICS_NS (default: NS_A, the daemon's namespace, whose loopback
# is its own, so every test can use portsentry's port 9632).
METRICS_URL="http://127.0.0.1:9632/metrics"

# scrape [URL] [NS]: the endpoint's answer (status, Content-Type, body) into $WORK/metrics.txt.
scrape() {
    ip netns exec "${2:-${METRICS_NS:-$NS_A}}" python3 - "${1:-$METRICS_URL}" >"$WORK/metrics.txt" <<'PY'
import sys, urllib.request, urllib.error
try:
    r = urllib.request.urlopen(sys.argv[1], timeout=5)
    print("status", r.status); print("type", r.headers["Content-Type"]); print(r.read().decode())
except urllib.error.HTTPError as e:
    print("status", e.code)
PY
}

# metric SERIES OP NUMBER: the series (written exactly, labels in the exported order) is exported
# and its value compares to NUMBER (OP: == >= >).
metric() {
    scrape || return 1
    python3 - "$WORK/metrics.txt" "$@" <<'PY'
import operator, sys
path, series, op, number = sys.argv[1:]
for line in open(path).read().splitlines():
    if line.startswith(series + " "):
        value = float(line.rsplit(" ", 1)[1])
        sys.exit(0 if {"==": operator.eq, ">=": operator.ge, ">": operator.gt}[op](value, float(number)) else 1)
sys.exit(1)
PY
}
# expect_metric SERIES OP NUMBER: fail unless `metric` holds now.
expect_metric() { metric "$@" || fail "expected $1 $2 $3; scraped: $(grep -F "${1%%\{*}" "$WORK/metrics.txt" | head -20)"; }
# wait_metric SECONDS SERIES OP NUMBER: poll until `metric` holds.
wait_metric() { local limit=$1; shift; wait_for "$limit" metric "$@"; }
