// Fixtures and insta snapshots, read as the Rust and Python suites read them.
import { readdirSync, readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { REPO } from "./engine.mjs";

export const FIXTURES = join(REPO, "tests", "fixtures");
export const SNAPSHOTS = join(REPO, "tests", "suite", "snapshots");
export const TARGETS = { k8s: "kubernetes", compose: "compose", helm: "helm", dsl: "dsl" };

export const workflows = readdirSync(join(FIXTURES, "workflows"))
  .filter((f) => f.endsWith(".json") && !f.endsWith(".options.json"))
  .sort()
  .map((f) => ({ stem: f.slice(0, -5), path: join(FIXTURES, "workflows", f) }));

export function invalidCases() {
  const dir = join(FIXTURES, "invalid");
  const out = [];
  for (const code of readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()) {
    for (const f of readdirSync(join(dir, code)).filter((f) => f.endsWith(".json") && !f.endsWith(".options.json")).sort()) {
      const path = join(dir, code, f);
      const side = path.slice(0, -5) + ".options.json";
      out.push({ code, stem: f.slice(0, -5), path, options: existsSync(side) ? JSON.parse(readFileSync(side, "utf8")) : {} });
    }
  }
  return out;
}

/** The body of an insta snapshot (after its `---` header), as insta compares it. */
export function snapshot(name) {
  const text = readFileSync(join(SNAPSHOTS, `${name}.snap`), "utf8");
  if (!text.startsWith("---\n")) throw new Error(`${name}: not an insta snapshot`);
  const end = text.indexOf("\n---\n", 4);
  return text.slice(end + 5).replace(/\n+$/, "").replaceAll("\r\n", "\n");
}

/** The snapshot text of a generation's files (all_text in tests/suite/generate.rs). */
export function allText(files) {
  return Object.keys(files)
    .sort(byBytes)
    .map((k) => `### ${k}\n${files[k]}`)
    .join("\n")
    .replace(/\n+$/, "")
    .replaceAll("\r\n", "\n");
}

/** Rust's string order (bytes, i.e. code points), not JS's UTF-16 order. */
export function byBytes(a, b) {
  const x = Buffer.from(a), y = Buffer.from(b);
  return Buffer.compare(x, y);
}

/** serde_json's to_string_pretty: two-space indent. */
export const pretty = (v) => JSON.stringify(v, null, 2);
