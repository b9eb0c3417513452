// The preview page end to end in headless Chromium: typing an edit updates the findings and the
// outputs, tabs switch, broken JSON is named with its position; a screenshot is kept.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { open } from "./browser.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "../../..");
const output = (page) => page.textContent("#output");
const updates = async (page) => Number(await page.getAttribute("#status", "data-updates"));

test("the preview page regenerates on every edit", async () => {
  const { page, errors, close } = await open();
  try {
    // ex3-microservice, Kubernetes tab first; secrets are redacted in the preview.
    assert.equal(await page.inputValue("#example"), "ex3-microservice");
    assert.match(await output(page), /kind: Deployment/);
    assert.doesNotMatch(await output(page), /change-me/);
    assert.match(await page.textContent("#counts"), /^0 errors/);

    // Select the api App and type a new image: every output follows, incrementally.
    await page.click("#nodes li[data-id=api]");
    const before = await updates(page);
    await page.fill("#field-image", "");
    await page.type("#field-image", "registry.example/api:2.0");
    assert.ok((await updates(page)) >= before + 5, "one regeneration per keystroke");
    assert.match(await output(page), /image: registry\.example\/api:2\.0/);
    assert.match(await page.textContent("#status"), /edit in [\d.]+ ms · \d+ nodes · regenerated: \d+/);
    assert.match(await page.inputValue("#workflow"), /registry\.example\/api:2\.0/);

    // A bad value: the finding appears with its code and node, the outputs keep the last good version.
    await page.fill("#field-replicas", "-3");
    const row = page.locator("#findings tbody tr.error").first();
    assert.match(await row.textContent(), /api/);
    const codes = await page.$$eval("#findings tbody tr.error", (rows) => rows.map((r) => r.dataset.code));
    assert.ok(codes.length > 0, "an error finding");
    assert.equal(await page.isVisible("#stale"), true);
    assert.match(await output(page), /registry\.example\/api:2\.0/);
    await page.screenshot({ path: join(process.env.CELESTRA_ARTIFACTS ?? ".", "browser-preview-finding.png") });
    await page.fill("#field-replicas", "2");
    assert.equal(await page.isVisible("#stale"), false);
    assert.match(await page.textContent("#counts"), /^0 errors/);
    assert.match(await output(page), /replicas: 2/);

    // Tabs.
    await page.click("button[data-tab=compose]");
    assert.match(await output(page), /^services:/m);
    assert.match(await output(page), /registry\.example\/api:2\.0/);
    await page.click("button[data-tab=helm]");
    assert.match(await page.textContent("#files"), /Chart\.yaml/);
    await page.click("#files button:has-text('values.yaml')");
    assert.match(await output(page), /registry\.example\/api/);
    await page.click("button[data-tab=dsl]");
    assert.match(await output(page), /^from celestra import/m);
    assert.match(await output(page), /registry\.example\/api:2\.0/);
    await page.click("button[data-tab=plan]");
    assert.match(await output(page), /^wave 0: /m);
    assert.match(await output(page), /waits for \S+ because/);
    await page.click("button[data-tab=ledger]");
    assert.match(await output(page), /^kubernetes: \d+ mapped/);
    await page.click("#files button:has-text('compose')");
    assert.match(await output(page), /^compose: \d+ mapped/);

    // Broken JSON in the text editor: a PARSE finding with its line; the outputs stay.
    await page.click("button[data-tab=kubernetes]");
    const text = await page.inputValue("#workflow");
    await page.fill("#workflow", text.replace('"nodes": [', '"nodes": [[,'));
    await page.waitForSelector("#findings tr[data-code=PARSE]");
    assert.match(await page.textContent("#findings tbody"), /line \d+, column \d+/);
    assert.match(await output(page), /kind: Deployment/);
    // Another example from the picker.
    await page.selectOption("#example", "wordpress-mysql");
    await page.waitForFunction(() => document.querySelector("#output").textContent.includes("wordpress"));
    assert.match(await output(page), /kind: StatefulSet/);
    // A dependency cycle: the finding, and the plan tab says why there is no plan.
    const cycle = readFileSync(join(root, "tests/fixtures/invalid/GRAPH_CYCLE/two-apps-wait-for-each-other.json"), "utf8");
    await page.fill("#workflow", cycle);
    await page.waitForSelector("#findings tr[data-code=GRAPH_CYCLE]");
    await page.click("button[data-tab=plan]");
    assert.match(await output(page), /^cannot plan: dependency cycle: orders → billing → orders$/);
    await page.click("button[data-tab=kubernetes]");

    await page.screenshot({ path: join(process.env.CELESTRA_ARTIFACTS ?? ".", "browser-preview.png"), fullPage: true });
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
});
