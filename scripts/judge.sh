#!/usr/bin/env bash
# Judge every fixture's generated output with the real tools (kubernetes-validate, helm,
# docker compose, celestra 0.0.3). Installs the tools first (scripts/tools.sh). Used by `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."
env_line=$(scripts/tools.sh) || { echo "judge: installing the tools failed" >&2; exit 1; }
eval "$env_line"
: "${CARGO_TARGET_DIR:=$HOME/.cache/celestra-target}"
scripts/test-bins.sh
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python tests/judge/judge.py --cli "$CARGO_TARGET_DIR/debug/celestra" \
  --fixtures tests/fixtures/workflows --work "$work"
