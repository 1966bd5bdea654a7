#!/usr/bin/env bash
# The daemon's command line (docs/daemon.md "Command line"): version line first, -h/-V exit 0, every bad
# combination exits non-zero with a message naming the problem, --check-config accepts a good config.
# Needs no namespaces; never starts a sentry (only bad command lines and --check-config).
. "$(dirname "$0")/lib.sh"

VERSION_RE='^Portsentry 2\.0\.0-swift \(([0-9a-f]+|unknown)\)$'

# run NAME ARGS...: runs portsentry, stdout/stderr in $WORK/NAME.out/.err, status in RC.
run() {
    local name=$1; shift
    RC=0
    timeout 20 "$PORTSENTRY" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" || RC=$?
    [ "$RC" -ne 124 ] || fail "$name: portsentry $* still running after 20 s"
    head -n 1 "$WORK/$name.out" | grep -Eq "$VERSION_RE" || fail "$name: first stdout line is not the version line"
}

run help -h
assert_eq "$RC" 0 "-h exit status"
grep -q -- "--configfile" "$WORK/help.out" || fail "-h does not list --configfile"
run help_long --help
assert_eq "$RC" 0 "--help exit status"

run version -V
assert_eq "$RC" 0 "-V exit status"
assert_eq "$(wc -l <"$WORK/version.out")" 1 "-V prints only the version line"
run version_long --version
assert_eq "$RC" 0 "--version exit status"

# expect_error NAME TEXT ARGS...: non-zero exit and TEXT on stderr.
expect_error() {
    local name=$1 text=$2; shift 2
    run "$name" "$@"
    [ "$RC" -ne 0 ] || fail "$name: portsentry $* exited 0"
    grep -qF -- "$text" "$WORK/$name.err" || fail "$name: stderr lacks '$text': $(cat "$WORK/$name.err")"
}

expect_error both_modes "--stealth and --connect cannot be used together" --stealth --connect
expect_error twice "--connect was given more than once" --connect --connect
expect_error legacy_mixed "-tcp watches in connect mode but -sudp in stealth mode" -tcp -sudp
expect_error legacy_two_tcp "-stcp and -atcp both set the TCP mode" -stcp -atcp
expect_error legacy_vs_explicit "--connect conflicts with -stcp" --connect -stcp
expect_error bad_method "'bogus' is invalid for '-m <method>'" -m bogus
expect_error bad_output "'file' is invalid for '-l <logoutput>'" -l file
expect_error all_and_name "-i ALL cannot be combined with other -i values" -i ALL -i eth0
expect_error bad_interface "is not an interface name" -i "a/b"
expect_error unknown_flag "Unknown option '--bogus'" --bogus
expect_error no_config_value "Missing value for '-c <configfile>'" -c
expect_error empty_config_path "-c needs the path of the config file" -c ""

# A good config passes --check-config without starting anything.
cat >"$WORK/good.conf" <<'CONF'
TCP_PORTS="1,11,15"
UDP_PORTS="1,7,9"
BLOCK_TCP="0"
BLOCK_UDP="0"
CONF
run check_good --check-config -c "$WORK/good.conf"
assert_eq "$RC" 0 "--check-config on a good config"
assert_no_line "$WORK/check_good.out" "Portsentry is now active and listening."

# A lenient ignore file (CRLF, comments, host bits set) passes with a warning naming the line.
printf '# hosts\r\n192.0.2.1  # admin\r\n10.1.2.3/8\r\n2001:DB8::/32' >"$WORK/lenient.ignore"
printf 'IGNORE_FILE="%s"\n' "$WORK/lenient.ignore" >>"$WORK/good.conf"
run check_lenient --check-config -c "$WORK/good.conf"
assert_eq "$RC" 0 "--check-config with a lenient ignore file"
grep -qF "$WORK/lenient.ignore:3: 10.1.2.3/8 has host bits set; using 10.0.0.0/8" "$WORK/check_lenient.err" \
    || fail "no host-bits warning on stderr: $(cat "$WORK/check_lenient.err")"

note "ok"
