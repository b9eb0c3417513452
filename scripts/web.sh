#!/usr/bin/env bash
# The browser engine: installs its tools, builds the ES module package, checks it and tests it.
#
#   scripts/web.sh           tools, build, checks (dependency guard, size budget, .d.ts freshness), the
#                            wasm-bindgen tests in Node and headless Chromium, the JS suite
#                            (tests/js) on the package, the preview page end to end in Chromium
#   scripts/web.sh build     tools and the package only; prints its directory
#   scripts/web.sh types     rewrites the committed celestra-wasm/celestra_wasm.d.ts
#   scripts/web.sh preview   builds, then serves examples/browser-preview on 127.0.0.1:${PORT:-8717}
#   scripts/web.sh bench     builds, then measures the page in headless Chromium
#
# Tools (installed when missing, into CELESTRA_TOOLS, default ~/.cache/celestra-tools):
#   wasm-bindgen-cli (the exact version of the wasm-bindgen crate, from crates.io), wasm-opt and
#   playwright-core (npm, pinned by scripts/js-tools/package-lock.json; Debian's wasm-opt 108
#   breaks wasm-bindgen output), Debian's chromium and chromium-driver (apt).
# The package lands in $CARGO_TARGET_DIR/web/pkg (ES module, `--target web`; Node loads it
# with initSync), the page in $CARGO_TARGET_DIR/web/site.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"
T="${CELESTRA_TOOLS:-$HOME/.cache/celestra-tools}"
TARGET="${CARGO_TARGET_DIR:-$HOME/.cache/celestra-target}"
export CARGO_TARGET_DIR="$TARGET"
OUT="$TARGET/web"
PKG="$OUT/pkg"
SITE="$OUT/site"
WASM_BINDGEN_VERSION=0.2.130
WB="$T/wasm-bindgen/bin"
JS="$T/js-tools"

log() { printf 'web.sh: %s\n' "$*" >&2; }
die() { printf 'web.sh: ERROR: %s\n' "$*" >&2; exit 1; }
# shellcheck source=scripts/js-tools.sh
source scripts/js-tools.sh

tools() {
    mkdir -p "$T"
    grep -q "\"=$WASM_BINDGEN_VERSION\"" Cargo.toml || die "Cargo.toml pins another wasm-bindgen than $WASM_BINDGEN_VERSION"
    if [[ "$("$WB/wasm-bindgen" --version 2>/dev/null)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]]; then
        log "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (a few minutes, once)"
        # No --locked: its lockfile pins a webpki-roots this registry does not offer.
        cargo install -q wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --root "$T/wasm-bindgen" \
            || die "cargo install wasm-bindgen-cli failed"
    fi
    js_tools
    if [[ ! -x /usr/bin/chromium || ! -x /usr/bin/chromedriver ]]; then
        log "installing Debian's chromium and chromium-driver"
        local sudo=""
        [[ "$(id -u)" == 0 ]] || sudo="sudo"
        $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
            chromium chromium-driver >&2 \
            || { $sudo apt-get update -q >&2 && $sudo env DEBIAN_FRONTEND=noninteractive \
                 apt-get install -y -q --no-install-recommends chromium chromium-driver >&2; } \
            || die "apt-get install chromium chromium-driver failed"
    fi
}

# No runtime, cluster client or Docker client may reach the browser build (filesystem calls are
# refused in the core by clippy's disallowed-methods; see clippy.toml).
guard() {
    local tree bad
    tree="$(cargo tree --locked -p celestra-wasm --target wasm32-unknown-unknown -e normal --prefix none)"
    bad="$(grep -E '^(tokio|kube|kube-client|kube-runtime|bollard|hyper|reqwest|mio|socket2|rustls|openssl)[ -]' <<<"$tree" || true)"
    [[ -z "$bad" ]] || die "the wasm dependency tree contains: $bad"
    log "dependency guard: $(sort -u <<<"$tree" | wc -l) crates for wasm32, none of tokio/kube/bollard/hyper/mio"
}

build() {
    log "building celestra-wasm (profile wasm-release, wasm32-unknown-unknown)"
    cargo build -q --locked --profile wasm-release -p celestra-wasm --target wasm32-unknown-unknown
    local raw="$TARGET/wasm32-unknown-unknown/wasm-release/celestra_wasm.wasm"
    mkdir -p "$OUT"
    rm -rf "$OUT/bindgen" && "$WB/wasm-bindgen" --target web --out-dir "$OUT/bindgen" "$raw"
    # wasm-opt takes ~40 s; redo it only when wasm-bindgen's .wasm changed (the JS glue and the
    # .d.ts are always taken fresh: a declaration-only change leaves the .wasm as it was). Two
    # -Oz passes: the second finds about 2 KB gzipped more, at the same speed (README).
    local sum
    sum="$(sha256sum "$OUT/bindgen/celestra_wasm_bg.wasm" | cut -d' ' -f1)"
    sum="$sum ${WASM_OPT_FLAGS:--Oz -Oz}"
    if [[ "$(cat "$PKG/.source-sha256" 2>/dev/null)" != "$sum" ]]; then
        log "wasm-opt ${WASM_OPT_FLAGS:--Oz -Oz} (binaryen from npm)"
        rm -rf "$PKG.new" && mkdir -p "$PKG.new"
        "$JS/node_modules/.bin/wasm-opt" ${WASM_OPT_FLAGS:--Oz -Oz} --strip-debug --strip-producers \
            "$OUT/bindgen/celestra_wasm_bg.wasm" -o "$PKG.new/celestra_wasm_bg.wasm"
        echo "$sum" >"$PKG.new/.source-sha256"
        rm -rf "$PKG" && mv "$PKG.new" "$PKG"
    fi
    find "$OUT/bindgen" -type f ! -name celestra_wasm_bg.wasm -exec cp {} "$PKG/" \;
    local size gz
    size="$(stat -c %s "$PKG/celestra_wasm_bg.wasm")"
    gz="$(gzip -9 -c "$PKG/celestra_wasm_bg.wasm" | wc -c)"
    log "package: $PKG — celestra_wasm_bg.wasm $((size / 1024)) KiB, $((gz / 1024)) KiB gzipped"
    printf '{"wasm_bytes": %s, "gzip_bytes": %s}\n' "$size" "$gz" >"$OUT/size.json"
}

# The size budget, checked on every test run: the issue's goals, 1.5 MB after wasm-opt and
# 400 KB (400,000 bytes) gzipped. Both are met (1,017,160 and 393,592 bytes on 2026-11-29).
WASM_MAX_BYTES=1500000
WASM_MAX_GZIP_BYTES=400000
size_budget() {
    local size gz
    size="$(stat -c %s "$PKG/celestra_wasm_bg.wasm")"
    gz="$(gzip -9 -c "$PKG/celestra_wasm_bg.wasm" | wc -c)"
    ((size <= WASM_MAX_BYTES)) || die "celestra_wasm_bg.wasm is $size bytes, over the $WASM_MAX_BYTES budget (twiggy shows what grew)"
    ((gz <= WASM_MAX_GZIP_BYTES)) || die "celestra_wasm_bg.wasm is $gz bytes gzipped, over the $WASM_MAX_GZIP_BYTES budget"
    log "size budget: $size <= $WASM_MAX_BYTES bytes, $gz <= $WASM_MAX_GZIP_BYTES gzipped"
}

types_fresh() {
    if ! cmp -s "$PKG/celestra_wasm.d.ts" celestra-wasm/celestra_wasm.d.ts; then
        diff -u celestra-wasm/celestra_wasm.d.ts "$PKG/celestra_wasm.d.ts" | head -40 >&2 || true
        die "celestra-wasm/celestra_wasm.d.ts is stale: run scripts/web.sh types and commit it"
    fi
    # A typed client must compile against them (and wrong uses must not: @ts-expect-error).
    local dir="$OUT/types-check"
    rm -rf "$dir" && mkdir -p "$dir" && cp tests/js/types-check.ts "$dir/" && ln -s "$PKG" "$dir/pkg"
    "$JS/node_modules/.bin/tsc" --noEmit --strict --target es2022 --module es2022 --moduleResolution bundler \
        --lib esnext,dom "$dir/types-check.ts" || die "tests/js/types-check.ts does not compile against the declarations"
    log "TypeScript declarations: celestra-wasm/celestra_wasm.d.ts is fresh; tests/js/types-check.ts compiles (tsc --strict)"
}

# The page with the package and the example workflows (fixtures, and synthetic 100- and
# 1,000-node workflows from the seeded generator).
site() {
    rm -rf "$SITE" && mkdir -p "$SITE/workflows"
    cp examples/browser-preview/index.html examples/browser-preview/app.js examples/browser-preview/style.css "$SITE/"
    cp -r "$PKG" "$SITE/pkg"
    scripts/test-bins.sh
    local names=()
    for f in tests/fixtures/workflows/*.json; do
        [[ "$f" == *.options.json ]] && continue
        cp "$f" "$SITE/workflows/"
        names+=("$(basename "$f" .json)")
    done
    for n in 100 1000; do
        "$TARGET/debug/synthetic" "$n" >"$SITE/workflows/synthetic-$n.json"
        names+=("synthetic-$n")
    done
    printf '%s\n' "${names[@]}" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.stringify(s.trim().split("\n"))))' \
        >"$SITE/workflows/index.json"
}

wasm_tests() {
    log "wasm-bindgen tests in Node and in headless Chromium"
    CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER="$WB/wasm-bindgen-test-runner" \
        CHROMEDRIVER=/usr/bin/chromedriver WASM_BINDGEN_TEST_TIMEOUT=120 \
        cargo test --locked -p celestra-wasm --target wasm32-unknown-unknown --tests
}

js_tests() {
    log "JS suite (tests/js) on the wasm package"
    CELESTRA_JS_ENGINE=wasm CELESTRA_WASM_PKG="$PKG" node --test tests/js/
}

e2e() {
    log "preview page end to end in headless Chromium"
    mkdir -p "$TARGET/artifacts"
    NODE_PATH="$JS/node_modules" CELESTRA_SITE="$SITE" CELESTRA_ARTIFACTS="$TARGET/artifacts" \
        node --test examples/browser-preview/test/serve.test.mjs examples/browser-preview/test/e2e.test.mjs
    log "screenshot: $TARGET/artifacts/browser-preview.png"
}

case "${1:-test}" in
    test)
        tools; guard; build; size_budget; types_fresh; site; wasm_tests; js_tests; e2e
        log "all green"
        ;;
    build) tools; build; echo "$PKG" ;;
    types) tools; build; cp "$PKG/celestra_wasm.d.ts" celestra-wasm/celestra_wasm.d.ts; log "updated celestra-wasm/celestra_wasm.d.ts" ;;
    preview)
        tools; build; site
        exec node examples/browser-preview/serve.mjs "$SITE" "${PORT:-8717}"
        ;;
    bench)
        tools; build; site
        NODE_PATH="$JS/node_modules" CELESTRA_SITE="$SITE" node examples/browser-preview/test/bench.mjs
        ;;
    *) die "unknown command $1 (test, build, types, preview, bench)" ;;
esac
