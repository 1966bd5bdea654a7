#!/usr/bin/env bash
# EVENT_LOG end to end: a scan (one probe below SCAN_TRIGGER, one that bans), a manual ban, an
# unblock, an expiry and a flush each write their JSON line; the file is moved away mid-run
# (as logrotate does) and the daemon writes a new one; a reload names another file; then EVENT_LOG="-" puts the lines on
# stdout between the classic lines (dry run, a service on a watched port). Every line written,
# and every example line of docs/events.md, is validated against docs/event-log.schema.json
# with Debian's python3-jsonschema.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ctl_lib.sh"
SCHEMA="$ROOT/docs/event-log.schema.json"
# Debian's interpreter, which python3-jsonschema belongs to (another python3 may be first on PATH).
PY=/usr/bin/python3
"$PY" -c 'import jsonschema' 2>/dev/null || fail "python3-jsonschema is missing (scripts/install-deps.sh installs it)"

make_pair
write_ctl_config "$WORK/portsentry.conf"
EVENTS="$WORK/events.jsonl"
cat >>"$WORK/portsentry.conf" <<CONF
SCAN_TRIGGER="2"
EVENT_LOG="$EVENTS"
CONF

# validate FILE...: every line of each FILE that starts with "{" is one JSON object the schema
# accepts; prints how many were checked. Any other line in a file other than stdout fails.
validate() {
    "$PY" - "$SCHEMA" "$@" <<'PY'
import json, sys, jsonschema
validator = jsonschema.Draft202012Validator(json.load(open(sys.argv[1])))
checked = 0
for path in sys.argv[2:]:
    for n, line in enumerate(open(path), 1):
        line = line.rstrip("\n")
        if not line.startswith("{"):
            if path.endswith(".jsonl"):
                sys.exit(f"{path}:{n}: not a JSON line: {line!r}")
            if '{"' in line:
                sys.exit(f"{path}:{n}: a JSON line cut into another: {line!r}")
            continue
        errors = [e.message for e in validator.iter_errors(json.loads(line))]
        if errors:
            sys.exit(f"{path}:{n}: {errors}: {line}")
        checked += 1
print(checked)
PY
}

# has_event FILE KEY=VALUE...: FILE has a line whose fields have these values (numbers as text).
has_event() {
    local file=$1; shift
    [ -f "$file" ] || return 1
    "$PY" - "$file" "$@" <<'PY'
import json, sys
want = dict(a.split("=", 1) for a in sys.argv[2:])
for line in open(sys.argv[1]):
    e = json.loads(line)
    if all(str(e.get(k)) == v for k, v in want.items()):
        sys.exit(0)
sys.exit(1)
PY
}
# line_of FILE KEY=VALUE...: the number of the first line that matches (as has_event).
line_of() {
    local file=$1; shift
    "$PY" - "$file" "$@" <<'PY'
import json, sys
want = dict(a.split("=", 1) for a in sys.argv[2:])
for n, line in enumerate(open(sys.argv[1]), 1):
    e = json.loads(line)
    if all(str(e.get(k)) == v for k, v in want.items()):
        print(n); break
PY
}

note "the documented examples are valid"
sed -n '/^```json$/,/^```$/p' "$ROOT/docs/events.md" | grep '^{' > "$WORK/examples.jsonl"
[ "$(validate "$WORK/examples.jsonl")" -ge 7 ] || fail "docs/events.md has fewer examples than expected"

start_daemon daemon "$WORK/portsentry.conf" --stealth -m raw
[ -f "$EVENTS" ] || fail "EVENT_LOG was not opened at start"

note "a scan: one probe counted, the next one bans"
in_b nmap -n -Pn --max-retries 0 --scan-delay 100ms -sS -p 11,15 "$IP_A" >"$WORK/nmap.out" 2>&1 || fail "nmap failed"
wait_for 10 has_event "$EVENTS" kind=probe source="$IP_B" result=blocked
has_event "$EVENTS" kind=probe source="$IP_B" destination="$IP_A" protocol=tcp probe_type=syn tcp_flags=2 \
    mode=stealth interface="$IF_A" ip_options=False result=untriggered || fail "no untriggered probe line: $(cat "$EVENTS")"
has_event "$EVENTS" kind=ban source="$IP_B" target="$IP_B/32" origin=probe result=banned duration_seconds=600 offence=1 \
    protocol=tcp probe_type=syn mode=stealth || fail "no ban line: $(cat "$EVENTS")"
ban=$(line_of "$EVENTS" kind=ban source="$IP_B")
blocked=$(line_of "$EVENTS" kind=probe result=blocked)
[ "$ban" -lt "$blocked" ] || fail "the ban's line ($ban) should come before its probe's ($blocked)"
"$PY" -c 'import json, sys
e = [json.loads(l) for l in open(sys.argv[1]) if "\"kind\":\"ban\"" in l][0]
assert e["expires"] > e["time"], e' "$EVENTS" || fail "the ban has no expiry after its time"

note "moved away (logrotate): the next line goes to a new file"
before=$(line_count "$EVENTS")
mv "$EVENTS" "$EVENTS.1"
expect_ctl 0 block 198.51.100.7 --reason "office scan"
wait_for 10 has_event "$EVENTS" kind=ban target=198.51.100.7/32 origin=manual comment="office scan" result=banned
! has_event "$EVENTS.1" target=198.51.100.7/32 || fail "a line went to the moved file"
assert_eq "$(line_count "$EVENTS.1")" "$before" "the moved file's lines"

note "unblock, expiry, flush"
expect_ctl 0 unblock "$IP_B"
wait_for 10 has_event "$EVENTS" kind=unban target="$IP_B/32" source="$IP_B" reason=unbanned
expect_ctl 0 block 198.51.100.8 --for 1s
wait_for 15 has_event "$EVENTS" kind=unban target=198.51.100.8/32 reason=expired
expect_ctl 0 flush
wait_for 10 has_event "$EVENTS" kind=unban target=198.51.100.7/32 reason=flushed

note "a reload moves the log to another file, opened at once"
sed -i "s|^EVENT_LOG=.*|EVENT_LOG=\"$WORK/reloaded.jsonl\"|" "$WORK/portsentry.conf"
expect_ctl 0 reload
wait_for 10 test -f "$WORK/reloaded.jsonl"
expect_ctl 0 block 198.51.100.9
wait_for 10 has_event "$WORK/reloaded.jsonl" kind=ban target=198.51.100.9/32 origin=manual result=banned
! has_event "$EVENTS" target=198.51.100.9/32 || fail "a line went to the old file after the reload"
stop_pid "$DAEMON_PID" || fail "daemon exit status $?"
n=$(validate "$EVENTS.1" "$EVENTS" "$WORK/reloaded.jsonl" 2>&1) || fail "schema: $n"
note "$n lines valid"

note "EVENT_LOG=\"-\": the lines on stdout, between the classic lines"
sed -i "s|^EVENT_LOG=.*|EVENT_LOG=\"-\"|" "$WORK/portsentry.conf"
start_tcp_listener listener 1524
start_daemon stdout "$WORK/portsentry.conf" --stealth --dry-run
OUT="$WORK/stdout.out"
in_b nmap -n -Pn --max-retries 0 --scan-delay 100ms -sS -p 1524,11,15 "$IP_A" >"$WORK/nmap.out" 2>&1 || fail "nmap failed"
json_lines() { grep '^{' "$OUT" > "$WORK/stdout.jsonl" || true; }
dry_run_logged() { json_lines; has_event "$WORK/stdout.jsonl" kind=probe source="$IP_B" result=dry_run; }
wait_for 10 dry_run_logged
has_event "$WORK/stdout.jsonl" kind=ban target="$IP_B/32" result=dry_run || fail "no dry-run ban line: $(cat "$OUT")"
has_event "$WORK/stdout.jsonl" kind=probe port=1524 result=service_running || fail "no service_running line: $(cat "$OUT")"
grep -q "^Scan from: \[$IP_B\] ($IP_B) protocol: \[TCP\] port: \[1[15]\] .* blocked: \[false\]$" "$OUT" || fail "classic scan lines missing"
grep -q "^attackalert: Dry run: host $IP_B would have been blocked via nftables$" "$OUT" || fail "classic dry-run line missing"
stop_pid "$DAEMON_PID" || fail "daemon exit status $?"
n=$(validate "$OUT" 2>&1) || fail "schema: $n"
[ "$n" -ge 4 ] || fail "only $n JSON lines on stdout"
note "$n stdout lines valid"
note "ok"
