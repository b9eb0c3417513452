// Every fixture through the JS engine equals the Rust snapshots, byte for byte: generated files
// and ledgers of every target, reports and plans, and the report of every invalid fixture.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { engine } from "./engine.mjs";
import { TARGETS, allText, invalidCases, pretty, snapshot, workflows } from "./fixtures.mjs";

for (const { stem, path } of workflows) {
  test(`${stem}: every target equals the snapshots (files and ledger)`, () => {
    const text = readFileSync(path, "utf8");
    const inputs = [text, new Uint8Array(readFileSync(path)), JSON.parse(text)];
    for (const [short, target] of Object.entries(TARGETS)) {
      for (const input of inputs) {
        const g = engine.generate(input, target);
        assert.equal(g.target, target);
        assert.equal(allText(g.files), snapshot(`generate__${short}__${stem}`), `${short} ${typeof input}`);
        assert.equal(pretty(g.ledger), snapshot(`generate__ledger__${short}__${stem}`), short);
      }
    }
  });

  test(`${stem}: report and plan equal the snapshots, and analyze gives both`, () => {
    const text = readFileSync(path, "utf8");
    assert.equal(pretty(engine.validate(text)), snapshot(`fixtures__report__${stem}`));
    assert.equal(pretty(engine.plan(text)), snapshot(`fixtures__plan__${stem}`));
    const a = engine.analyze(text, { live: true });
    assert.deepEqual(a, { report: engine.validate(text, { live: true }), plan: engine.plan(text) });
  });
}

test("analyze on a cycle: no plan, and the report names the cycle", () => {
  const cycle = invalidCases().find((c) => c.code === "GRAPH_CYCLE");
  const a = engine.analyze(readFileSync(cycle.path, "utf8"));
  assert.equal(a.plan, null);
  assert.ok(a.report.errors.some((d) => d.code === "GRAPH_CYCLE"));
});

test("every invalid fixture reports its code, as in Rust", () => {
  const cases = invalidCases();
  assert.ok(cases.length > 90, `${cases.length} invalid fixtures`);
  for (const c of cases) {
    const opts = {};
    if (c.options.target) opts.target = c.options.target;
    if (c.options.mode === "live") opts.live = true;
    const report = engine.validate(readFileSync(c.path, "utf8"), opts);
    const codes = new Set([...report.errors, ...report.warnings, ...report.infos].map((d) => d.code));
    assert.ok(codes.has(c.code), `${c.code}/${c.stem}`);
    assert.equal(pretty(report), snapshot(`fixtures__invalid__${c.code}__${c.stem}`), `${c.code}/${c.stem}`);
  }
});
