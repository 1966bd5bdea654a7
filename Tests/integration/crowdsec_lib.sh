# A LAPI-only CrowdSec instance (Debian 12's crowdsec, no central API) for the fleet tests,
# started by the test in a namespace of its own and stopped by its pid. Source after lib.sh.
# Follows shared/spec/crowdsec-lapi.md section 8.

# lapi_setup NS ADDRESS: a config in $WORK/cs that listens on ADDRESS:8080 inside NS, with
# the machine `cscli-test` for cscli itself. Sets CS_CONF and LAPI_URL. With LAPI_TLS_CERT and
# LAPI_TLS_KEY set, the LAPI serves https with that certificate (cscli skips its verification).
lapi_setup() {
    LAPI_NS=$1
    local scheme=http tls="" verify=""
    if [ -n "${LAPI_TLS_CERT:-}" ]; then
        scheme=https
        tls="    tls: {cert_file: $LAPI_TLS_CERT, key_file: $LAPI_TLS_KEY}"
        verify=", insecure_skip_verify: true"
    fi
    LAPI_URL="$scheme://$2:8080"
    local d=$WORK/cs
    mkdir -p "$d/etc" "$d/data"
    cp /etc/crowdsec/profiles.yaml "$d/etc/"
    CS_CONF=$d/config.yaml
    cat >"$CS_CONF" <<YAML
common: {daemonize: false, log_media: stdout, log_level: info}
config_paths: {config_dir: $d/etc/, data_dir: $d/data/}
cscli: {output: human}
db_config: {type: sqlite, db_path: $d/data/crowdsec.db, use_wal: true}
api:
  client: {credentials_path: $d/etc/local_api_credentials.yaml$verify}
  server:
    listen_uri: $2:8080
    profiles_path: $d/etc/profiles.yaml
    console_path: $d/etc/console.yaml
$tls
prometheus: {enabled: false}
YAML
    cscli_run machines add cscli-test --password 'cscli-test-pw-0123' -f "$d/etc/local_api_credentials.yaml" >/dev/null
    sed -i "s|^url: .*|url: $LAPI_URL/|" "$d/etc/local_api_credentials.yaml"
}

# cscli_run ARGS...: cscli on the test's LAPI (inside its namespace).
cscli_run() { ip netns exec "$LAPI_NS" cscli -c "$CS_CONF" "$@" 2>>"$WORK/cscli.err"; }

# lapi_start: runs the LAPI and waits until it listens. Sets LAPI_PID.
lapi_start() {
    local n=$(( ${LAPI_STARTS:-0} + 1 )); LAPI_STARTS=$n
    start_bg "lapi$n" ip netns exec "$LAPI_NS" crowdsec -c "$CS_CONF" -no-cs -no-capi
    LAPI_PID=$LAST_PID
    wait_for 20 grep -q "CrowdSec Local API listening" "$WORK/lapi$n.out" "$WORK/lapi$n.err"
}
lapi_stop() { stop_pid "$LAPI_PID" || true; }

# lapi_decisions: the LAPI's active decisions as `value origin scenario` lines (all origins).
lapi_decisions() {
    cscli_run decisions list -a -o json | python3 -c '
import json, sys
for alert in json.load(sys.stdin) or []:
    for d in alert.get("decisions") or []:
        print(d["value"], d["origin"], d["scenario"])'
}
