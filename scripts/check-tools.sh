#!/usr/bin/env bash
# Smoke test for the tools installed by scripts/tools.sh: proves each one works offline on real
# inputs. One PASS/FAIL line per check; exits non-zero if any check fails.
# Uses the same CELESTRA_TOOLS as tools.sh (default $HOME/.cache/celestra-tools).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# (not `eval "$(tools.sh)"` directly: eval of an empty string would hide a failed install)
if ! TOOLS_ENV="$("$ROOT/scripts/tools.sh")"; then
    echo "FAIL: scripts/tools.sh could not install the tools (see its messages above)"
    exit 1
fi
eval "$TOOLS_ENV"

W="$(mktemp -d "${TMPDIR:-/tmp}/celestra-check.XXXXXX")"
trap 'rm -rf "$W"' EXIT

# Compose must never talk to a daemon; helm/kubectl must not find a cluster.
unset DOCKER_CONTEXT DOCKER_TLS_VERIFY DOCKER_CERT_PATH
export DOCKER_HOST="unix://$W/no-docker.sock"
export KUBECONFIG="$W/no-kubeconfig"

# Run every check without network when a private network namespace is available.
OFFLINE=()
if unshare -n true >/dev/null 2>&1; then
    OFFLINE=(unshare -n --)
    echo "INFO: checks run inside 'unshare -n' (no network)"
else
    echo "INFO: 'unshare -n' unavailable; checks run with the normal network (tools still need none)"
fi

PASSED=0 FAILED=0 N=0
# check NAME ok|fail [--grep REGEX] -- CMD...
#   ok:   CMD must exit 0;  fail: CMD must exit non-zero.
#   --grep: CMD's combined output must also match REGEX (e.g. the expected error message).
check() {
    local name=$1 want=$2 re=""
    shift 2
    if [[ $1 == --grep ]]; then re=$2; shift 2; fi
    [[ $1 == -- ]] && shift
    N=$((N + 1))
    local out="$W/check-$N.log" rc=0
    "${OFFLINE[@]}" "$@" >"$out" 2>&1 || rc=$?
    local ok=1
    case $want in
        ok) [[ $rc -eq 0 ]] || ok=0 ;;
        fail) [[ $rc -ne 0 ]] || ok=0 ;;
    esac
    if [[ $ok == 1 && -n $re ]] && ! grep -Eq -- "$re" "$out"; then ok=0; fi
    if [[ $ok == 1 ]]; then
        PASSED=$((PASSED + 1))
        echo "PASS: $name (rc=$rc)"
    else
        FAILED=$((FAILED + 1))
        echo "FAIL: $name (rc=$rc, expected ${want}${re:+, output matching /$re/})"
        sed 's/^/    | /' "$out" | head -n 30
    fi
}

# ---- kubernetes-validate -----------------------------------------------------------------------
cat >"$W/deploy-valid.yaml" <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx:1.27
          ports:
            - containerPort: 80
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports:
    - port: 80
      targetPort: 80
EOF
sed 's/^  replicas: 2$/  replicas: 2\n  bogusField: 1/' "$W/deploy-valid.yaml" >"$W/deploy-unknown-field.yaml"
sed 's/^  replicas: 2$/  replicas: "two"/' "$W/deploy-valid.yaml" >"$W/deploy-bad-type.yaml"

KV_VERSION="$(kubernetes-validate --version)"
KV_LATEST="$(python -c 'from kubernetes_validate.utils import latest_version; print(latest_version())')"
KV_ALL="$(python -c 'from kubernetes_validate.utils import all_versions; print(" ".join(sorted(set(all_versions()))))')"
echo "INFO: kubernetes-validate $KV_VERSION; bundled Kubernetes schemas: $KV_ALL; newest: $KV_LATEST"

for k in 1.25.0 "$KV_LATEST"; do
    check "kubernetes-validate -k $k --strict accepts a valid Deployment+Service" ok \
        --grep "passed for resource deployment/web" -- \
        kubernetes-validate --strict -k "$k" "$W/deploy-valid.yaml"
    check "kubernetes-validate -k $k --strict rejects an unknown field (bogusField)" fail \
        --grep "Additional properties are not allowed.*bogusField" -- \
        kubernetes-validate --strict -k "$k" "$W/deploy-unknown-field.yaml"
    check "kubernetes-validate -k $k rejects replicas: \"two\"" fail \
        --grep "did not validate" -- \
        kubernetes-validate -k "$k" "$W/deploy-bad-type.yaml"
done

# ---- helm --------------------------------------------------------------------------------------
echo "INFO: helm $(helm version --short), kubectl $(kubectl version --client -o json | python -c 'import json,sys; print(json.load(sys.stdin)["clientVersion"]["gitVersion"])')"
mkdir -p "$W/charts"
check "helm create demo" ok -- helm create "$W/charts/demo"
check "helm lint --strict demo" ok --grep "0 chart\(s\) failed" -- helm lint --strict "$W/charts/demo"
check "helm template renders (kind: Deployment)" ok --grep "^kind: Deployment" -- \
    helm template rel "$W/charts/demo"
mkdir -p "$W/charts/broken/templates"
printf 'apiVersion: v2\nname: broken\n' >"$W/charts/broken/Chart.yaml"   # no version
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n' >"$W/charts/broken/templates/cm.yaml"
check "helm lint --strict rejects a chart without version" fail --grep "version is required" -- \
    helm lint --strict "$W/charts/broken"

# ---- docker-compose v2 -------------------------------------------------------------------------
echo "INFO: $(docker-compose version)"
cat >"$W/compose-valid.yaml" <<'EOF'
services:
  web:
    image: nginx:1.27
    ports:
      - "127.0.0.1:8080:80"
    depends_on: [db]
    environment:
      DB_HOST: db
  db:
    image: postgres:16
    volumes:
      - dbdata:/var/lib/postgresql/data
volumes:
  dbdata: {}
EOF
sed 's/^    image: nginx:1.27$/    image: nginx:1.27\n    bogus_key: 1/' "$W/compose-valid.yaml" >"$W/compose-bogus.yaml"
check "docker-compose config -q accepts a valid compose file" ok -- \
    docker-compose -f "$W/compose-valid.yaml" config -q
check "docker-compose config -q rejects bogus_key" fail --grep "bogus_key" -- \
    docker-compose -f "$W/compose-bogus.yaml" config -q

# ---- celestra (Python DSL) ---------------------------------------------------------------------
mkdir -p "$W/celestra-out"
cat >"$W/celestra_demo.py" <<'EOF'
import sys
from celestra import App, AppGroup
AppGroup("demo").add_services([App("web").image("nginx:1.27").port(80)]).generate().to_yaml(sys.argv[1])
EOF
check "python celestra program writes YAML" ok -- python "$W/celestra_demo.py" "$W/celestra-out"
check "celestra wrote deployment-web.yaml and service-web.yaml" ok -- \
    test -s "$W/celestra-out/deployment-web.yaml" -a -s "$W/celestra-out/service-web.yaml"
# shellcheck disable=SC2016  # $1 is expanded by the inner bash
check "celestra output passes kubernetes-validate --strict" ok --grep "passed for resource deployment/web" -- \
    bash -c 'kubernetes-validate --strict "$1"/*.yaml' _ "$W/celestra-out"

echo "$PASSED passed, $FAILED failed"
[[ $FAILED -eq 0 ]]
