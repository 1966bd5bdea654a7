#!/usr/bin/env bash
# A burst of SOURCES distinct spoofed sources (one SYN each, RATE per second, from bench-capture
# in namespace B) against the release daemon in stealth mode with the default BAN_RATE_ALARM and
# no BAN_RATE_LIMIT: how long until every source is banned, the per-ban delays (capture → commit,
# from the daemon's -d lines), whether one real scanner is banned afterwards (nmap from B's own
# address), the alarm line, the daemon's peak memory, the sets' sizes, the probes that reached
# the interface, and how long the daemon takes to exit on SIGTERM. Needs nmap. Everything it creates
# is removed on exit. Figures: docs/performance.md ("Floods of forged sources").
# Usage: SOURCES=20000 RATE=100000 scripts/bench-ban-flood.sh
#        EXTRA_CONF='KERNEL_BAN="0"' scripts/bench-ban-flood.sh   (more config lines)
#        SOURCES=1000000 RATE=16667 scripts/bench-ban-flood.sh   (60 s of abuse: it also asks
#        `portsentry-ctl status` once a second throughout and reports its slowest answer and the
#        daemon's open descriptors)
#        SCRAPE_MS=100 scripts/bench-ban-flood.sh   (METRICS_LISTEN on, and /metrics scraped
#        every 100 ms from the flood's start until every source is banned)
set -euo pipefail
cd "$(dirname "$0")/.."
SCRATCH=${SCRATCH:-.build-bench}
SOURCES=${SOURCES:-20000}
RATE=${RATE:-100000}

. scripts/lib/release-build.sh
release_build portsentry portsentry-ctl bench-capture

PREFIX=bf
. scripts/lib/bench-pair.sh
cat > "$WORK/portsentry.conf" <<CONF
TCP_PORTS="31337"
BLOCK_TCP="1"
BLOCK_UDP="0"
SCAN_TRIGGER="0"
BAN_TIME="1h"
CONTROL_SOCKET="$WORK/control.sock"
STATE_FILE="$WORK/bans.state"
${EXTRA_CONF:-}
CONF
[ -z "${SCRAPE_MS:-}" ] || echo 'METRICS_LISTEN="127.0.0.1:9632"' >> "$WORK/portsentry.conf"
ip netns exec "$NS_A" "$BIN/portsentry" -c "$WORK/portsentry.conf" --stealth -i "$IF_A" -d >"$WORK/out" 2>"$WORK/err" &
DAEMON_PID=$!
for _ in $(seq 400); do grep -q "now active" "$WORK/out" && break; sleep 0.05; done
grep -q "now active" "$WORK/out" || { cat "$WORK/err"; exit 1; }
hwm() { sed -n 's/^VmHWM:[[:space:]]*//p' "/proc/$DAEMON_PID/status"; }
echo "ban flood: $SOURCES spoofed sources at $RATE/s, $(nproc) CPUs, kernel $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg); daemon VmHWM at start $(hwm)"

banned() { grep -c 'µs after its probe was captured' "$WORK/out" || true; }
fds() { ls "/proc/$DAEMON_PID/fd" | wc -l; }
# Once a second until the flood is over: how long `portsentry-ctl status` takes, and the descriptors.
echo "$(fds)" > "$WORK/fds"
( while [ ! -e "$WORK/flood-done" ]; do
      s=$(date +%s%N)
      ip netns exec "$NS_A" "$BIN/portsentry-ctl" --socket "$WORK/control.sock" --timeout 5 status >/dev/null 2>&1 || echo "failed" >> "$WORK/status-failures"
      echo $(( ($(date +%s%N) - s) / 1000000 )) >> "$WORK/status-ms"; fds >> "$WORK/fds"
      sleep 1
  done ) &
PROBE_PID=$!
if [ -n "${SCRAPE_MS:-}" ]; then
    ip netns exec "$NS_A" python3 -c '
import os, sys, time, urllib.request
every, stop = float(sys.argv[1]) / 1000, sys.argv[2]
urllib.request.urlopen("http://127.0.0.1:9632/metrics", timeout=5).read()
open(stop + ".ready", "w").close()
times, failed, due = [], 0, time.monotonic()
while not os.path.exists(stop):
    t = time.monotonic()
    try: urllib.request.urlopen("http://127.0.0.1:9632/metrics", timeout=5).read()
    except Exception: failed += 1
    times.append(time.monotonic() - t)
    due += every; time.sleep(max(0, due - time.monotonic()))
times.sort()
print(f"/metrics every {sys.argv[1]} ms: {len(times)} scrapes, {failed} failed, p50 {times[len(times) // 2] * 1000:.1f} ms, max {times[-1] * 1000:.1f} ms")' \
        "$SCRAPE_MS" "$WORK/scrape-done" >"$WORK/scrapes" &
    SCRAPER_PID=$!
    for _ in $(seq 100); do [ -e "$WORK/scrape-done.ready" ] && break; sleep 0.05; done   # scraping already when the flood starts
fi
t0=$(date +%s%N)
ip netns exec "$NS_A" "$BIN/bench-capture" --send-only --sender-ns "$NS_B" --sender-if "$IF_B" \
    --target "$IP_A" --packets "$SOURCES" --rate "$RATE" >/dev/null
t_sent=$(date +%s%N)
touch "$WORK/flood-done"; wait "$PROBE_PID" || true
echo "portsentry-ctl status during the flood: $(wc -l < "$WORK/status-ms") asked, slowest $(sort -n "$WORK/status-ms" | tail -n 1) ms, $(cat "$WORK/status-failures" 2>/dev/null | wc -l) failed; daemon descriptors $(sort -n "$WORK/fds" | head -n 1)–$(sort -n "$WORK/fds" | tail -n 1)"
# set_count [SET]: the elements of banned_v4 (or SET).
set_count() { ip netns exec "$NS_A" nft -j list set inet portsentry "${1:-banned_v4}" | python3 -c 'import json,sys; print(sum(len(o["set"].get("elem", [])) for o in json.load(sys.stdin)["nftables"] if "set" in o))'; }
# With KERNEL_BAN (the default) each probe's own packet banned its source as it arrived, in the
# trap set, until it was full (NFT_SET_SIZE); the daemon's bans are in banned_v4.
echo "in the kernel sets as the last probe was sent ($(( (t_sent - t0) / 1000000 )) ms after the first): trapped_v4 $(set_count trapped_v4), banned_v4 $(set_count) of $SOURCES; $(grep -c '(by the kernel' "$WORK/out" || true) bans logged as the kernel's so far"
# Until every source is banned, or the count has stood still for 2 s (events dropped in an overload).
last=-1; still_since=$(date +%s%N); t1=$t0
while [ "$(banned)" -lt "$SOURCES" ]; do
    now=$(date +%s%N); count=$(banned)
    if [ "$count" != "$last" ]; then last=$count; still_since=$now; t1=$now
    elif [ $(( now - still_since )) -gt 2000000000 ]; then break; fi
    sleep 0.02
done
[ "$(banned)" -lt "$SOURCES" ] || t1=$(date +%s%N)
if [ -n "${SCRAPE_MS:-}" ]; then
    touch "$WORK/scrape-done"; wait "$SCRAPER_PID" || true; cat "$WORK/scrapes"
    ip netns exec "$NS_A" python3 -c '
import urllib.request
for line in urllib.request.urlopen("http://127.0.0.1:9632/metrics", timeout=5).read().decode().splitlines():
    if line.startswith(("portsentry_capture_", "portsentry_events_dropped", "portsentry_bans_total{origin=\"probe\",family=\"ipv4\"",
                        "portsentry_bans_total{origin=\"kernel\",family=\"ipv4\"")):
        print("  after the flood:", line)'
fi
echo "sent in $(( (t_sent - t0) / 1000000 )) ms; $(banned) of $SOURCES banned $(( (t1 - t0) / 1000000 )) ms after the first probe was sent (polled every 20 ms)"
dropped=$(sed -n 's/^warning: \([0-9]*\) events were not logged or acted on.*/\1/p; s/^\([0-9]*\) events were not logged or acted on.*/\1/p' "$WORK/err" | awk '{ n += $1 } END { print n + 0 }')
echo "events dropped by the pipeline's queue (overload): $dropped"
sed -n 's/^debug: Host .* blocked \([0-9]*\) µs after its probe was captured$/\1/p' "$WORK/out" | sort -n > "$WORK/delays"
n=$(wc -l < "$WORK/delays")
echo "capture → commit delay: p50 $(sed -n "$(( (n + 1) / 2 ))p" "$WORK/delays") µs, p99 $(sed -n "$(( (n * 99 + 99) / 100 ))p" "$WORK/delays") µs, max $(tail -n 1 "$WORK/delays") µs"
echo "in the sets: banned_v4 $(set_count), trapped_v4 $(set_count trapped_v4); probes that reached $IF_A: $(ip netns exec "$NS_A" cat "/sys/class/net/$IF_A/statistics/rx_packets")"
# Then one real scanner (NS_B's own address): banned, in a set that the flood has filled.
t2=$(date +%s%N)
ip netns exec "$NS_B" nmap -n -Pn --max-retries 0 -sS -p 31337 "$IP_A" >/dev/null 2>&1 || true
until grep -q "Host $IP_B has been blocked" "$WORK/out" || [ $(( $(date +%s%N) - t2 )) -gt 10000000000 ]; do sleep 0.02; done
if grep -q "Host $IP_B has been blocked" "$WORK/out" && ip netns exec "$NS_A" nft get element inet portsentry banned_v4 "{ $IP_B }" >/dev/null 2>&1; then
    echo "real scanner $IP_B after the flood: banned, in the set ($(( ($(date +%s%N) - t2) / 1000000 )) ms from nmap's start;" \
        "$(sed -n "s/^debug: Host $IP_B blocked \([0-9]*\) µs after its probe was captured$/\1/p" "$WORK/out" | head -n 1) µs from its probe's capture)"
else
    echo "real scanner $IP_B after the flood: NOT banned"
fi
echo "alarm lines: $(grep -c 'Ban rate alarm' "$WORK/err" || true)"
grep 'Ban rate alarm' "$WORK/err" || true
echo "daemon VmHWM after the flood: $(hwm)"
# SIGTERM after the flood: how long until the daemon has exited (the clean-up would wait anyway).
t3=$(date +%s%N); kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID" || true; DAEMON_PID=""
echo "daemon exited $(( ($(date +%s%N) - t3) / 1000000 )) ms after SIGTERM"
