// Overhead of @celestra/engine over native Rust on the same calls (scripts/node.sh bench):
// for the 100-node synthetic workflow and a tiny one, each call through the package (workflow
// as JSON text, and as an object; results as objects, and as JSON text with the *Json calls)
// against `native_calls_mimalloc` (Rust with the addon's allocator: parse the JSON, call, and
// for "+json" also write the result as JSON — what the addon does before V8's JSON.parse).
// "engine in Node" is the same call timed inside the addon: the process's effect on the engine,
// apart from the binding's own work.
// Prints Markdown tables of medians.
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const [nativeBin, syntheticBin] = process.argv.slice(2);
const engine = createRequire(import.meta.url)(process.env.CELESTRA_NODE_PKG);
const REPO = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const JSON_CALLS = {
  validate: (w) => engine.validateJson(w),
  plan: (w) => engine.planJson(w),
  "generate-kubernetes": (w) => engine.generateJson(w, "kubernetes"),
  "generate-compose": (w) => engine.generateJson(w, "compose"),
  "generate-helm": (w) => engine.generateJson(w, "helm"),
  "generate-dsl": (w) => engine.generateJson(w, "dsl"),
};
const CALLS = {
  validate: (w) => engine.validate(w),
  plan: (w) => engine.plan(w),
  "generate-kubernetes": (w) => engine.generate(w, "kubernetes"),
  "generate-compose": (w) => engine.generate(w, "compose"),
  "generate-helm": (w) => engine.generate(w, "helm"),
  "generate-dsl": (w) => engine.generate(w, "dsl"),
};

function medianUs(f, arg, repeats) {
  for (let i = 0; i < Math.max(1, repeats / 10); i++) f(arg);
  const xs = [];
  for (let i = 0; i < repeats; i++) {
    const t = process.hrtime.bigint();
    f(arg);
    xs.push(Number(process.hrtime.bigint() - t) / 1000);
  }
  return xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
}

function native(path, repeats) {
  const runs = [0, 1, 2].map(() => JSON.parse(execFileSync(nativeBin, [path, String(repeats)]).toString()));
  const out = {};
  for (const k of Object.keys(runs[0])) out[k] = runs.map((r) => r[k]).sort((a, b) => a - b)[1];
  return out;
}

const dir = mkdtempSync(join(tmpdir(), "celestra-bench-"));
const big = join(dir, "synthetic-100.json");
writeFileSync(big, execFileSync(syntheticBin, ["100"]));
const tiny = join(REPO, "tests", "fixtures", "workflows", "ex1-hello-world.json");
console.log(`@celestra/engine ${engine.version()}, Node ${process.version}; medians of repeated calls.\n`);
for (const [label, path, repeats] of [["100-node synthetic workflow", big, 300], ["tiny workflow (ex1, 2 nodes)", tiny, 3000]]) {
  const text = readFileSync(path, "utf8");
  const object = JSON.parse(text);
  const nat = native(path, repeats);
  console.log(`### ${label}\n`);
  console.log("| call | native µs | Node, objects out µs | overhead | native +json µs | engine in Node +json µs | Node, JSON out µs | overhead | Node, object in, objects out µs | overhead |");
  console.log("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const [name, f] of Object.entries(CALLS)) {
    const n = nat[name], nj = nat[name + "+json"];
    const pt = medianUs(f, text, repeats);
    const pj = medianUs(JSON_CALLS[name], text, repeats);
    const po = medianUs(f, object, repeats);
    const bytes = readFileSync(path);
    const inside = [0, 1, 2].map(() => engine._native._engineTime(bytes, name, repeats)).sort((a, b) => a - b)[1];
    const fmt = (p, base) => (path === big ? `${((p / base - 1) * 100).toFixed(0)}%` : `+${(p - base).toFixed(1)} µs`);
    console.log(`| ${name} | ${n.toFixed(1)} | ${pt.toFixed(1)} | ${fmt(pt, n)} | ${nj.toFixed(1)} | ${inside.toFixed(1)} | ${pj.toFixed(1)} | ${fmt(pj, nj)} | ${po.toFixed(1)} | ${fmt(po, n)} |`);
  }
  console.log();
}
