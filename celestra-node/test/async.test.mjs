// The ...Async calls run on libuv's thread pool: the event loop keeps ticking while a
// 10,000-node generation runs, results equal the sync calls, and errors reject the Promise
// with the same Error shapes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";

const engine = createRequire(import.meta.url)(process.env.CELESTRA_NODE_PKG);
const synthetic = (n) => execFileSync(process.env.CELESTRA_SYNTHETIC, [String(n)], { maxBuffer: 1 << 30 }).toString();

test("the event loop keeps ticking while a 10,000-node generation runs", async () => {
  const doc = synthetic(10_000);
  let ticks = 0;
  const timer = setInterval(() => ticks++, 1);
  const started = performance.now();
  const g = await engine.generateAsync(doc, "kubernetes");
  const ms = performance.now() - started;
  clearInterval(timer);
  assert.ok(Object.values(g.files)[0].length > 1_000_000, "a real generation");
  // A timer that fires every millisecond fired during most of the generation.
  assert.ok(ticks > 10, `the event loop ticked ${ticks} times in ${ms.toFixed(0)} ms`);
});

test("several async calls run at once and equal the sync results", async () => {
  const doc = synthetic(300);
  const [report, plan, k8s, helm] = await Promise.all([
    engine.validateAsync(doc),
    engine.planAsync(doc),
    engine.generateAsync(doc, "kubernetes"),
    engine.generateAsync(doc, "helm", { redactSecrets: true }),
  ]);
  assert.deepEqual(report, engine.validate(doc));
  assert.deepEqual(plan, engine.plan(doc));
  assert.deepEqual(k8s, engine.generate(doc, "kubernetes"));
  assert.deepEqual(helm, engine.generate(doc, "helm", { redactSecrets: true }));
});

test("errors reject the Promise with the same Error shapes", async () => {
  await assert.rejects(engine.planAsync("{"), (e) => e instanceof Error && e.name === "ParseError" && e.code === "PARSE" && e.line === 1);
  await assert.rejects(engine.generateAsync("{}", "terraform"), (e) => e.name === "GenerateError" && e.code === "OPTION");
  await assert.rejects(engine.validateAsync(undefined), (e) => e.name === "ParseError" && /not a JSON value/.test(e.message));
  const bad = JSON.stringify({ schemaVersion: "1.0", nodes: [{ id: "a", type: "celestra-app", data: { name: "a", properties: {} } }] });
  await assert.rejects(engine.generateAsync(bad, "compose"), (e) => {
    assert.equal(e.name, "ValidationError");
    assert.deepEqual(e.diagnostics, engine.validate(bad).errors);
    return true;
  });
});

test("the JSON-out calls give the bytes the object calls parse", async () => {
  const doc = synthetic(50);
  const text = (buf) => {
    assert.ok(Buffer.isBuffer(buf));
    return buf.toString("utf8");
  };
  assert.deepEqual(JSON.parse(text(engine.validateJson(doc, { live: true }))), engine.validate(doc, { live: true }));
  assert.equal(text(engine.planJson(doc)), JSON.stringify(engine.plan(doc)));
  for (const target of ["kubernetes", "compose", "helm", "dsl"]) {
    const out = text(engine.generateJson(doc, target, { redactSecrets: true }));
    assert.equal(out, JSON.stringify(engine.generate(doc, target, { redactSecrets: true })));
    assert.equal(text(await engine.generateJsonAsync(doc, target, { redactSecrets: true })), out);
  }
  assert.equal(text(await engine.planJsonAsync(doc)), text(engine.planJson(doc)));
  assert.equal(text(engine.analyzeJson(doc, { live: true })), JSON.stringify(engine.analyze(doc, { live: true })));
  assert.equal(text(await engine.analyzeJsonAsync(doc)), text(engine.analyzeJson(doc)));
  assert.deepEqual(await engine.analyzeAsync(doc, { live: true }), engine.analyze(doc, { live: true }));
  assert.equal(text(await engine.validateJsonAsync(doc)), text(engine.validateJson(doc)));
  assert.throws(() => engine.generateJson(doc, "terraform"), (e) => e.name === "GenerateError" && e.code === "OPTION");
  await assert.rejects(engine.planJsonAsync("{"), (e) => e.name === "ParseError" && e.line === 1);
});
