#!/usr/bin/env bash
# The `celestra deploy` family end to end on the private Docker engine (run by `make docker`):
# exit codes, the JSON event stream and its final status, the text view, --dry-run, status,
# history, rollback, down, and what `docker compose -p` sees. Needs DOCKER_HOST (scripts/docker.sh)
# and the compose plugin (scripts/tools.sh). Cleans up its project before and after.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${DOCKER_HOST:?run through make docker (DOCKER_HOST of scripts/docker.sh)}"
: "${CARGO_TARGET_DIR:=$HOME/.cache/celestra-target}"
scripts/test-bins.sh
C="$CARGO_TARGET_DIR/debug/celestra"
P=cli-ex2
EX2=tests/fixtures/deploy/ex2-docker.json
work=$(mktemp -d)
trap '"$C" down --target docker --project "$P" --volumes >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); printf 'ok   %s\n' "$1"; }
bad() { fail=$((fail + 1)); printf 'FAIL %s\n' "$1"; [[ -z "${2:-}" ]] || sed 's/^/     /' <<<"$2"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }
# expect CODE WHAT CMD...: the command exits with CODE; its output is kept in $out
expect() {
    local want=$1 what=$2; shift 2
    set +e; out=$("$@" 2>&1); local rc=$?; set -e
    if [[ $rc == "$want" ]]; then ok "$what (exit $rc)"; else bad "$what: exit $rc, wanted $want" "$out"; fi
}

"$C" down --target docker --project "$P" --volumes >/dev/null

expect 0 "dry run of a new project" "$C" deploy "$EX2" --target docker --project "$P" --dry-run
check "dry run lists 5 creates" grep -q '^5 to create, 0 to update, 0 to recreate, 0 unchanged, 0 to prune$' <<<"$out"

expect 0 "deploy, JSON events" "$C" deploy "$EX2" --target docker --project "$P" --format json
printf '%s\n' "$out" >"$work/events.jsonl"
check "every line is JSON, seq strictly increasing, the last line the final status" python3 - "$work/events.jsonl" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
events, final = lines[:-1], lines[-1]
assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
assert events[0]["type"] == "started" and events[-1]["type"] == "finished"
assert final["status"] == "success" and final["progress"] == 100, final
assert all(n["status"] == "ready" for n in final["nodes"]), final["nodes"]
order = [e["nodeId"] for e in events if e["type"] == "step" and "ref" not in e and e["status"] == "succeeded"]
assert order.index("j1") < order.index("a1") and order.index("p1") < order.index("j1"), order
assert "s3cr3t-canary-7f3a" not in open(sys.argv[1]).read()
PY
check "the app answers on 127.0.0.1:31880" bash -c 'curl -sf http://127.0.0.1:31880/ | grep -qx api-v1'
set +e; ps=$(docker compose -p "$P" ps --format '{{.Service}} {{.State}}' 2>&1); set -e
check "docker compose -p $P ps lists the services" bash -c "grep -q '^api running' <<<'$ps' && grep -q '^pg running' <<<'$ps'"
printf '%s\n' "$ps" | sed 's/^/     compose ps: /'

expect 0 "a no-change redeploy, text" "$C" deploy "$EX2" --target docker --project "$P"
check "no-change redeploy recreates nothing" bash -c "! grep -qE '(apply|recreate) +container' <<<'$out'"
expect 0 "dry run after deploy" "$C" deploy "$EX2" --target docker --project "$P" --dry-run
check "dry run: all unchanged" grep -q '^0 to create, 0 to update, 0 to recreate, 5 unchanged, 0 to prune$' <<<"$out"

expect 0 "status" "$C" status --target docker --project "$P" --format json
check "status: success, 7 ready nodes" python3 -c 'import json,sys; s=json.loads(sys.argv[1]); assert s["status"]=="success" and s["revision"]==2 and sum(n["status"]=="ready" for n in s["nodes"])==7, s' "$out"

# A failing job: exit 1, its exit code and log in the stream, nothing started after it.
python3 - "$EX2" "$work/bad.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for n in d["nodes"]:
    if n["id"] == "j1":
        n["data"]["properties"]["command"] = ["sh", "-c", "echo migration failed >&2; exit 4"]
json.dump(d, open(sys.argv[2], "w"))
PY
expect 1 "a failing job fails the deploy" "$C" deploy "$work/bad.json" --target docker --project "$P"
check "the text view names the exit code and the log" bash -c "grep -q 'exited with code 4' <<<'$out' && grep -q '| migration failed' <<<'$out'"

expect 0 "history" "$C" history --target docker --project "$P" --format json
check "history: 3 revisions, the last failed" python3 -c 'import json,sys; h=json.loads(sys.argv[1]); assert [r["outcome"] for r in h]==["success","success","failed"], h; assert "workflow" not in h[0]' "$out"

expect 0 "rollback to revision 2" "$C" rollback --target docker --project "$P" --to 2
check "the migration ran again with the restored configuration" bash -c 'docker logs cli-ex2-pg-migrate-1 2>&1 | grep -q "migrated as app"'

python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d["nodes"][0]["data"]["properties"]["type"]=42; json.dump(d,open(sys.argv[2],"w"))' "$EX2" "$work/invalid.json"
expect 1 "a workflow with errors is refused before any engine call" "$C" deploy "$work/invalid.json" --target docker --project "$P" --host unix:///nonexistent.sock
check "the refusal names the finding" grep -q 'error\[INVALID\]' <<<"$out"
expect 2 "an unreachable engine" "$C" deploy "$EX2" --target docker --project "$P" --host unix:///nonexistent/docker.sock
check "the error names the socket" grep -q 'unix:///nonexistent/docker.sock' <<<"$out"
expect 2 "a bad project name" "$C" deploy "$EX2" --target docker --project "Bad Name"
# (the cluster target's own tests are `make kube`; here only that it fails cleanly, whatever
# KUBECONFIG the caller has)
cat >"$work/closed.kubeconfig" <<'KC'
apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://127.0.0.1:1", insecure-skip-tls-verify: true}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: c, context: {cluster: c, user: u}}]
current-context: c
KC
expect 2 "an unreachable cluster" "$C" deploy "$EX2" --target kubernetes --kubeconfig "$work/closed.kubeconfig"
check "the error names the address" grep -q '127.0.0.1:1' <<<"$out"

expect 0 "down keeps volumes" "$C" down --target docker --project "$P"
check "the data volume is kept" bash -c "docker volume ls -q | grep -qx ${P}_pg-data"
check "no container is left" bash -c "[[ -z \$(docker ps -aq --filter label=com.docker.compose.project=$P) ]]"
expect 0 "down --volumes" "$C" down --target docker --project "$P" --volumes
check "the volume is gone" bash -c "! docker volume ls -q | grep -qx ${P}_pg-data"

echo "deploy-cli: $pass passed, $fail failed"
[[ $fail == 0 ]]
