// The engine under test, for the JS suite shared by the browser package (celestra-wasm, in
// Node) and the Node package (celestra-node): CELESTRA_JS_ENGINE=wasm with CELESTRA_WASM_PKG
// (the ES module package scripts/web.sh builds), or CELESTRA_JS_ENGINE=node with
// CELESTRA_NODE_PKG (the napi-rs package's directory).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const REPO = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const KIND = process.env.CELESTRA_JS_ENGINE ?? "wasm";

async function load() {
  if (KIND === "wasm") {
    const pkg = process.env.CELESTRA_WASM_PKG;
    if (!pkg) throw new Error("set CELESTRA_WASM_PKG to the wasm package directory (scripts/web.sh build)");
    const m = await import(pathToFileURL(join(pkg, "celestra_wasm.js")).href);
    m.initSync({ module: readFileSync(join(pkg, "celestra_wasm_bg.wasm")) });
    return m;
  }
  if (KIND === "node") {
    const pkg = process.env.CELESTRA_NODE_PKG;
    if (!pkg) throw new Error("set CELESTRA_NODE_PKG to the Node package directory");
    return createRequire(import.meta.url)(pkg);
  }
  throw new Error(`unknown CELESTRA_JS_ENGINE ${KIND} (wasm or node)`);
}

export const engine = await load();
