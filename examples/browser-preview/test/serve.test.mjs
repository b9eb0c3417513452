// The preview server serves the site and nothing outside it, on 127.0.0.1 only.
import { test } from "node:test";
import assert from "node:assert/strict";
import { request } from "node:http";
import { mkdtempSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serve } from "../serve.mjs";

// A raw GET (fetch would normalize the path before sending it).
const get = (url, path) =>
  new Promise((ok, fail) => {
    const u = new URL(url);
    const req = request({ host: u.hostname, port: u.port, path, method: "GET" }, (res) => {
      let body = "";
      res.on("data", (d) => (body += d)).on("end", () => ok({ status: res.statusCode, type: res.headers["content-type"], body }));
    });
    req.on("error", fail).end();
  });

test("serves the site with the right types and refuses paths outside it", async () => {
  const root = mkdtempSync(join(tmpdir(), "celestra-site-"));
  mkdirSync(join(root, "site"));
  writeFileSync(join(root, "secret.txt"), "outside");
  writeFileSync(join(root, "site", "index.html"), "<p>hi</p>");
  writeFileSync(join(root, "site", "a.wasm"), "\0asm");
  const { url, close } = await serve(join(root, "site"), 0);
  try {
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    const index = await get(url, "/");
    assert.equal(index.status, 200);
    assert.match(index.type, /^text\/html/);
    assert.equal((await get(url, "/a.wasm")).type, "application/wasm");
    for (const path of ["/../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt", "/missing.js", "/%E0%A4%A"]) {
      const r = await get(url, path);
      assert.ok(r.status === 404 || r.status === 400, `${path}: ${r.status}`);
      assert.doesNotMatch(r.body, /outside/, path);
    }
  } finally {
    await close();
  }
});
