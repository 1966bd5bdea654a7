#!/usr/bin/env bash
# The Grafana dashboard and the Prometheus alert rules of docs/ (docs/metrics.md): the dashboard
# is import-ready JSON (a Prometheus datasource input, every panel's queries on it), the rules
# are well-formed (every rule an alert with an expression, a severity and a summary), and every
# metric either file names is one the daemon exports. Where promtool is installed (Debian's
# prometheus package), the rules and the dashboard's queries must parse and the rules' unit
# tests (docs/prometheus/portsentry-alerts.test.yml) must pass.
. "$(dirname "$0")/lib.sh"
DASHBOARD="$ROOT/docs/grafana/portsentry-dashboard.json"
RULES="$ROOT/docs/prometheus/portsentry-alerts.yml"

note "structure, and only metrics the daemon exports"
python3 - "$DASHBOARD" "$RULES" "$ROOT/Sources/PortsentryCore/Log/MetricName.swift" "$WORK/queries.yml" <<'PY' || fail "see above"
import json, re, sys, yaml
dashboard_path, rules_path, catalogue_path, queries_path = sys.argv[1:]
exported = set(re.findall(r'= "(portsentry_[a-z_]+)"', open(catalogue_path).read()))
assert len(exported) > 20, exported
def names(expr):
    used = set(re.findall(r"\bportsentry_[a-z_]+", expr))
    unknown = {n for n in used if n not in exported and re.sub(r"_(bucket|sum|count)$", "", n) not in exported}
    assert not unknown, f"{expr}: not exported: {unknown}"
    return used

d = json.load(open(dashboard_path))
assert [i["pluginId"] for i in d["__inputs"]] == ["prometheus"] and d["__inputs"][0]["name"] == "DS_PROMETHEUS", d["__inputs"]
assert d["uid"] and d["title"] and d["schemaVersion"] >= 30
exprs, used = [], set()
for panel in d["panels"]:
    assert {"id", "type", "title", "gridPos"} <= panel.keys(), panel
    if panel["type"] == "row":
        continue
    assert panel["datasource"]["uid"] == "${DS_PROMETHEUS}", panel["title"]
    assert panel["targets"], panel["title"]
    for t in panel["targets"]:
        assert t["datasource"]["uid"] == "${DS_PROMETHEUS}" and t["expr"], panel["title"]
        used |= names(t["expr"])
        exprs.append(t["expr"])
ids = [p["id"] for p in d["panels"]]
assert len(ids) == len(set(ids)), "panel ids repeat"
for v in d["templating"]["list"]:
    assert v["datasource"]["uid"] == "${DS_PROMETHEUS}"

rules = yaml.safe_load(open(rules_path))
alerts = [r for g in rules["groups"] for r in g["rules"]]
assert alerts and all(g["name"] for g in rules["groups"])
for r in alerts:
    assert r.keys() <= {"alert", "expr", "for", "labels", "annotations"}, r
    assert r["alert"].startswith("Portsentry") and r["expr"], r
    assert r["labels"]["severity"] in ("warning", "critical"), r
    assert r["annotations"]["summary"] and r["annotations"]["description"], r
    used |= names(r["expr"])
missing = {"portsentry_bans_total", "portsentry_capture_dropped_total", "portsentry_action_failures_total"} - used
assert not missing, f"the rules and dashboard leave out {missing}"
# The dashboard's queries as recording rules, for promtool, with Grafana's variables filled in.
fill = lambda e: e.replace("$__rate_interval", "5m").replace("$instance", ".*")
yaml.safe_dump({"groups": [{"name": "dashboard", "rules": [{"record": f"dashboard:query{i}", "expr": fill(e)} for i, e in enumerate(exprs)]}]},
               open(queries_path, "w"))
print(f"{len(alerts)} alert rules, {len(exprs)} dashboard queries, {len(used)} metrics used")
PY

if command -v promtool >/dev/null; then
    note "promtool: the rules, their unit tests and the dashboard's queries"
    promtool check rules "$RULES" >"$WORK/promtool.out" 2>&1 || fail "promtool check rules: $(cat "$WORK/promtool.out")"
    (cd "$ROOT/docs/prometheus" && promtool test rules portsentry-alerts.test.yml) >"$WORK/promtool.out" 2>&1 \
        || fail "promtool test rules: $(cat "$WORK/promtool.out")"
    promtool check rules "$WORK/queries.yml" >"$WORK/promtool.out" 2>&1 || fail "a dashboard query does not parse: $(cat "$WORK/promtool.out")"
else
    note "promtool not installed: structure checked only"
fi
note "ok"
