#!/usr/bin/env bash
# Capture benchmark (docs/performance.md, "Capture"): builds bench-capture in release mode,
# joins two fresh network namespaces with a veth pair, compiles a minimal C libpcap loop, and
# prints packets/s handled with zero loss and the capture delay of a lone probe for each path.
# With PORTSENTRY_MEMORY=1 it also runs the daemon in stealth mode while 1,000,000 spoofed
# sources send one probe each, and reports the daemon's peak memory (VmHWM).
# Needs root. Everything it creates is removed on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
SCRATCH=${SCRATCH:-.build-stealth}
PACKETS=${PACKETS:-200000}

. scripts/lib/release-build.sh
release_build bench-capture

PREFIX=bc
. scripts/lib/bench-pair.sh

# The C reference: pcap_create, immediate mode, same snaplen, buffer and filter as the Swift pcap
# path, poll + pcap_dispatch, and the same per-packet work (find the TCP header, check port and flags).
cat > "$WORK/pcap_loop.c" <<'C'
#include <pcap/pcap.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static long count, expected, ndelays;
static unsigned port;
static int record_delays;
static unsigned long long *delays;

static unsigned long long clock_ns(clockid_t c) {
    struct timespec t;
    clock_gettime(c, &t);
    return (unsigned long long)t.tv_sec * 1000000000ULL + t.tv_nsec;
}

static void handle(u_char *user, const struct pcap_pkthdr *h, const u_char *p) {
    (void)user;
    if (h->caplen < 14 + 20 || p[12] != 0x08 || p[13] != 0x00) return;
    const u_char *ip = p + 14;
    unsigned ihl = (ip[0] & 15) * 4;
    if (ihl < 20 || h->caplen < 14 + ihl + 14 || ip[9] != 6) return;
    const u_char *tcp = ip + ihl;
    if ((unsigned)(tcp[2] << 8 | tcp[3]) != port || (tcp[13] & 0x14)) return;
    count++;
    if (record_delays && ndelays < expected) {
        unsigned long long ts = (unsigned long long)h->ts.tv_sec * 1000000000ULL + h->ts.tv_usec;
        delays[ndelays++] = clock_ns(CLOCK_REALTIME) - ts;
    }
}

static int cmp(const void *a, const void *b) {
    unsigned long long x = *(const unsigned long long *)a, y = *(const unsigned long long *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    if (argc != 6) { fprintf(stderr, "usage: %s IFACE FILTER PORT count|delay EXPECTED\n", argv[0]); return 2; }
    char err[PCAP_ERRBUF_SIZE];
    port = atoi(argv[3]); record_delays = !strcmp(argv[4], "delay"); expected = atol(argv[5]);
    delays = calloc(expected, sizeof *delays);
    pcap_t *p = pcap_create(argv[1], err);
    if (!p) { fprintf(stderr, "%s\n", err); return 1; }
    pcap_set_snaplen(p, 256); pcap_set_promisc(p, 0); pcap_set_immediate_mode(p, 1);
    pcap_set_buffer_size(p, 4 << 20); pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO);
    if (pcap_activate(p) < 0) { fprintf(stderr, "%s\n", pcap_geterr(p)); return 1; }
    pcap_setdirection(p, PCAP_D_IN);
    struct bpf_program prog;
    if (pcap_compile(p, &prog, argv[2], 1, PCAP_NETMASK_UNKNOWN) || pcap_setfilter(p, &prog)) {
        fprintf(stderr, "%s\n", pcap_geterr(p)); return 1;
    }
    pcap_setnonblock(p, 1, err);
    struct pollfd fd = { pcap_get_selectable_fd(p), POLLIN, 0 };
    printf("ready\n"); fflush(stdout);
    unsigned long long last = clock_ns(CLOCK_MONOTONIC);
    while (count < expected) {
        int rc = poll(&fd, 1, 100);
        if (rc > 0 && pcap_dispatch(p, -1, handle, NULL) > 0) last = clock_ns(CLOCK_MONOTONIC);
        if (clock_ns(CLOCK_MONOTONIC) - last > (count ? 1000000000ULL : 10000000000ULL)) break;
    }
    qsort(delays, ndelays, sizeof *delays, cmp);
    printf("%ld %llu %llu %llu\n", count, ndelays ? delays[ndelays / 2] : 0, ndelays ? delays[ndelays * 99 / 100] : 0,
           clock_ns(CLOCK_PROCESS_CPUTIME_ID));
    return 0;
}
C
cc -O2 -o "$WORK/pcap_loop" "$WORK/pcap_loop.c" -lpcap

echo "capture benchmark: $(nproc) CPUs, kernel $(uname -r), $PACKETS packets per trial"
ip netns exec "$NS_A" "$BIN/bench-capture" --sender-ns "$NS_B" --sender-if "$IF_B" --capture-if "$IF_A" \
    --source "$IP_B" --target "$IP_A" --packets "$PACKETS" --c-loop "$WORK/pcap_loop"

if [ "${PORTSENTRY_MEMORY:-0}" = 1 ]; then
    release_build portsentry
    cat > "$WORK/portsentry.conf" <<CONF
TCP_PORTS="31337"
UDP_PORTS="31337"
BLOCK_TCP="0"
BLOCK_UDP="0"
SCAN_TRIGGER="3"
CONTROL_SOCKET="$WORK/control.sock"
STATE_FILE="$WORK/bans.state"
CONF
    # Every probe makes a scan line (triggered: [false]); count them instead of storing 1M lines
    # (mawk reads pipes in blocks unless interactive).
    ip netns exec "$NS_A" "$BIN/portsentry" -c "$WORK/portsentry.conf" --stealth -i "$IF_A" \
        > >(mawk -W interactive -v ready="$WORK/ready" -v count="$WORK/count" '
            /now active/ { print "ready" > ready; close(ready) }
            /^Scan from:/ { n++ }
            END { print n + 0 > count }') 2>"$WORK/daemon.err" &
    DAEMON_PID=$!
    for _ in $(seq 400); do [ -f "$WORK/ready" ] && break; sleep 0.05; done
    [ -f "$WORK/ready" ] || { cat "$WORK/daemon.err"; exit 1; }
    before=$(awk '/VmHWM/ {print $2}' /proc/$DAEMON_PID/status)
    ip netns exec "$NS_A" "$BIN/bench-capture" --send-only --sender-ns "$NS_B" --sender-if "$IF_B" \
        --target "$IP_A" --packets 1000000 --rate "${MEMORY_RATE:-100000}"
    sleep 2   # let the daemon drain its queue before reading the peak
    after=$(awk '/VmHWM/ {print $2}' /proc/$DAEMON_PID/status)
    kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID" || true; DAEMON_PID=""
    for _ in $(seq 100); do [ -s "$WORK/count" ] && break; sleep 0.05; done
    echo "daemon VmHWM: ${before} kB after start-up, ${after} kB after 1,000,000 spoofed sources" \
         "($(cat "$WORK/count" 2>/dev/null || echo ?) scan lines)"
fi
