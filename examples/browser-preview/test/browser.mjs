// Headless Debian Chromium driven by playwright-core (installed by scripts/web.sh into the
// tools directory, passed as NODE_PATH), and the preview site served on 127.0.0.1.
import { createRequire } from "node:module";
import { join } from "node:path";
import { serve } from "../serve.mjs";

const modules = process.env.NODE_PATH;
if (!modules) throw new Error("NODE_PATH must point at the tools' node_modules (scripts/web.sh sets it)");
const { chromium } = createRequire(join(modules, "noop.js"))("playwright-core");

export async function open(query = "") {
  const site = process.env.CELESTRA_SITE;
  if (!site) throw new Error("CELESTRA_SITE must be the built site (scripts/web.sh builds it)");
  const server = await serve(site, 0);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    // As root and on a closed network: no sandbox, no background connections (playwright gives
    // every launch a new empty profile).
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
    timeout: 60_000,
  });
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const errors = [];
  page.on("pageerror", (e) => errors.push(e));
  await page.goto(`${server.url}${query}`);
  await page.waitForSelector("body[data-ready=true]", { timeout: 30_000 });
  return {
    page,
    errors,
    async close() {
      await browser.close();
      await server.close();
    },
  };
}
