// Import maps in a real browser: the demo's /modules page loads native ES modules through
// its inline import map under a strict CSP that allows the map by its hash; the map's
// integrity section refuses altered module bytes; modulepreload fetches the whole static
// import graph at once; and in dev mode a module edit changes only that module's URL.
// Each over cleartext HTTP/1.1 and over HTTPS with HTTP/2.
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { assertProtocol, fetchRoute, openPage, requireTools, root, sharedBrowser, startDemo, transports } from "./support.mjs";

requireTools();

const browser = sharedBrowser();
// Under a strict CSP the stale-client script must be a file of the page's origin.
const STRICT = { STALE_CLIENT_SCRIPT: "external" };
const OUTPUT = "[HELLO, IMPORT MAPS]";
const MODULE = /\/static\/js\/modules\/(main|greet|shout|format)\.[0-9a-f]{12}\.js$/;

async function withModulesPage(transport, env, run) {
  const demo = await startDemo({ ...STRICT, ...env }, transport);
  const opened = await openPage(browser());
  try {
    await run({ demo, ...opened });
  } finally {
    // A route handler still holding a request when the page closes must not fail a later
    // test with its rejection.
    await opened.page.unrouteAll({ behavior: "ignoreErrors" });
    await opened.close();
    await demo.stop();
  }
}

/**
 * Loads `path` of `demo` and waits for `load`: by then every module script has run or
 * failed. Then the page and what it fetched came over the demo's transport, but for the
 * routes that `except` matches, or all of it when the test `answered` the page itself.
 */
async function load(page, demo, path, { except = null, answered = false } = {}) {
  const response = await page.goto(`${demo.url}${path}`, { waitUntil: "load" });
  assert.equal(response.status(), 200);
  if (!answered) await assertProtocol(page, demo.transport, { except });
  return response;
}

const ran = (page) => page.evaluate(() => document.documentElement.dataset.modules ?? null);

/** Loads `path` with the first module matching `which` altered on its way to the browser. */
async function tampered(demo, page, path, which) {
  let altered = 0;
  const pattern = new RegExp(`/static/js/modules/${which}\\.[0-9a-f]{12}\\.js$`);
  await page.route(pattern, async (route) => {
    const response = await fetchRoute(route);
    const body = response.body.replace("`[${text}]`", "`pwned ${text}`").replace('"ran"', '"pwned"');
    altered += 1;
    await route.fulfill({ ...response, body });
  });
  await load(page, demo, path, { except: pattern });
  return altered;
}

/**
 * Loads `path` with every module response held for `delay` ms, and returns when each
 * module was requested and answered (ms since navigation).
 */
async function moduleTimeline(demo, page, path, delay) {
  const requested = {};
  const answered = {};
  let start = 0;
  const name = (url) => url.match(MODULE)?.[1];
  page.on("request", (request) => {
    const module = name(request.url());
    if (module) requested[module] = Date.now() - start;
  });
  page.on("response", (response) => {
    const module = name(response.url());
    if (module) answered[module] = Date.now() - start;
  });
  await page.route(MODULE, async (route) => {
    await new Promise((resolve) => setTimeout(resolve, delay));
    await route.continue().catch(() => {}); // the page may be gone by then
  });
  start = Date.now();
  await load(page, demo, path);
  assert.equal(await ran(page), "ran");
  console.log(`${path}: requested ${JSON.stringify(requested)}, answered ${JSON.stringify(answered)} (ms)`);
  return { requested, answered };
}

const mapOf = (page) =>
  page.evaluate(() => JSON.parse(document.querySelector('script[type="importmap"]').textContent).imports);

for (const transport of transports) {
  describe(`import maps over ${transport.name}`, () => {
    test("bare specifiers load through the import map under script-src 'self' 'sha256-...'", async () => {
      await withModulesPage(transport, {}, async ({ demo, page, record }) => {
        const response = await load(page, demo, "/modules");
        const csp = (await response.allHeaders())["content-security-policy"];
        assert.match(csp, /^script-src 'self' 'sha256-[A-Za-z0-9+/]{43}='; /);
        assert.doesNotMatch(csp, /unsafe-inline/);
        assert.equal(await ran(page), "ran");
        assert.equal(await page.textContent("#modules-output"), OUTPUT);
        assert.deepEqual(record.violations, []);
        assert.deepEqual(record.errors, []);
      });
      // The hash is what allows the map: without it the map is refused, and the bare name
      // cannot resolve.
      await withModulesPage(transport, {}, async ({ demo, page, record }) => {
        await page.route(`${demo.url}/modules`, async (route) => {
          const response = await fetchRoute(route);
          const headers = { ...response.headers, "content-security-policy": "script-src 'self'" };
          await route.fulfill({ ...response, headers });
        });
        await load(page, demo, "/modules", { answered: true });
        assert.equal(await ran(page), null, "the modules did not run");
        assert.ok(record.violations.includes("script-src-elem"), JSON.stringify(record.violations));
      });
    });

    test("tampered module bytes are refused by the import map's integrity", async () => {
      // A proxy or CDN alters a module. Without preloads, only the map's integrity names the
      // deepest module and the entry (whose `<script>` has no `integrity` attribute).
      for (const which of ["format", "main"]) {
        await withModulesPage(transport, {}, async ({ demo, page, record }) => {
          assert.ok((await tampered(demo, page, "/modules?preload=0", which)) >= 1, "fetched and altered");
          assert.equal(await ran(page), null, `${which}: no module of the graph ran`);
          assert.equal(await page.textContent("#modules-output"), "The modules have not run.");
          assert.ok(record.errors.some((e) => /integrity/i.test(e)), JSON.stringify(record.errors));
        });
      }
      // With the preload links, which carry their own `integrity` too.
      await withModulesPage(transport, {}, async ({ demo, page, record }) => {
        assert.ok((await tampered(demo, page, "/modules", "format")) >= 1, "fetched and altered");
        assert.equal(await ran(page), null, "no module of the graph ran");
        assert.ok(record.errors.some((e) => /integrity/i.test(e)), JSON.stringify(record.errors));
      });
    });

    test("modulepreload fetches the whole graph before any module runs", async () => {
      const delay = 400;
      // From the `<link rel=modulepreload>` tags (the `Link` header holds no module).
      for (const path of ["/modules"]) {
        await withModulesPage(transport, {}, async ({ demo, page }) => {
          const { requested, answered } = await moduleTimeline(demo, page, path, delay);
          const firstAnswer = Math.min(...Object.values(answered));
          for (const module of ["main", "greet", "shout", "format"]) {
            assert.ok(module in requested, `${path}: ${module} was fetched`);
            // Requested before any module arrived: from the preloads, not from parsing.
            const timeline = JSON.stringify({ requested, answered });
            assert.ok(requested[module] < firstAnswer, `${path}: ${module}: ${timeline}`);
          }
        });
      }
      // Without preloads the graph is found one depth per round trip: `format` is asked for
      // only once `greet`, which imports it, has arrived.
      await withModulesPage(transport, {}, async ({ demo, page }) => {
        const { requested, answered } = await moduleTimeline(demo, page, "/modules?preload=0", delay);
        assert.ok(requested.format >= answered.greet, JSON.stringify({ requested, answered }));
        assert.ok(requested.format >= 2 * delay, JSON.stringify({ requested, answered }));
      });
    });

    test("dev mode: a module edit changes only that module's URL, and the page runs the edit", async () => {
      const folder = mkdtempSync(join(tmpdir(), "hyper-assets-modules-"));
      cpSync(join(root, "examples/demo/static"), folder, { recursive: true });
      await withModulesPage(transport, { STATIC_DEV_MODE: "true", STATIC_DEV_DIR: folder }, async ({ demo, page, record }) => {
        await load(page, demo, "/modules");
        assert.equal(await page.textContent("#modules-output"), OUTPUT);
        const before = await mapOf(page);

        const format = join(folder, "js/modules/format.js");
        writeFileSync(format, readFileSync(format, "utf8").replace("`[${text}]`", "`(${text})!`"));
        const fetched = [];
        page.on("request", (request) => {
          if (MODULE.test(request.url())) fetched.push(request.url());
        });
        await load(page, demo, "/modules");
        assert.equal(await ran(page), "ran", JSON.stringify({ errors: record.errors, fetched }));
        assert.equal(await page.textContent("#modules-output"), "(HELLO, IMPORT MAPS)!");
        const after = await mapOf(page);

        const changed = Object.keys(before).filter((key) => before[key] !== after[key]);
        assert.deepEqual(changed, ["/static/js/modules/format.js"], JSON.stringify({ before, after }));
        assert.ok(fetched.includes(new URL(after["/static/js/modules/format.js"], demo.url).href));
        assert.deepEqual(record.violations, []);
      });
    });
  });
}
