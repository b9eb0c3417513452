#!/usr/bin/env bash
# The Python package: builds the celestra-engine wheel (maturin, release), installs it into a
# fresh virtualenv and imports it there, then runs the pytest suite (celestra-py/tests) against
# the wheel installed in the test virtualenv — never against the source tree.
#
#   scripts/python.sh          build, fresh-venv check, pytest
#   scripts/python.sh bench    build, install, then the binding-overhead benchmark
#
# Environment: CELESTRA_TOOLS (cache dir, default ~/.cache/celestra-tools), CELESTRA_PYTHON
# (interpreter, default python3), CARGO_TARGET_DIR (default ~/.cache/celestra-target); for the
# deploy tests DOCKER_HOST and scripts/kube.sh env's KUBECONFIG, CELESTRA_KUBECTL and
# CELESTRA_KUBECONFIG_LIMITED (taken from the running engine and cluster when unset).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"
T="${CELESTRA_TOOLS:-$HOME/.cache/celestra-tools}"
TARGET="${CARGO_TARGET_DIR:-$HOME/.cache/celestra-target}"
export CARGO_TARGET_DIR="$TARGET"
PYTHON="${CELESTRA_PYTHON:-python3}"
DEV="$T/pydev"
WHEELS="$TARGET/wheels"

# Pinned build and test tools (what `pip install maturin pytest hypothesis fastapi httpx mypy`
# resolved to on 2026-11-28).
DEV_REQUIREMENTS="
maturin==1.16.0
pytest==9.2.0
hypothesis==6.170.17
fastapi==0.165.0
httpx==0.28.1
mypy==2.4.1
annotated-doc==0.0.7
annotated-types==0.8.0
anyio==4.16.0
ast_serialize==0.13.1
certifi==2026.10.19.post1
h11==0.16.0
httpcore==1.0.9
idna==3.20
iniconfig==2.3.1
librt==0.17.0
mypy_extensions==1.2.0
opentelemetry-api==1.45.2
packaging==26.4
pathspec==1.1.1
pluggy==1.7.0
pydantic==2.14.4
pydantic_core==2.50.5
Pygments==2.21.0
sortedcontainers==2.4.0
starlette==1.10.0
typing-inspection==0.4.5
typing_extensions==4.16.0
"

log() { printf 'python.sh: %s\n' "$*" >&2; }
die() { printf 'python.sh: ERROR: %s\n' "$*" >&2; exit 1; }

dev_ok() {
    [[ -x "$DEV/bin/python" && -x "$DEV/bin/maturin" ]] || return 1
    "$DEV/bin/python" - "$DEV_REQUIREMENTS" >/dev/null 2>&1 <<'PY'
import sys, importlib.metadata as md
for line in sys.argv[1].split():
    name, want = line.split("==")
    if md.version(name) != want:
        sys.exit(1)
PY
}

mkdir -p "$T"
export PIP_CACHE_DIR="$T/cache/pip" PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1
if dev_ok; then
    log "ok: build/test virtualenv ($DEV)"
else
    log "creating the build/test virtualenv $DEV (maturin, pytest, hypothesis, fastapi, mypy)"
    rm -rf "$DEV"
    "$PYTHON" -m venv "$DEV" || die "$PYTHON -m venv failed (install python3-venv)"
    req="$(mktemp)"
    # shellcheck disable=SC2086  # one requirement per word
    printf '%s\n' $DEV_REQUIREMENTS >"$req"
    "$DEV/bin/pip" install -q --only-binary :all: -r "$req" || die "pip install of the build/test tools failed (is PyPI reachable?)"
    rm -f "$req"
    dev_ok || die "the build/test virtualenv does not have the pinned versions"
fi

# Tests take the release code without fat LTO (Cargo.toml, profile release-test); benchmarks the
# release build as shipped.
PROFILE=release-test
[[ "${1:-test}" == bench ]] && PROFILE=release
log "building the wheel (maturin build --profile $PROFILE)"
rm -rf "$WHEELS"
"$DEV/bin/maturin" build --quiet --profile "$PROFILE" --locked -m celestra-py/Cargo.toml -o "$WHEELS" >&2 \
    || die "maturin build failed"
wheel="$(ls "$WHEELS"/celestra_engine-*-cp39-abi3-*.whl)"
log "built $(basename "$wheel") ($(du -k "$wheel" | cut -f1) KiB)"

"$DEV/bin/pip" install -q --force-reinstall --no-deps "$wheel"

if [[ "${1:-test}" == bench ]]; then
    cargo build -q --release --locked -p celestra-benches --bin native_calls --bin synthetic
    exec "$DEV/bin/python" celestra-py/bench/overhead.py --native "$TARGET/release/native_calls" \
        --synthetic "$TARGET/release/synthetic"
fi

# A fresh virtualenv with nothing but the wheel: it installs and works.
fresh="$TARGET/py-fresh"
rm -rf "$fresh"
"$PYTHON" -m venv "$fresh"
"$fresh/bin/pip" install -q "$wheel" || die "pip install of the wheel into a fresh virtualenv failed"
(cd / && "$fresh/bin/python" - "$ROOT/tests/fixtures/workflows/ex1-hello-world.json" <<'PY') \
    || die "the wheel does not work in a fresh virtualenv"
import sys, celestra_engine as ce
text = open(sys.argv[1], encoding="utf-8").read()
assert ce.validate(text)["isValid"] is True
assert "manifests.yaml" in ce.generate(text, "kubernetes")["files"]
print(f"python.sh: fresh virtualenv: celestra_engine {ce.__version__} from {ce.__file__}", file=sys.stderr)
PY

# The same smoke test on the other CPython versions this machine has (the wheel is abi3 for
# 3.9+): the oldest supported one matters most (typing_extensions comes in from PyPI there).
for minor in 9 10 12 13; do
    py=""
    # pyenv's own interpreters first (its shims fail for versions that are not selected).
    for cand in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3."$minor".*/bin/python3."$minor" \
        "$(command -v "python3.$minor" 2>/dev/null || true)"; do
        [[ -n "$cand" && -x "$cand" ]] && "$cand" -c 'import venv' >/dev/null 2>&1 \
            && { py="$cand"; break; }
    done
    [[ -z "$py" ]] && { log "no python3.$minor here; abi3 smoke test skipped for it"; continue; }
    venv="$TARGET/py-fresh-3.$minor"
    rm -rf "$venv"
    "$py" -m venv "$venv" || die "python3.$minor -m venv failed"
    "$venv/bin/pip" install -q "$wheel" || die "pip install of the wheel on Python 3.$minor failed"
    (cd / && "$venv/bin/python" - "$ROOT/tests/fixtures/workflows/ex3-microservice.json" <<'PY') \
        || die "the wheel does not work on Python 3.$minor"
import json, sys, celestra_engine as ce
text = open(sys.argv[1], encoding="utf-8").read()
assert ce.validate(json.loads(text))["isValid"] is True
assert ce.generate(text.encode(), "helm")["files"]["Chart.yaml"]
try:
    ce.plan("{")
except ce.ParseError as e:
    assert e.code == "PARSE" and e.line == 1
s = ce.Session(text, "compose")
assert s.generated() == ce.generate(text, "compose")
print(f"python.sh: Python {sys.version.split()[0]}: wheel works", file=sys.stderr)
PY
done

# The pytest suite, against the wheel installed in $DEV. Its deploy tests talk to the private
# Docker engine (DOCKER_HOST) and the private Kubernetes cluster (KUBECONFIG, CELESTRA_KUBECTL,
# CELESTRA_KUBECONFIG_LIMITED), which `make python` starts and passes on; when run by hand, the
# ones scripts/docker.sh and scripts/kube.sh started. The suite inherits this environment.
if [[ -z "${DOCKER_HOST:-}" ]]; then
    scripts/docker.sh status >/dev/null 2>&1 \
        || die "the deploy tests need the private Docker engine: scripts/docker.sh start (or make python)"
    DOCKER_HOST="$(scripts/docker.sh host)"
    export DOCKER_HOST
fi
if [[ -z "${CELESTRA_KUBECTL:-}" ]]; then
    scripts/kube.sh status >/dev/null 2>&1 \
        || die "the deploy tests need the private Kubernetes cluster: scripts/kube.sh start (or make python)"
    eval "$(scripts/kube.sh env)"
fi
scripts/test-bins.sh
mkdir -p "$TARGET/py"
"$TARGET/debug/synthetic" 1000 >"$TARGET/py/synthetic-1000.json"
cd celestra-py/tests
CELESTRA_SYNTHETIC_1000="$TARGET/py/synthetic-1000.json" \
    "$DEV/bin/python" -m pytest -q -p no:cacheprovider -W error::pytest.PytestUnraisableExceptionWarning
