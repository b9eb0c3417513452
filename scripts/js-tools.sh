# Sourced by scripts/web.sh and scripts/node.sh: the pinned npm tools (scripts/js-tools/
# package-lock.json: binaryen's wasm-opt, playwright-core, typescript, @napi-rs/cli), installed
# with `npm ci` into $JS (under CELESTRA_TOOLS) when missing or when the lockfile changed.
js_tools() {
    if ! cmp -s scripts/js-tools/package-lock.json "$JS/package-lock.json" || [[ ! -x "$JS/node_modules/.bin/napi" ]]; then
        command -v npm >/dev/null || die "npm (Node.js) is required"
        log "installing the npm tools (wasm-opt, playwright-core, typescript, @napi-rs/cli)"
        rm -rf "$JS" && mkdir -p "$JS"
        cp scripts/js-tools/package.json scripts/js-tools/package-lock.json "$JS/"
        (cd "$JS" && npm ci --no-audit --no-fund --loglevel=error >&2) || die "npm ci failed"
    fi
}
