// The README's Node example runs as written, against the built package.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const REPO = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

test("the README's Node example", () => {
  const readme = readFileSync(join(REPO, "README.md"), "utf8");
  const m = readme.match(/<!-- node-example -->\s*```js\n([\s\S]*?)```/);
  assert.ok(m, "README has a Node example marked <!-- node-example -->");
  assert.ok(m[1].trim().split("\n").length <= 12, "about ten lines");
  const out = execFileSync(process.execPath, ["-e", m[1]], {
    cwd: REPO,
    env: { ...process.env, NODE_PATH: process.env.CELESTRA_NODE_MODULES },
  }).toString();
  // What the example prints: the findings count, the waves, the files, the ledger summary and
  // the async generation's files.
  assert.match(out, /^valid: true, 0 errors$/m);
  assert.match(out, /^waves: \d+$/m);
  assert.match(out, /^files: .*Chart\.yaml/m);
  assert.match(out, /^ledger: \d+ mapped, \d+ approximated, \d+ dropped$/m);
  assert.match(out, /^async: manifests\.yaml$/m);
});
