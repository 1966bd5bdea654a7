#!/usr/bin/env bash
# Restart of the release daemon with BANS bans (default 100,000): the time from starting the
# process to its ready line ("Portsentry is now active and listening."), and whether every ban is
# in the kernel set at that moment. Two cases, RUNS times each, alternating:
#   warm: the daemon stopped, its table and elements still in the kernel, the state file written;
#   cold: the same after `nft delete table` (as after a reboot: only the state file is left).
# The state file comes from a first run that loads a generated file of BANS bans (198.18.0.0/15).
# Everything runs in a namespace this script creates and removes.
# Figures: docs/performance.md ("Restart with many bans").
# Usage: BANS=100000 RUNS=5 scripts/bench-restart.sh
set -euo pipefail
cd "$(dirname "$0")/.."
SCRATCH=${SCRATCH:-.build-bench}
BANS=${BANS:-100000}
RUNS=${RUNS:-5}

. scripts/lib/release-build.sh
[ -n "${BIN:-}" ] || release_build portsentry   # BIN=dir: use that binary

PREFIX=br
. scripts/lib/bench-pair.sh
cat > "$WORK/portsentry.conf" <<CONF
TCP_PORTS="31337"
BLOCK_TCP="1"
BLOCK_UDP="0"
SCAN_TRIGGER="0"
BAN_TIME="1h"
NFT_SET_SIZE="$(( BANS + 1024 ))"
CONTROL_SOCKET="$WORK/control.sock"
STATE_FILE="$WORK/bans.state"
CONF
python3 - "$WORK/bans.state" "$BANS" <<'PY'
import sys, time
path, n = sys.argv[1], int(sys.argv[2])
now = int(time.time() * 1000)
with open(path, "w") as f:
    f.write("portsentry-bans 1\n")
    base = (198 << 24) | (18 << 16)
    for i in range(n):
        a = base + 1 + i
        f.write(f"{a >> 24}.{(a >> 16) & 255}.{(a >> 8) & 255}.{a & 255}\t{now + 3_600_000 - i}\t0\t{now}\tTCP\t31337\tTCP SYN/Normal scan\n")
PY

# start LABEL: starts the daemon and waits for its ready line; sets MS (from spawn to the
# ready line, polled every millisecond), CPU (the daemon's CPU time by then, 10 ms steps) and
# DAEMON_PID. Output in $WORK/LABEL.out/.err.
start() {
    python3 - "$BIN/portsentry" "$WORK/portsentry.conf" "$NS_A" "$WORK/$1" <<'PY'
import os, subprocess, sys, time
binary, conf, ns, log = sys.argv[1:5]
out = open(log + ".out", "w+")
t0 = time.monotonic()
p = subprocess.Popen(["ip", "netns", "exec", ns, binary, "-c", conf, "--stealth"], stdin=subprocess.DEVNULL,
                     stdout=out, stderr=open(log + ".err", "w"), start_new_session=True)
while True:
    if p.poll() is not None: sys.exit("the daemon exited")
    with open(log + ".out") as f:
        if "now active and listening" in f.read(): break
    time.sleep(0.001)
ms = (time.monotonic() - t0) * 1000
fields = open(f"/proc/{p.pid}/stat").read().rsplit(")", 1)[1].split()
cpu = (int(fields[11]) + int(fields[12])) * 1000 // os.sysconf("SC_CLK_TCK")   # utime + stime
open(log + ".result", "w").write(f"{p.pid} {ms:.0f} {cpu}\n")
PY
    read -r DAEMON_PID MS CPU < "$WORK/$1.result"
}
stop() { kill -TERM "$DAEMON_PID"; while kill -0 "$DAEMON_PID" 2>/dev/null; do sleep 0.05; done; DAEMON_PID=""; }
in_kernel() {
    ip netns exec "$NS_A" nft -j list set inet portsentry banned_v4 | python3 -c 'import json,sys; print(sum(len(o["set"].get("elem", [])) for o in json.load(sys.stdin)["nftables"] if "set" in o))'
}

echo "restart with $BANS bans: $(nproc) CPUs, kernel $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
start first; echo "first start (state file only): $MS ms (CPU $CPU ms), $(in_kernel) bans in the kernel"
stop
for run in $(seq "$RUNS"); do
    start "warm$run"; n=$(in_kernel); stop
    echo "run $run warm: ready after $MS ms (CPU $CPU ms), $n of $BANS bans in the kernel"
    ip netns exec "$NS_A" nft delete table inet portsentry
    start "cold$run"; n=$(in_kernel); stop
    echo "run $run cold: ready after $MS ms (CPU $CPU ms), $n of $BANS bans in the kernel"
done
