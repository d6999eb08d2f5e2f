// The asset pipeline in a real browser: the stylesheet arrives brotli-compressed, its
// rewritten font and image URLs load, and the SRI-checked script runs.
import assert from "node:assert/strict";
import { test } from "node:test";
import { htmxFile, openPage, requireTools, sharedBrowser, startDemo } from "./support.mjs";

requireTools();

const browser = sharedBrowser();

test("brotli, rewritten references and SRI work in Chromium", async () => {
  const demo = await startDemo({ HTMX_FILE: htmxFile("htmx2") });
  const { page, record, close } = await openPage(browser());
  try {
    const responses = [];
    page.on("response", (response) => responses.push(response));
    await page.goto(`${demo.url}/`);
    await page.waitForFunction(() => document.readyState === "complete");
    await page.evaluate(() => document.fonts.ready);

    const css = responses.find((r) => /\/static\/css\/styles\.[0-9a-f]{12}\.css$/.test(r.url()));
    assert.ok(css, "the hashed stylesheet was requested");
    const headers = await css.allHeaders();
    assert.equal(headers["content-encoding"], "br", "Chromium asked for br and got it");
    assert.equal(headers["cache-control"], "public, max-age=31536000, immutable");

    for (const pattern of [/\/static\/fonts\/hyper-block\.[0-9a-f]{12}\.woff$/, /\/static\/img\/logo\.[0-9a-f]{12}\.png$/]) {
      const hit = responses.find((r) => pattern.test(r.url()));
      assert.ok(hit, `a rewritten reference was fetched: ${pattern}`);
      assert.equal(hit.status(), 200);
    }
    assert.ok(await page.evaluate(() => document.fonts.check('16px "Hyper Block"')), "the font loaded");
    const status = await page.textContent("#script-status");
    assert.match(status, /app\.js loaded/, "the script passed its integrity check and ran");
    assert.deepEqual(record.errors.filter((e) => /integrity/i.test(e)), []);
  } finally {
    await close();
    await demo.stop();
  }
});
