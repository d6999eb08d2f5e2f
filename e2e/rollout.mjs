// The browser half of the rollout test (examples/demo/tests/rollout.rs): loads pages of
// a deployment through a real nginx in a real headless Chromium with SRI on, clicks an
// htmx button on each, and reports for every page whether it ended coherent: every
// subresource loaded and passed its integrity check, and the stylesheet's and the
// script's release are the release of the page's own version.
//
//   node e2e/rollout.mjs CELL.json   prints one JSON object on stdout
//
// CELL.json: { "url": "http://127.0.0.1:PORT/", "loads": 50, "click": true,
//              "releases": { "<app version>": "v1", ... }, "cookie": "app_version=v1"?,
//              "userAgents": true? }
import { readFileSync } from "node:fs";
import { launchBrowser } from "./support.mjs";

const cell = JSON.parse(readFileSync(process.argv[2], "utf8"));

/** What the page shows now: its version, and the releases its files say they are. */
async function state(page) {
  return page.evaluate(() => {
    const meta = document.querySelector('meta[name="app-version"]');
    const sheets = [...document.querySelectorAll('link[rel~="stylesheet"]')];
    const sheetLoaded = (link) => {
      try {
        return !!link.sheet && link.sheet.cssRules !== null;
      } catch (_) {
        return false;
      }
    };
    return {
      version: meta ? meta.content : null,
      css: getComputedStyle(document.documentElement).getPropertyValue("--demo-release").trim().replace(/"/g, ""),
      js: window.demoRelease ?? null,
      scriptRan: (document.getElementById("script-status")?.textContent ?? "").startsWith("app.js loaded"),
      sheets: sheets.length > 0 && sheets.every(sheetLoaded),
      images: [...document.images].every((img) => img.complete && img.naturalWidth > 0),
      htmx: typeof window.htmx !== "undefined",
      banner: !!document.getElementById("hyper-assets-banner"),
      fragment: document.getElementById("fragment-body")?.textContent ?? null,
    };
  });
}

function coherent(s) {
  const release = cell.releases[s.version];
  return (
    release !== undefined &&
    s.css === release &&
    s.js === release &&
    s.scriptRan &&
    s.sheets &&
    s.images &&
    s.htmx &&
    !s.banner
  );
}

/** Waits until the page's network is quiet and no reload started for a while. */
async function settle(page, record) {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const loads = record.loads;
    await page.waitForLoadState("load").catch(() => {});
    await page.waitForLoadState("networkidle", { timeout: 5_000 }).catch(() => {});
    await new Promise((r) => setTimeout(r, 300));
    if (record.loads === loads && loads > 0) return;
  }
}

const browser = await launchBrowser();
const pages = [];
try {
  for (let i = 0; i < cell.loads; i++) {
    const options = cell.userAgents ? { userAgent: `rollout-client-${i}` } : {};
    const context = await browser.newContext(options);
    if (cell.cookie) {
      const [name, value] = cell.cookie.split("=");
      await context.addCookies([{ name, value, url: cell.url }]);
    }
    const page = await context.newPage();
    const record = { loads: 0, reasons: [], integrityErrors: 0 };
    await page.exposeFunction("__rolloutMismatch", (reason) => record.reasons.push(reason));
    await page.addInitScript(() => {
      document.addEventListener("hyper:version-mismatch", (event) => {
        window.__rolloutMismatch(`${event.detail.reason}:${event.detail.action}`);
      });
    });
    // Documents, not load events: a reload asked for before `load` fires has none.
    page.on("framenavigated", (frame) => {
      if (frame === page.mainFrame()) record.loads += 1;
    });
    page.on("console", (message) => {
      if (message.type() === "error" && /integrity/i.test(message.text())) record.integrityErrors += 1;
    });
    await page.goto(cell.url);
    await settle(page, record);
    const loaded = await state(page);
    let clicked = null;
    if (cell.click && (await page.$("#load-fragment"))) {
      const before = record.loads;
      await page.click("#load-fragment").catch(() => {});
      await Promise.race([
        page.waitForSelector("#fragment-body", { timeout: 5_000 }).catch(() => {}),
        new Promise((r) => {
          const poll = setInterval(() => {
            if (record.loads > before) {
              clearInterval(poll);
              r();
            }
          }, 20);
          setTimeout(() => {
            clearInterval(poll);
            r();
          }, 5_000);
        }),
      ]);
      await settle(page, record);
      clicked = await state(page);
    }
    const final = clicked ?? loaded;
    pages.push({
      loaded: coherent(loaded),
      coherent: coherent(final),
      release: cell.releases[final.version] ?? null,
      reloads: record.loads - 1,
      reasons: record.reasons,
      integrityErrors: record.integrityErrors,
      final,
    });
    await context.close();
  }
} finally {
  await browser.close();
}
const broken = pages.filter((p) => !p.coherent).length;
const reloads = pages.reduce((n, p) => n + p.reloads, 0);
const assetReloads = pages.reduce((n, p) => n + p.reasons.filter((r) => r === "asset:reload").length, 0);
process.stdout.write(JSON.stringify({ broken, reloads, assetReloads, pages }) + "\n");
