#!/usr/bin/env bash
# Every broken config in Tests/corpus/config, and every broken ignore file in Tests/corpus/ignore,
# must stop portsentry before it starts anything: non-zero exit and the exact one-line message
# of <name>.expected on stderr.
# Needs no namespaces. Runs with the config named relative to the corpus folder, so messages
# start with "<name>.conf:".
. "$(dirname "$0")/lib.sh"

CORPUS="$ROOT/Tests/corpus/config"
count=0
for conf in "$CORPUS"/*.conf; do
    name=$(basename "$conf")
    expected=$(head -n 1 "${conf%.conf}.expected")
    rc=0
    (cd "$CORPUS" && timeout 20 "$PORTSENTRY" -c "$name" >"$WORK/$name.out" 2>"$WORK/$name.err") || rc=$?
    [ "$rc" -ne 0 ] || fail "$name: exit status 0, expected an error"
    [ "$rc" -ne 124 ] || fail "$name: still running after 20 s instead of refusing the config"
    has_line "$WORK/$name.err" "$expected" || fail "$name: stderr lacks: $expected (got: $(head -c 400 "$WORK/$name.err"))"
    assert_no_line "$WORK/$name.out" "Portsentry is now active and listening."
    count=$((count + 1))
done
[ "$count" -ge 30 ] || fail "only $count corpus configs found in $CORPUS"

# Every broken ignore file in Tests/corpus/ignore, named by IGNORE_FILE relative to that folder.
IGNORE_CORPUS="$ROOT/Tests/corpus/ignore"
ignored=0
for file in "$IGNORE_CORPUS"/*.ignore; do
    name=$(basename "$file")
    expected=$(head -n 1 "${file%.ignore}.expected")
    printf 'TCP_PORTS="1"\nIGNORE_FILE="%s"\n' "$name" >"$WORK/$name.conf"
    rc=0
    (cd "$IGNORE_CORPUS" && timeout 20 "$PORTSENTRY" -c "$WORK/$name.conf" >"$WORK/$name.out" 2>"$WORK/$name.err") || rc=$?
    [ "$rc" -ne 0 ] || fail "$name: exit status 0, expected an error"
    [ "$rc" -ne 124 ] || fail "$name: still running after 20 s instead of refusing the ignore file"
    has_line "$WORK/$name.err" "$expected" || fail "$name: stderr lacks: $expected (got: $(head -c 400 "$WORK/$name.err"))"
    ignored=$((ignored + 1))
done
note "ok: $count broken configs and $ignored broken ignore files refused with their expected messages"
