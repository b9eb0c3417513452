// Speed of the preview page, measured in headless Chromium (scripts/web.sh bench; numbers in
// the README): edit-to-updated-outputs on the 100-node synthetic workflow (an image typed into
// the node editor: the shown target's incremental session, validation, the plan, the JSON text
// and the visible tab re-rendered), and full regeneration of the 1,000-node workflow (the page's
// update: shown target, validation, plan, rendering; and all four targets). Medians; the page
// times each update itself (`state.timings`).
import { open } from "./browser.mjs";

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (ms) => `${ms.toFixed(2)} ms`;
const results = {};

async function edits(query, label, count) {
  const { page, close } = await open(query);
  try {
    // Pick the first App with an image and type into its image field, one key at a time.
    const id = await page.evaluate(() => window.celestraPreview.state.doc.nodes.find((n) => n.type === "celestra-app" && n.data?.properties?.image).id);
    await page.click(`#nodes li[data-id="${id}"]`);
    for (const tab of ["kubernetes", "helm"]) {
      await page.click(`button[data-tab=${tab}]`);
      await page.evaluate(() => { window.celestraPreview.state.timings.length = 0; });
      for (let i = 0; i < count; i++) {
        await page.fill("#field-image", `registry.example/app:${i}.0`);
      }
      const ms = await page.evaluate(() => window.celestraPreview.state.timings.filter((t) => t.kind === "edit").map((t) => t.ms));
      results[`${label}, edit → outputs (${tab} tab shown)`] = { median: median(ms), max: Math.max(...ms), n: ms.length };
    }
  } finally {
    await close();
  }
}

async function full(query, label, count) {
  const { page, close } = await open(query);
  try {
    const [page1, all4] = await page.evaluate((count) => {
      const p = window.celestraPreview;
      const text = JSON.stringify(p.state.doc);
      const shown = [], all = [];
      for (let i = 0; i < count; i++) shown.push(p.loadText(text));
      for (let i = 0; i < count; i++) {
        const t = performance.now();
        p.loadText(text);
        for (const target of p.TARGETS) p.catchUp(target);
        all.push(performance.now() - t);
      }
      return [shown, all];
    }, count);
    results[`${label}, full regeneration shown by the page (Kubernetes + findings + plan)`] = { median: median(page1), max: Math.max(...page1), n: page1.length };
    results[`${label}, full regeneration of all four targets + findings + plan`] = { median: median(all4), max: Math.max(...all4), n: all4.length };
    const parts = await page.evaluate((count) => {
      const { engine, state } = window.celestraPreview;
      const text = JSON.stringify(state.doc);
      const time = (f) => { const xs = []; for (let i = 0; i < count; i++) { const t = performance.now(); f(); xs.push(performance.now() - t); } return xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]; };
      const out = { validate: time(() => engine.validate(text, { live: true })), plan: time(() => engine.plan(text)) };
      for (const t of ["kubernetes", "compose", "helm", "dsl"]) out[`generate ${t}`] = time(() => engine.generate(text, t, { redactSecrets: true }));
      return out;
    }, count);
    for (const [k, v] of Object.entries(parts)) results[`${label}, ${k} alone`] = { median: v, n: count };
  } finally {
    await close();
  }
}

await edits("?workflow=synthetic-100", "100 nodes", 60);
await full("?workflow=synthetic-100", "100 nodes", 20);
// 30 runs: on a shared 2-core machine ten were too few for a stable median (±15% between runs).
await full("?workflow=synthetic-1000", "1,000 nodes", 30);
console.log("| measured in headless Chromium | median | max | runs |");
console.log("|---|---:|---:|---:|");
for (const [k, v] of Object.entries(results)) console.log(`| ${k} | ${fmt(v.median)} | ${v.max === undefined ? "" : fmt(v.max)} | ${v.n} |`);
