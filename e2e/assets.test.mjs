// The asset pipeline in a real browser: the stylesheet arrives brotli-compressed, its
// rewritten font and image URLs load, and the SRI-checked script runs; over cleartext
// HTTP/1.1 and over HTTPS with HTTP/2.
import assert from "node:assert/strict";
import { test } from "node:test";
import { assertProtocol, htmxFile, openPage, requireTools, sharedBrowser, startDemo, transports } from "./support.mjs";

requireTools();

const browser = sharedBrowser();

for (const transport of transports) {
  test(`brotli, rewritten references and SRI work in Chromium over ${transport.name}`, async () => {
    const demo = await startDemo({ HTMX_FILE: htmxFile("htmx2") }, transport);
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
      assert.deepEqual(record.errors, [], "no console errors");
      // The page, its stylesheet, script, font, image and htmx: six or more, each over h2
      // with TLS.
      assert.ok((await assertProtocol(page, transport)) >= 5, "the page's resources were checked");
    } finally {
      await close();
      await demo.stop();
    }
  });
}
