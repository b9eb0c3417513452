#!/usr/bin/env bash
# The debug binaries the test scripts run (target/debug/celestra, target/debug/synthetic), built
# by the same command as `make unit` (`cargo test --workspace`), so that every debug build of
# `make test` resolves the dependencies' features once and shares one build of them. A narrower
# `cargo build -p celestra-cli` resolves them differently (fewer packages, no dev-dependencies)
# and compiled kube-rs, hyper, bollard, k8s-openapi and the core again (a fresh machine's
# `make test` paid for it three times). Right after `make unit` this builds nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --locked -q --workspace --no-run 2>/dev/null || cargo test --locked --workspace --no-run
