#!/usr/bin/env bash
# The Node package @celestra/engine (celestra-node, napi-rs): builds the addon with @napi-rs/cli,
# assembles the package, checks it and tests it.
#
#   scripts/node.sh          build; index.js / index.d.ts / types.d.ts fresh; tsc on the typed
#                            clients; the JS suite (tests/js) and the package's own tests
#                            (celestra-node/test: async off the event loop, the README example,
#                            the deploy API on the Docker engine at DOCKER_HOST and on the
#                            Kubernetes cluster of scripts/kube.sh env)
#   scripts/node.sh build    the package only; prints its directory
#   scripts/node.sh types    rewrites the committed generated files (index.js, index.d.ts, types.d.ts)
#   scripts/node.sh bench    builds, then the overhead over native Rust (numbers for the README)
#
# The package is assembled in $CARGO_TARGET_DIR/node/package (its .node addon, the committed JS
# and declarations); tests load it from there, never from the source tree.
set -euo pipefail
cd "$(dirname "$0")/.."
T="${CELESTRA_TOOLS:-$HOME/.cache/celestra-tools}"
TARGET="${CARGO_TARGET_DIR:-$HOME/.cache/celestra-target}"
export CARGO_TARGET_DIR="$TARGET"
OUT="$TARGET/node"
PKG="$OUT/package"
JS="$T/js-tools"

log() { printf 'node.sh: %s\n' "$*" >&2; }
die() { printf 'node.sh: ERROR: %s\n' "$*" >&2; exit 1; }
# shellcheck source=scripts/js-tools.sh
source scripts/js-tools.sh

# The shapes of the API, from the browser package's TypeScript section (one source for both).
types_text() {
    printf '// Generated from the TYPES section of celestra-wasm/src/lib.rs by scripts/node.sh types.\n'
    printf '// The shapes the engine reads and returns; the same in the browser package.\n'
    sed -n '/^const TYPES: &str = r#"$/,/^"#;$/p' celestra-wasm/src/lib.rs | sed '1d;$d'
}

build() {
    command -v node >/dev/null || die "Node.js is required"
    js_tools
    # tests: the release code without fat LTO (Cargo.toml, profile release-test); bench: release
    local profile=release-test
    [[ "${1:-}" == release ]] && profile=release
    log "building the addon (napi build --platform --profile $profile)"
    rm -rf "$OUT/napi" && mkdir -p "$OUT/napi"
    (cd celestra-node && "$JS/node_modules/.bin/napi" build --platform --profile "$profile" --output-dir "$OUT/napi" >&2) \
        || die "napi build failed"
    rm -rf "$PKG" && mkdir -p "$PKG"
    cp celestra-node/package.json celestra-node/celestra.js celestra-node/celestra.d.ts celestra-node/deploy.js \
        celestra-node/deploy.d.ts celestra-node/errors.js "$PKG/"
    cp "$OUT/napi/"*.node "$PKG/"
    cp "$OUT/napi/index.js" "$OUT/napi/index.d.ts" "$PKG/"
    types_text >"$PKG/types.d.ts"
    log "package: $PKG ($(du -sh "$PKG" | cut -f1))"
}

fresh() {
    local f stale=0
    for f in index.js index.d.ts types.d.ts; do
        if ! cmp -s "$PKG/$f" "celestra-node/$f"; then
            diff -u "celestra-node/$f" "$PKG/$f" | head -20 >&2 || true
            stale=1
        fi
    done
    [[ $stale == 0 ]] || die "celestra-node's generated files are stale: run scripts/node.sh types and commit them"
    local dir="$OUT/types-check" client
    # Typed clients (the shared API's, the deploy API's): each must compile, wrong uses must not.
    for client in tests/js/node-types-check.ts celestra-node/test/types/deploy-client.ts; do
        rm -rf "$dir" && mkdir -p "$dir" && cp "$client" "$dir/" && ln -s "$PKG" "$dir/pkg"
        "$JS/node_modules/.bin/tsc" --noEmit --strict --target es2022 --module es2022 --moduleResolution bundler \
            --lib esnext,dom "$dir/$(basename "$client")" \
            || die "$client does not compile against the package's declarations"
    done
    log "index.js, index.d.ts, types.d.ts are fresh; the typed clients compile (tsc --strict)"
}

tests() {
    log "JS suite (tests/js) on the Node package"
    CELESTRA_JS_ENGINE=node CELESTRA_NODE_PKG="$PKG" node --test tests/js/
    log "the package's own tests (celestra-node/test; the deploy tests on the engine at DOCKER_HOST and the cluster at KUBECONFIG)"
    # The deploy tests talk to the private engine and the private cluster (`make node` passes
    # DOCKER_HOST and scripts/kube.sh env's KUBECONFIG, CELESTRA_KUBECTL and
    # CELESTRA_KUBECONFIG_LIMITED; when run by hand, the ones scripts/docker.sh and scripts/kube.sh
    # started). node --test passes the environment on to each test file's process.
    if [[ -z "${DOCKER_HOST:-}" ]]; then
        scripts/docker.sh status >/dev/null 2>&1 \
            || die "the deploy tests need the private Docker engine: scripts/docker.sh start (or make node)"
        DOCKER_HOST="$(scripts/docker.sh host)"
        export DOCKER_HOST
    fi
    if [[ -z "${CELESTRA_KUBECTL:-}" ]]; then
        scripts/kube.sh status >/dev/null 2>&1 \
            || die "the deploy tests need the private Kubernetes cluster: scripts/kube.sh start (or make node)"
        eval "$(scripts/kube.sh env)"
    fi
    # The README example does `require("@celestra/engine")`: resolve it to the built package.
    mkdir -p "$OUT/modules/@celestra" && ln -sfn "$PKG" "$OUT/modules/@celestra/engine"
    scripts/test-bins.sh
    CELESTRA_NODE_PKG="$PKG" CELESTRA_NODE_MODULES="$OUT/modules" CELESTRA_SYNTHETIC="$TARGET/debug/synthetic" \
        node --test celestra-node/test/
}

case "${1:-test}" in
    test) build; fresh; tests; log "all green" ;;
    build) build; echo "$PKG" ;;
    types)
        build
        cp "$PKG/index.js" "$PKG/index.d.ts" "$PKG/types.d.ts" celestra-node/
        log "updated celestra-node/index.js, index.d.ts, types.d.ts"
        ;;
    bench)
        build release
        cargo build -q --locked --release -p celestra-benches --bin native_calls_mimalloc --bin synthetic
        CELESTRA_NODE_PKG="$PKG" node celestra-node/bench/overhead.mjs \
            "$TARGET/release/native_calls_mimalloc" "$TARGET/release/synthetic"
        ;;
    *) die "unknown command $1 (test, build, types, bench)" ;;
esac
