#!/usr/bin/env bash
# CI step for the Debian package: builds it (scripts/build-deb.sh, release Swift build
# included), runs lintian, checks the contents, runs the installed binaries in a throwaway
# root, verifies the systemd unit, renders the man pages, tests the fail2ban filter, and
# (unless PACKAGE_TEST_CHROOT=0) installs the package in a debootstrap'ed Debian 12 chroot
# over Debian's own portsentry 1.2 to check the upgrade path. Nothing is installed on this
# machine's real root except build tools from Debian. Every run of the installed binaries happens
# in a new, empty network namespace with a time limit (isolated below), so even a daemon that
# ignored --check-config could neither see nor change this machine's network or nftables
# ruleset, nor keep running. Ends with "package: N passed, N failed".
#
#   scripts/package-test.sh [--ref REF | --code-ref REF]   (passed to build-deb.sh)
#   PACKAGE_TEST_NO_BUILD=1   reuse the .deb already built (in out/deb, or
#   PACKAGE_TEST_DEB_DIR=DIR  in DIR)
#   PACKAGE_TEST_CHROOT=0     skip the debootstrap stage (needs deb.debian.org)
# Needs root (chroot, debootstrap, apt-get).
set -uo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
started=$(date +%s)
passed=0 failed=0
work=$(mktemp -d /tmp/package-test.XXXXXX)
trap 'rm -rf "$work"' EXIT

pass() { passed=$((passed + 1)); echo "PASS $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && sed 's/^/    /' <<<"$2" | tail -n 40; }
# check NAME CMD...: runs CMD, passes when it exits 0; its output is shown on failure.
check() {
    local name=$1 out; shift
    if out=$("$@" 2>&1); then pass "$name"; else fail "$name" "$out"; fi
}
stage() { echo "== $1 ($(( $(date +%s) - started ))s)"; }
# isolated ROOT CMD...: CMD chrooted into ROOT, in new network, mount and pid namespaces (only
# a down loopback; a private /proc at ROOT/proc, which Swift's runtime reads for the command
# line), killed after 60 s.
isolated() {
    local dir=$1; shift
    mkdir -p "$dir/proc"
    timeout -k 5 60 unshare --net --pid --fork --mount-proc="$dir/proc" chroot "$dir" "$@"
}
# accepted CMD...: CMD (a --check-config run) exits 0 in time and says the config is OK.
accepted() {
    local out rc
    out=$("$@" 2>&1); rc=$?
    echo "$out (exit status $rc)"
    [ "$rc" -eq 0 ] && grep -q '^Configuration OK' <<<"$out"
}
# refused PATTERN CMD...: CMD must fail by itself (not by the time limit) and print PATTERN.
refused() {
    local pattern=$1 out rc; shift
    out=$("$@" 2>&1); rc=$?
    echo "$out (exit status $rc)"
    [ "$rc" -ne 0 ] && [ "$rc" -lt 124 ] && grep -q -- "$pattern" <<<"$out"
}
finish() {
    echo "package: total $(( $(date +%s) - started ))s"
    echo "package: $passed passed, $failed failed"
    [ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
    exit
}

# ---------------------------------------------------------------- tools
stage "build tools"
tools=(debhelper dpkg-dev lintian fakeroot man-db groff-base systemd rsync debootstrap binutils util-linux
       libpcap-dev libnftables-dev pkg-config python3)
missing=()
for p in "${tools[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    check "apt-get install build tools" bash -c \
        "apt-get update -qq && apt-get install -y -qq --no-install-recommends ${missing[*]} >/dev/null"
fi
command -v swift >/dev/null || export PATH=/opt/swift/usr/bin:$PATH

# ---------------------------------------------------------------- build
version=$(dpkg-parsechangelog -l packaging/debian/changelog -S Version)
arch=$(dpkg --print-architecture)
debdir=${PACKAGE_TEST_DEB_DIR:-$repo/out/deb}
deb=$debdir/portsentry_${version}_${arch}.deb
changes=$debdir/portsentry_${version}_${arch}.changes
if [ -z "${PACKAGE_TEST_NO_BUILD:-}" ]; then
    stage "dpkg-buildpackage -b -us -uc"
    build_start=$(date +%s)
    if scripts/build-deb.sh "$@" >"$work/build.log" 2>&1; then
        pass "dpkg-buildpackage ($(( $(date +%s) - build_start ))s)"
    else
        fail "dpkg-buildpackage" "$(cat "$work/build.log")"; finish
    fi
fi
[ -f "$deb" ] || { fail "package file $deb exists"; finish; }

# ---------------------------------------------------------------- lintian
stage "lintian"
# Every override must carry a comment that justifies it (the line before it).
overrides=packaging/debian/portsentry.lintian-overrides
if [ -f "$overrides" ]; then
    check "every lintian override has a justifying comment" awk '
        /^[[:space:]]*$/ { prev = ""; next }
        /^#/ { prev = $0; next }
        { if (prev == "") { print "no comment before: " $0; bad = 1 } prev = "" }
        END { exit bad }' "$overrides"
fi
lintian_out=$(lintian --fail-on error,warning --display-info "$changes" 2>&1 | grep -v "running with root privileges")
lintian_rc=${PIPESTATUS[0]}
echo "$lintian_out" | sed 's/^/    lintian: /'
if [ "$lintian_rc" -eq 0 ] && ! grep -q '^[EW]:' <<<"$lintian_out"; then
    pass "lintian: no errors, no unjustified warnings"
else
    fail "lintian: no errors, no unjustified warnings" "$lintian_out"
fi

# ---------------------------------------------------------------- contents
stage "package contents"
dpkg-deb -c "$deb" | awk '{print $1, $6}' | sed 's/^/    /'
contents=$(dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|')
expect_files=(
    /usr/sbin/portsentry /usr/sbin/portsentry-ctl
    /etc/portsentry/portsentry.conf /etc/portsentry/portsentry.ignore
    /etc/portsentry/portsentry.ignore.static /etc/default/portsentry
    /etc/logrotate.d/portsentry /lib/systemd/system/portsentry.service
    /usr/share/man/man8/portsentry.8.gz /usr/share/man/man8/portsentry-ctl.8.gz
    /usr/share/man/man5/portsentry.conf.5.gz
    /usr/share/doc/portsentry/copyright /usr/share/doc/portsentry/changelog.gz
    /usr/share/doc/portsentry/NEWS.Debian.gz /usr/share/doc/portsentry/README.Debian
    /usr/share/doc/portsentry/README.md /usr/share/doc/portsentry/installation.md
    /usr/share/doc/portsentry/migration.md /usr/share/doc/portsentry/use-cases.md
    /usr/share/doc/portsentry/fail2ban-nftables.md /usr/share/doc/portsentry/troubleshooting.md
    /usr/share/doc/portsentry/events.md /usr/share/doc/portsentry/event-log.schema.json
    /usr/share/doc/portsentry/examples/fail2ban/filter.d/portsentry-scan.conf
    /usr/share/doc/portsentry/examples/fail2ban/jail.d/portsentry.conf
    /usr/share/doc/portsentry/examples/portsentry.service.d/hosts-deny.conf
    /usr/share/doc/portsentry/examples/portsentry.service.d/legacy-commands.conf
)
missing_files=()
# dh_compress may have gzipped a document: either form counts.
for f in "${expect_files[@]}"; do
    grep -qxF -e "$f" -e "$f.gz" <<<"$contents" || missing_files+=("$f")
done
if [ ${#missing_files[@]} -eq 0 ]; then pass "package has the ${#expect_files[@]} expected files"
else fail "package has the expected files" "missing: ${missing_files[*]}"; fi
conffiles=$(dpkg-deb -I "$deb" conffiles | sort | tr '\n' ' ')
check "conffiles are exactly the files in /etc" test "$conffiles" = \
    "/etc/default/portsentry /etc/logrotate.d/portsentry /etc/portsentry/portsentry.conf /etc/portsentry/portsentry.ignore /etc/portsentry/portsentry.ignore.static "
depends=$(dpkg-deb -f "$deb" Depends)
echo "    Depends: $depends"
check "Depends (dh_shlibdeps) has libpcap0.8 and libnftables1" \
    bash -c "grep -q 'libpcap0.8' <<<'$depends' && grep -q 'libnftables1' <<<'$depends'"
check "binaries do not link the Swift runtime dynamically" bash -c \
    "dpkg-deb -x '$deb' '$work/x' && ! readelf -d '$work/x/usr/sbin/portsentry' '$work/x/usr/sbin/portsentry-ctl' | grep -E 'NEEDED.*libswift|NEEDED.*Foundation'"

# ---------------------------------------------------------------- throwaway root
# The package extracted into a directory, plus the shared libraries its binaries need,
# copied from this machine: enough to chroot into and run them with the installed files.
stage "throwaway root (dpkg -x)"
root=$work/root
dpkg-deb -x "$deb" "$root"
for lib in $(ldd "$root/usr/sbin/portsentry" "$root/usr/sbin/portsentry-ctl" | grep -v ':$' | grep -o '/[^ ]*' | sort -u); do
    mkdir -p "$root$(dirname "$lib")" && cp -L "$lib" "$root$lib"
done
mkdir -p "$root/bin" "$root/usr/bin" "$root/tmp" "$root/dev"
cp /bin/sh "$root/bin/sh" && cp /usr/bin/setpriv /usr/bin/env "$root/usr/bin/"
for lib in $(ldd /bin/sh /usr/bin/setpriv /usr/bin/env | grep -v ':$' | grep -o '/[^ ]*' | sort -u); do
    mkdir -p "$root$(dirname "$lib")" && cp -L "$lib" "$root$lib"
done
touch "$root/dev/null"  # a plain file is enough for what runs here

in_root() { isolated "$root" "$@"; }
version_line=$(in_root /usr/sbin/portsentry --version 2>&1); version_rc=$?
echo "    portsentry --version: $version_line"
check "installed portsentry --version exits 0 and prints 'Portsentry ${version}'" \
    bash -c "[ $version_rc -eq 0 ] && grep -q '^Portsentry ${version%%+*}' <<<'$version_line'"
check "installed portsentry-ctl --help exits 0" in_root /usr/sbin/portsentry-ctl --help
check "installed config passes portsentry --check-config" \
    accepted in_root /usr/sbin/portsentry --check-config -c /etc/portsentry/portsentry.conf
# A broken copy must fail: the check is not a no-op.
sed 's/^BAN_TIME=.*/BAN_TIME="soon"/' "$root/etc/portsentry/portsentry.conf" >"$root/tmp/bad.conf"
check "--check-config rejects a bad BAN_TIME, naming file and value" \
    refused 'bad.conf.*soon' in_root /usr/sbin/portsentry --check-config -c /tmp/bad.conf

# /etc/default/portsentry's TCP_MODE/UDP_MODE through the unit's ExecStart: the shell line is
# run as systemd would (after unescaping $$), with the daemon's --check-config appended, so the
# mapped legacy flags reach the real binary's parser.
execstart=$(sed -n 's/^ExecStart=//p' "$root/lib/systemd/system/portsentry.service" | sed 's/\$\$/$/g')
# ExecStartPre and the first ExecReload must run the same command plus --check-config.
check_line=$(sed -n 's/^ExecStartPre=//p' "$root/lib/systemd/system/portsentry.service")
check "unit: ExecStartPre and ExecReload check the config with ExecStart's flags" test \
    "$(sed -n 's/^ExecStart=//p' "$root/lib/systemd/system/portsentry.service" | sed 's|portsentry -c|portsentry --check-config -c|')" = "$check_line" -a \
    "$(sed -n 's/^ExecReload=\(\/bin\/sh -c .exec\)/\1/p' "$root/lib/systemd/system/portsentry.service")" = "$check_line"
# /bin/sh -c '<script>': take the script between the single quotes.
script=$(sed -n "s/^\/bin\/sh -c '\(.*\)'\$/\1/p" <<<"$execstart")
map_ok() {  # TCP_MODE UDP_MODE expected-args: checks the mapping and that the daemon accepts it
    local args
    args=$(env -i TCP_MODE="$1" UDP_MODE="$2" PORTSENTRY_OPTS="" sh -c "$(sed "s|^exec /usr/sbin/portsentry|printf '%s ' |" <<<"$script")")
    [ "$args" = "$3" ] || { echo "TCP_MODE=$1 UDP_MODE=$2 gave '$args', want '$3'"; return 1; }
    accepted in_root /bin/sh -c "TCP_MODE='$1' UDP_MODE='$2'; ${script} --check-config"
}
mixed_refused() { refused 'mode' in_root /bin/sh -c "TCP_MODE=tcp UDP_MODE=sudp; ${script} --check-config"; }
check "unit ExecStart: modes unset -> stealth, no legacy flag" map_ok "" "" "-c /etc/portsentry/portsentry.conf "
check "unit ExecStart: TCP_MODE=tcp UDP_MODE=udp -> -tcp -udp" map_ok tcp udp "-c /etc/portsentry/portsentry.conf -tcp -udp "
check "unit ExecStart: TCP_MODE=stcp UDP_MODE=sudp -> -stcp -sudp" map_ok stcp sudp "-c /etc/portsentry/portsentry.conf -stcp -sudp "
check "unit ExecStart: TCP_MODE=atcp UDP_MODE=audp -> -atcp -audp" map_ok atcp audp "-c /etc/portsentry/portsentry.conf -atcp -audp "
check "unit ExecStart: TCP_MODE=atcp only -> -atcp" map_ok atcp "" "-c /etc/portsentry/portsentry.conf -atcp "
check "unit ExecStart: mixed modes (tcp + sudp) are refused by the daemon" mixed_refused

# The daemon as the unit runs it: Type=notify, the unit's capability bounding set, no new
# privileges, in the throwaway root and a new network namespace (its nftables table lives and
# dies there). READY=1, portsentry-ctl status over the control socket, SIGHUP -> RELOADING=1 and
# READY=1, SIGTERM -> STOPPING=1 and exit status 0.
check "installed daemon under the unit's limits: sd_notify, control socket, reload, stop" \
    python3 scripts/package-notify-test.py "$root"

# ---------------------------------------------------------------- systemd unit
stage "systemd unit"
# On this machine's systemd, with the unit's /usr/sbin paths pointed into the throwaway root
# (the chroot stage below verifies the unchanged unit in a Debian root with systemd).
mkdir -p "$work/unit"
sed "s|/usr/sbin/portsentry|$root/usr/sbin/portsentry|g" "$root/lib/systemd/system/portsentry.service" \
    >"$work/unit/portsentry.service"
check "systemd-analyze verify portsentry.service" systemd-analyze verify --man=no "$work/unit/portsentry.service"
security=$(systemd-analyze security --offline=yes --root="$root" portsentry.service 2>&1)
exposure=$(grep -o 'Overall exposure level for portsentry.service: [0-9.]*' <<<"$security" | awk '{print $NF}')
echo "    systemd-analyze security: exposure ${exposure:-?}"
check "systemd-analyze security: exposure <= 2.0 (OK)" \
    awk -v e="${exposure:-99}" 'BEGIN { exit !(e <= 2.0) }'
unit=$root/lib/systemd/system/portsentry.service
for want in '^Type=notify$' "^ExecStartPre=/bin/sh -c 'exec /usr/sbin/portsentry --check-config" \
            "^ExecReload=/bin/sh -c 'exec /usr/sbin/portsentry --check-config" "^ExecReload=/bin/sh -c 'kill -HUP \\\$MAINPID'\$" \
            '^User=portsentry$' '^Group=portsentry$' '^StateDirectory=portsentry$' '^StateDirectoryMode=0700$' \
            '^RuntimeDirectory=portsentry$' '^RuntimeDirectoryMode=0750$' \
            '^CapabilityBoundingSet=CAP_NET_ADMIN CAP_NET_RAW CAP_NET_BIND_SERVICE$' \
            '^AmbientCapabilities=CAP_NET_ADMIN CAP_NET_RAW CAP_NET_BIND_SERVICE$' \
            '^SystemCallFilter=~@privileged$' '^After=.* nftables.service' \
            '^ProtectSystem=strict$' '^NoNewPrivileges=yes$'; do
    check "unit has $want" grep -q -- "$want" "$unit"
done
check "unit: no Wants=, Requires= or PartOf= on nftables.service (ordering only)" \
    bash -c "! grep -E '^(Wants|Requires|BindsTo|PartOf)=.*nftables' '$unit'"
check "logrotate: the history file is rotated as the portsentry user" \
    bash -c "grep -qx '	create 0600 portsentry portsentry' '$root/etc/logrotate.d/portsentry' && grep -qx '	su portsentry portsentry' '$root/etc/logrotate.d/portsentry'"

# ---------------------------------------------------------------- man pages
stage "man pages"
for page in "$root"/usr/share/man/man*/*.gz; do
    name=$(basename "$page" .gz)
    check "groff -man -ww renders $name without warnings" \
        bash -c "out=\$(zcat '$page' | groff -man -ww -z 2>&1); [ -z \"\$out\" ] || { echo \"\$out\"; false; }"
    check "man -l renders $name without warnings" \
        bash -c "out=\$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 -Z '$page' 2>&1 >/dev/null); [ -z \"\$out\" ] || { echo \"\$out\"; false; }"
done

# The pages document every config key the parser knows and every flag the binaries print in
# their --help (keys from the source; flags from the installed binaries).
man_src() { zcat "$root/usr/share/man/$1.gz"; }
undocumented_keys() {
    local k bad=""
    for k in $(grep -oE 'case [a-zA-Z]+ = "[A-Z_]+"' Sources/PortsentryCore/Config/ConfigKey.swift | grep -oE '"[A-Z_]+"' | tr -d '"'); do
        man_src man5/portsentry.conf.5 | grep -qw -- "$k" || bad+=" $k"
    done
    [ -z "$bad" ] || { echo "not in portsentry.conf(5):$bad"; false; }
}
check "portsentry.conf(5) documents every key of ConfigKey.swift" undocumented_keys
undocumented_flags() {  # PAGE HELP-COMMAND...
    local page=$1 f bad="" help; shift
    help=$("$@" 2>&1) || { echo "$help"; return 1; }
    for f in $(grep -oE -- '(^|[ ,/])--?[a-zA-Z][a-zA-Z-]*' <<<"$help" | grep -oE -- '--?[a-zA-Z][a-zA-Z-]*' | sort -u); do
        man_src "$page" | grep -qF -- "${f//-/\\-}" || bad+=" $f"
    done
    [ -z "$bad" ] || { echo "not in $page:$bad"; false; }
}
check "portsentry(8) documents every flag of portsentry --help" \
    undocumented_flags man8/portsentry.8 in_root /usr/sbin/portsentry --help
for sub in status list block unblock flush reload explain; do
    check "portsentry-ctl(8) documents '$sub' and its flags" \
        undocumented_flags man8/portsentry-ctl.8 in_root /usr/sbin/portsentry-ctl help "$sub"
done

# ---------------------------------------------------------------- fail2ban filter
stage "fail2ban filter"
if (cd "$work" && apt-get download -qq fail2ban >/dev/null 2>&1); then
    dpkg-deb -x "$work"/fail2ban_*.deb "$work/f2b"
    cp -r "$work/f2b/etc/fail2ban" "$work/f2bconf"
    cp "$root/usr/share/doc/portsentry/examples/fail2ban/filter.d/portsentry-scan.conf" "$work/f2bconf/filter.d/"
    cp "$root/usr/share/doc/portsentry/examples/fail2ban/jail.d/portsentry.conf" "$work/f2bconf/jail.d/"
    cat >"$work/history" <<'EOF'
2026-11-21T23:06:37.403+0000 Scan from: [192.0.2.7] (192.0.2.7) protocol: [TCP] port: [1080] type: [TCP SYN/Normal scan] IP opts: [not set] ignored: [false] triggered: [true] noblock: [false] blocked: [true]
2026-11-21T23:06:38.403+0000 Scan from: [2001:db8::5] (scanner.example.net) protocol: [UDP] port: [161] type: [UDP] IP opts: [unknown] ignored: [false] triggered: [true] noblock: [true] blocked: [false]
2026-11-21T23:06:39.403+0000 Scan from: [198.51.100.1] (198.51.100.1) protocol: [TCP] port: [79] type: [TCP FIN scan] IP opts: [not set] ignored: [true] triggered: [unset] noblock: [unset] blocked: [unset]
2026-11-21T23:06:40.403+0000 Scan from: [198.51.100.2] (198.51.100.2) protocol: [TCP] port: [79] type: [TCP NULL scan] IP opts: [set] ignored: [false] triggered: [false] noblock: [unset] blocked: [unset]
Nov 21 23:06:37 host portsentry[123]: attackalert: Host 203.0.113.9 has been blocked via dropped route using command: "/sbin/iptables -I INPUT -s 203.0.113.9 -j DROP"
Nov 21 23:06:37 host portsentry[123]: Scan from: [203.0.113.9] (203.0.113.9) protocol: [TCP] port: [111] type: [Unknown Type: TCP Packet Flags: SYN: 1 FIN: 1 ACK: 0 PSH: 0 URG: 0 RST: 0] IP opts: [not set] ignored: [false] triggered: [true] noblock: [false] blocked: [true]
Nov 21 23:06:38 host portsentry[123]: Portsentry is now active and listening.
Nov 21 23:06:39 host portsentry[123]: attackalert: Host 198.51.100.77 has been blocked via nftables set inet portsentry banned_v4 for 24h
EOF
    f2b() { PYTHONPATH="$work/f2b/usr/lib/python3/dist-packages" python3 "$work/f2b/usr/bin/$@"; }
    f2b_out=$(f2b fail2ban-regex -c "$work/f2bconf" --print-all-matched "$work/history" portsentry-scan 2>&1)
    f2b_counts() { grep -q 'Lines: 8 lines, 0 ignored, 5 matched, 3 missed' <<<"$f2b_out" || { echo "$f2b_out"; false; }; }
    check "fail2ban filter matches triggered, not ignored or untriggered, lines (5 of 8)" f2b_counts
    # Hosts of the matched lines, as fail2ban-regex prints them.
    hosts=$(sed -n '/Matched line(s):/,/^`-/p' <<<"$f2b_out" \
            | grep -oE 'Scan from: \[[^]]*\]|attackalert: Host [^ ]*' | grep -oE '[0-9a-f.:]+\]?$' | tr -d ']' | LC_ALL=C sort -u | tr '\n' ' ')
    check "fail2ban filter finds hosts 192.0.2.7 198.51.100.77 203.0.113.9 2001:db8::5" \
        test "$hosts" = "192.0.2.7 198.51.100.77 2001:db8::5 203.0.113.9 "
    # The jail example, enabled on the history file, must load with our filter and action.
    rm -f "$work/f2bconf/jail.d/defaults-debian.conf" "$work/f2bconf/jail.d/portsentry.conf"
    sed -e 's/^enabled   = false/enabled   = true/' -e 's/^backend   = systemd/backend   = auto/' \
        -e "s|^#logpath  = .*|logpath  = $work/history|" \
        "$root/usr/share/doc/portsentry/examples/fail2ban/jail.d/portsentry.conf" >"$work/f2bconf/jail.d/portsentry.local"
    jail_dump=$(f2b fail2ban-client -c "$work/f2bconf" -d 2>&1)
    jail_ok() {
        grep -qF "['add', 'portsentry', 'auto']" <<<"$jail_dump" && grep -qF "['set', 'portsentry', 'addaction', 'nftables-allports']" <<<"$jail_dump" \
            && grep -qF "meta l4proto \\\\{ tcp,udp \\\\}" <<<"$jail_dump" || { echo "$jail_dump" | grep -i portsentry; false; }
    }
    check "fail2ban jail example loads (filter, nftables-allports for tcp,udp)" jail_ok
else
    fail "apt-get download fail2ban (for fail2ban-regex)"
fi

# ---------------------------------------------------------------- chroot: install and upgrade
if [ "${PACKAGE_TEST_CHROOT:-1}" = "1" ]; then
    stage "debootstrap bookworm chroot"
    ch=$work/chroot
    if debootstrap --variant=minbase bookworm "$ch" http://deb.debian.org/debian >"$work/debootstrap.log" 2>&1; then
        pass "debootstrap --variant=minbase bookworm ($(( $(date +%s) - started ))s so far)"
        printf '#!/bin/sh\nexit 101\n' >"$ch/usr/sbin/policy-rc.d" && chmod +x "$ch/usr/sbin/policy-rc.d"
        cp "$deb" "$ch/tmp/"
        in_ch() { chroot "$ch" env DEBIAN_FRONTEND=noninteractive "$@"; }
        apt_opts=(-y -q -o Dpkg::Options::=--force-confold -o Dpkg::Options::=--force-confdef)

        stage "upgrade from Debian's portsentry 1.2"
        check "install Debian's portsentry 1.2" in_ch apt-get install "${apt_opts[@]}" portsentry
        # The admin's edits: block TCP with the 1.2 KILL_ROUTE, and a custom ignore entry.
        sed -i 's/^BLOCK_TCP="0"/BLOCK_TCP="1"/' "$ch/etc/portsentry/portsentry.conf"
        echo "192.0.2.99" >>"$ch/etc/portsentry/portsentry.ignore.static"
        old_conf=$(md5sum <"$ch/etc/portsentry/portsentry.conf")
        # A history file as 1.2 (run as root) leaves it: the upgrade must hand it to the new user.
        mkdir -p "$ch/var/lib/portsentry" && echo "1.2 history" >>"$ch/var/lib/portsentry/portsentry.history"
        check "install this package over it (apt-get install ./portsentry.deb)" \
            in_ch apt-get install "${apt_opts[@]}" "/tmp/$(basename "$deb")"
        check "upgrade: the admin's edited portsentry.conf is kept" \
            test "$(md5sum <"$ch/etc/portsentry/portsentry.conf")" = "$old_conf"
        check "upgrade: the new default is saved as portsentry.conf.dpkg-dist" \
            cmp "$ch/etc/portsentry/portsentry.conf.dpkg-dist" "$root/etc/portsentry/portsentry.conf"
        check "upgrade: the admin's ignore.static entry is kept" grep -qx "192.0.2.99" "$ch/etc/portsentry/portsentry.ignore.static"
        check "upgrade: /etc/default/portsentry keeps TCP_MODE=\"tcp\" UDP_MODE=\"udp\"" \
            bash -c "grep -qx 'TCP_MODE=\"tcp\"' '$ch/etc/default/portsentry' && grep -qx 'UDP_MODE=\"udp\"' '$ch/etc/default/portsentry'"
        check "upgrade: init script, its rc.d links and the ppp hooks are gone" bash -c \
            "! ls '$ch'/etc/init.d/portsentry '$ch'/etc/rc?.d/*portsentry '$ch'/etc/ppp/ip-up.d/portsentry '$ch'/etc/ppp/ip-down.d/portsentry 2>/dev/null | grep ."
        check "upgrade: portsentry.service is enabled" test -L "$ch/etc/systemd/system/multi-user.target.wants/portsentry.service"
        # system_user: the daemon's account as the postinst makes it (portsentry.service's User=).
        system_user() {
            local entry; entry=$(chroot "$ch" getent passwd portsentry) || { echo "no user portsentry"; return 1; }
            echo "$entry"
            IFS=: read -r _ _ uid gid _ home shell <<<"$entry"
            [ "$uid" -lt 1000 ] && [ "$home" = /var/lib/portsentry ] && [ "$shell" = /usr/sbin/nologin ] \
                && [ "$(chroot "$ch" getent group portsentry | cut -d: -f3)" = "$gid" ] \
                && [ "$(chroot "$ch" stat -c '%U:%G %a' /var/lib/portsentry)" = "portsentry:portsentry 700" ]
        }
        check "upgrade: system user and group portsentry, owning /var/lib/portsentry (0700)" system_user
        check "upgrade: 1.2's history file now belongs to portsentry" \
            test "$(chroot "$ch" stat -c %U:%G /var/lib/portsentry/portsentry.history)" = portsentry:portsentry
        check "upgrade: the kept 1.2 config (KILL_ROUTE set) passes --check-config" \
            accepted isolated "$ch" /usr/sbin/portsentry --check-config -c /etc/portsentry/portsentry.conf
        check "upgrade: the daemon accepts the kept 1.2 modes (-tcp -udp)" \
            accepted isolated "$ch" /usr/sbin/portsentry -tcp -udp --check-config -c /etc/portsentry/portsentry.conf
        check "upgrade: dpkg reports portsentry ${version} installed" \
            bash -c "chroot '$ch' dpkg-query -W -f='\${Version} \${db:Status-Abbrev}' portsentry | grep -q '^${version} ii'"

        stage "purge and fresh install"
        check "purge" in_ch dpkg --purge portsentry
        check "purge removes /etc/portsentry and /var/lib/portsentry state" \
            bash -c "! ls -d '$ch/var/lib/portsentry/portsentry.history' '$ch/etc/default/portsentry' '$ch/etc/portsentry/portsentry.conf' 2>/dev/null | grep ."
        check "purge keeps the portsentry user (Debian practice), removes /var/lib/portsentry" \
            bash -c "chroot '$ch' getent passwd portsentry && ! test -e '$ch/var/lib/portsentry'"
        kept_uid=$(chroot "$ch" id -u portsentry 2>/dev/null)
        check "fresh install" in_ch dpkg -i "/tmp/$(basename "$deb")"
        user_reused() { system_user && [ "$(chroot "$ch" id -u portsentry)" = "$kept_uid" ]; }
        check "fresh install: the kept user is reused, /var/lib/portsentry made again" user_reused
        check "fresh install: shipped portsentry.conf in place" \
            cmp "$ch/etc/portsentry/portsentry.conf" "$root/etc/portsentry/portsentry.conf"
        check "fresh install: --check-config passes in the real Debian root" \
            accepted isolated "$ch" /usr/sbin/portsentry --check-config -c /etc/portsentry/portsentry.conf
        check "install systemd in the chroot" in_ch apt-get install "${apt_opts[@]}" --no-install-recommends systemd
        check "fresh install: systemd-analyze verify --root=chroot portsentry.service" \
            systemd-analyze verify --man=no --root="$ch" /lib/systemd/system/portsentry.service
        # The hosts.deny drop-in, installed as README.Debian says: /etc becomes writable.
        mkdir -p "$ch/etc/systemd/system/portsentry.service.d"
        zcat -f "$ch"/usr/share/doc/portsentry/examples/portsentry.service.d/hosts-deny.conf* \
            >"$ch/etc/systemd/system/portsentry.service.d/hosts-deny.conf"
        check "hosts-deny drop-in: systemd-analyze verify" \
            systemd-analyze verify --man=no --root="$ch" /lib/systemd/system/portsentry.service
        check "hosts-deny drop-in: the merged unit has ReadWritePaths=/etc" bash -c \
            "SYSTEMD_LOG_LEVEL=err systemd-analyze cat-config --root='$ch' systemd/system/portsentry.service.d/hosts-deny.conf | grep -qx 'ReadWritePaths=/etc'"
    else
        fail "debootstrap --variant=minbase bookworm" "$(tail -n 20 "$work/debootstrap.log")"
    fi
fi

finish
