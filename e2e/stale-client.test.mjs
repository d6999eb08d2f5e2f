// Stale-client detection in a real headless Chromium, with real htmx 2 and htmx 4 from
// the npm registry, against the demo binary over a real socket: cleartext HTTP/1.1, and
// HTTPS with HTTP/2.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  assertProtocol,
  changeVersion,
  fetchRoute,
  htmxFile,
  openPage,
  requireTools,
  screenshotPath,
  sharedBrowser,
  startDemo,
  transports,
} from "./support.mjs";

requireTools();

const browser = sharedBrowser();

/** Runs `body` with a demo started for `line` over `transport` and a fresh page; cleans both up. */
async function withDemo(transport, line, env, body) {
  const demo = await startDemo({ HTMX_FILE: htmxFile(line), ...env }, transport);
  const tab = await openPage(browser());
  try {
    await body({ demo, ...tab });
  } finally {
    await tab.close();
    await demo.stop();
  }
}

/** Loads `path` of `demo`: the page and what it fetched came over the demo's transport. */
async function load(page, demo, path) {
  const response = await page.goto(`${demo.url}${path}`);
  assert.equal(response.status(), 200);
  await assertProtocol(page, demo.transport);
  const version = response.headers()["x-app-version"];
  assert.ok(version, "the page carries X-App-Version");
  await page.evaluate(() => {
    window.__marker = "kept";
  });
  return version;
}

const marker = (page) => page.evaluate(() => window.__marker);
const pageVersion = (page) => page.evaluate(() => window.__hyperAppVersion);

/** Clicks the hx-get button and waits until the fragment of `version` is swapped in. */
async function loadFragment(page, version) {
  await page.click("#load-fragment");
  await page.locator("#fragment-body", { hasText: `app version ${version}` }).waitFor();
}

/** Clicks the hx-get button and waits for the full page load it causes. */
async function fragmentReloads(page) {
  await Promise.all([page.waitForEvent("load"), page.click("#load-fragment")]);
}

for (const transport of transports) {
  for (const line of ["htmx2", "htmx4"]) {
    describe(`stale clients with ${line} over ${transport.name}`, () => {
      test("boosted navigation and hx-get swaps work without reloading", async () => {
        await withDemo(transport, line, {}, async ({ demo, page, record }) => {
          const a = await load(page, demo, "/");
          assert.equal(await pageVersion(page), a);
          assert.equal(await page.locator('script[data-hyper-assets="stale-client"]').count(), 1);

          await page.click("#nav-about");
          await page.locator("#page-title", { hasText: "About" }).waitFor();
          assert.equal(new URL(page.url()).pathname, "/about");
          await loadFragment(page, a);
          assert.equal(await marker(page), "kept", "no reload");
          assert.equal(record.loads, 1);
          // The boosted page was not injected a second time.
          assert.equal(await page.locator('script[data-hyper-assets="stale-client"]').count(), 1);
        });
      });

      test("reload mode: the next htmx response of a new version reloads into it", async () => {
        await withDemo(transport, line, {}, async ({ demo, page, record }) => {
          const a = await load(page, demo, "/");
          await loadFragment(page, a);
          const b = await changeVersion(demo);
          assert.notEqual(a, b);
          await fragmentReloads(page);
          assert.equal(await marker(page), undefined, "the page reloaded");
          // The reload, and the swap that caused it, went over the demo's transport too.
          await assertProtocol(page, demo.transport);
          // What "no reload" checks elsewhere sees when there is one.
          assert.deepEqual(record.navigations, ["reload"]);
          assert.equal(await pageVersion(page), b, "the reloaded page runs the new version");
          assert.equal(await page.textContent("#app-version"), b);
          assert.equal(record.loads, 2);
          // The page told the server which version it ran.
          const document = (await demo.request("/version")).json();
          assert.ok(document.clients.stale >= 1, JSON.stringify(document.clients));
          assert.ok(document.clients.current >= 1, JSON.stringify(document.clients));
        });
      });

      test("warn mode: one warning per server version, no reload", async () => {
        await withDemo(transport, line, { APP_VERSION_MISMATCH: "warn" }, async ({ demo, page, record }) => {
          await load(page, demo, "/");
          const b = await changeVersion(demo);
          await loadFragment(page, b);
          await page.click("#nav-about");
          await page.locator("#page-title", { hasText: "About" }).waitFor();
          await loadFragment(page, b);
          const ours = record.warnings.filter((text) => text.startsWith("hyper-assets:"));
          assert.equal(ours.length, 1, JSON.stringify(record.warnings));
          assert.ok(ours[0].includes(b));
          assert.equal(await marker(page), "kept");
          assert.equal(record.loads, 1);
        });
      });

      test("ignore mode: nothing is injected", async () => {
        await withDemo(transport, line, { APP_VERSION_MISMATCH: "ignore" }, async ({ demo, page, record }) => {
          await load(page, demo, "/");
          assert.equal(await pageVersion(page), undefined);
          assert.equal(await page.locator("script[data-hyper-assets]").count(), 0);
          const b = await changeVersion(demo);
          await loadFragment(page, b);
          assert.equal(await marker(page), "kept");
          assert.equal(record.loads, 1);
        });
      });

      test("prompt mode: an accessible banner, once per version; its button reloads", async () => {
        await withDemo(transport, line, { APP_VERSION_MISMATCH: "prompt" }, async ({ demo, page, record }) => {
          await page.setViewportSize({ width: 900, height: 560 });
          await load(page, demo, "/");
          const b = await changeVersion(demo);
          await loadFragment(page, b);
          const banner = page.locator("#hyper-assets-banner");
          await banner.waitFor();
          assert.equal(await banner.getAttribute("role"), "alert");
          assert.equal(await page.locator("#hyper-assets-banner").count(), 1);
          assert.equal(await marker(page), "kept");
          await page.screenshot({ path: screenshotPath(`stale-client-banner-${line}-${transport.id}.png`) });
          // Dismissed, it does not come back for the same version.
          await page.getByRole("button", { name: "Dismiss the new-version notice" }).click();
          await loadFragment(page, b);
          assert.equal(await banner.count(), 0);
          // A newer version prompts again; its Reload button reloads into it.
          const c = await changeVersion(demo);
          await loadFragment(page, c);
          await banner.waitFor();
          await Promise.all([page.waitForEvent("load"), page.getByRole("button", { name: "Reload" }).click()]);
          assert.equal(await pageVersion(page), c);
          assert.equal(record.loads, 2);
        });
      });

      test("a listener that cancels hyper:version-mismatch prevents the reload", async () => {
        await withDemo(transport, line, {}, async ({ demo, page, record, flush }) => {
          const a = await load(page, demo, "/");
          await page.evaluate(() => {
            document.addEventListener("hyper:version-mismatch", (event) => {
              window.__mismatch = event.detail;
              event.preventDefault();
            });
          });
          const b = await changeVersion(demo);
          await page.click("#load-fragment");
          await page.waitForFunction(() => window.__mismatch !== undefined);
          const detail = await page.evaluate(() => window.__mismatch);
          assert.deepEqual(detail, { current: a, server: b, action: "reload", reason: "version" });
          // The script decides in the handler that dispatched the event: once that has
          // run, a reload would already have been asked for.
          await flush();
          assert.deepEqual(record.navigations, [], "no navigation was asked for");
          assert.equal(await marker(page), "kept");
          assert.equal(record.loads, 1);
        });
      });

      // Issue 16: a page whose hashed stylesheet or script fails to load (a rollout
      // replaced it, or SRI refused other bytes) reloads once, guarded like a version
      // mismatch; when it fails again the person is asked instead.
      for (const [what, pattern, fail] of [
        ["a stylesheet that fails to load", "**/static/css/styles.*.css", (route) => route.abort()],
        [
          "a script refused by SRI",
          "**/static/js/app.*.js",
          (route) => route.fulfill({ status: 200, contentType: "text/javascript", body: "window.__tampered = 1;" }),
        ],
      ]) {
        test(`${what}: one guarded reload, then a prompt`, async () => {
          await withDemo(transport, line, {}, async ({ demo, page, record, flush }) => {
            await page.addInitScript(() => {
              document.addEventListener("hyper:version-mismatch", (event) => {
                window.__mismatches = (window.__mismatches || 0) + 1;
                window.__lastMismatch = event.detail;
              });
            });
            await page.route(pattern, fail);
            await page.goto(`${demo.url}/`, { waitUntil: "commit" }).catch(() => {});
            await page.locator("#hyper-assets-banner").waitFor();
            await flush();
            assert.deepEqual(record.navigations, ["reload"], "exactly one reload");
            const detail = await page.evaluate(() => window.__lastMismatch);
            assert.equal(detail.reason, "asset");
            assert.equal(detail.action, "prompt");
            assert.match(detail.url, pattern.includes("css") ? /\/static\/css\/styles\.[0-9a-f]{12}\.css$/ : /\/static\/js\/app\.[0-9a-f]{12}\.js$/);
            assert.equal(await page.evaluate(() => window.__tampered), undefined, "the refused bytes never ran");
          });
        });
      }

      test("an asset that loads does not trigger anything", async () => {
        await withDemo(transport, line, {}, async ({ demo, page, record, flush }) => {
          await load(page, demo, "/");
          await flush();
          assert.deepEqual(record.navigations, []);
          assert.equal(await page.locator("#hyper-assets-banner").count(), 0);
          assert.equal(record.loads, 1);
        });
      });

      test("loop guard: a second reload for the same server version becomes a prompt", async () => {
        await withDemo(transport, line, {}, async ({ demo, page, record, flush }) => {
          // A load balancer alternating old and new: the page always comes from the old
          // instance, the htmx responses from the new one.
          await page.route("**/fragment", async (route) => {
            const response = await fetchRoute(route);
            await route.fulfill({ ...response, headers: { ...response.headers, "x-app-version": "v-next" } });
          });
          await load(page, demo, "/");
          await fragmentReloads(page);
          assert.equal(record.loads, 2, "one reload");
          await page.evaluate(() => {
            window.__marker = "kept";
          });
          const asked = record.navigations.length;
          await page.click("#load-fragment");
          await page.locator("#hyper-assets-banner").waitFor();
          // The banner comes from the same handler that would have reloaded.
          await flush();
          assert.equal(record.navigations.length, asked, "no second reload was asked for");
          assert.equal(record.loads, 2, "no second reload");
          assert.equal(await marker(page), "kept");
        });
      });

      test("strict CSP: the external script works, the inline one is refused", async () => {
        const csp = { DEMO_CSP: "script-src 'self'" };
        await withDemo(transport, line, { ...csp, STALE_CLIENT_SCRIPT: "external" }, async ({ demo, page, record }) => {
          const a = await load(page, demo, "/");
          assert.equal(await pageVersion(page), a, "the external script ran");
          assert.deepEqual(record.violations, []);
          const b = await changeVersion(demo);
          await fragmentReloads(page);
          assert.equal(await pageVersion(page), b);
        });
        await withDemo(transport, line, { ...csp, STALE_CLIENT_SCRIPT: "inline" }, async ({ demo, page, record }) => {
          await load(page, demo, "/");
          await page.waitForFunction(() => document.readyState === "complete");
          assert.equal(await page.locator('script[data-hyper-assets="stale-client"]').count(), 1, "injected");
          assert.equal(await pageVersion(page), undefined, "but refused by the browser");
          assert.ok(record.violations.some((directive) => directive.startsWith("script-src")), JSON.stringify(record.violations));
        });
      });
    });
  }
}
