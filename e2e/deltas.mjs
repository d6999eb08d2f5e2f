// The browser half of the delta tests (examples/demo/tests/deltas.rs): one headless
// Chromium with one persistent profile, so the dictionaries a page stores stay for the
// next page, as in a returning visitor's browser. The test deploys between loads.
//
//   node e2e/deltas.mjs PROFILE_DIR [SPKI]
//
// With SPKI (the base64 SHA-256 of a certificate's public key, `certificate.mjs`) the
// browser accepts that certificate, for an `https://localhost` origin.
//
// Reads one JSON object a line on stdin, `{ "url": "http://localhost:PORT/" }`, loads
// that page in a new tab with SRI on, waits until it is loaded and quiet and the browser
// had a moment to store dictionaries, and prints one JSON line: what the page runs
// (its version, the release its stylesheet and script say) and every `/static/` response
// with its request's dictionary headers, its Content-Encoding, its protocol (`h2`,
// `http/1.1`) and its bytes on the wire (DevTools `encodedDataLength`). Ends when stdin
// does.
import { createInterface } from "node:readline";
import { launchPersistentContext } from "./support.mjs";

const [profile, spki] = process.argv.slice(2);
if (!profile) throw new Error("usage: node e2e/deltas.mjs PROFILE_DIR [SPKI]");
const context = await launchPersistentContext(profile, { spki });

/**
 * What the page runs: the release its stylesheet and script say, whether they ran, and
 * the protocol the page came over.
 */
async function state(page) {
  return page.evaluate(() => {
    const sheets = [...document.querySelectorAll('link[rel~="stylesheet"]')];
    const sheetLoaded = (link) => {
      try {
        return !!link.sheet && link.sheet.cssRules !== null;
      } catch (_) {
        return false;
      }
    };
    return {
      version: document.querySelector('meta[name="app-version"]')?.content ?? null,
      css: getComputedStyle(document.documentElement).getPropertyValue("--demo-release").trim().replace(/"/g, ""),
      js: window.demoRelease ?? null,
      scriptRan: (document.getElementById("script-status")?.textContent ?? "").startsWith("app.js loaded"),
      sheets: sheets.length > 0 && sheets.every(sheetLoaded),
      protocol: performance.getEntriesByType("navigation")[0]?.nextHopProtocol ?? null,
    };
  });
}

const lowercase = (headers) => Object.fromEntries(Object.entries(headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));

async function load(url) {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  // Per request id: the URL, the headers Chromium really sent (Available-Dictionary is
  // added below the renderer, so only the ExtraInfo event shows it), the response.
  const requests = new Map();
  const entry = (id) => {
    if (!requests.has(id)) requests.set(id, {});
    return requests.get(id);
  };
  cdp.on("Network.requestWillBeSent", (e) => {
    entry(e.requestId).url = e.request.url;
  });
  cdp.on("Network.requestWillBeSentExtraInfo", (e) => {
    entry(e.requestId).sent = lowercase(e.headers);
  });
  cdp.on("Network.responseReceived", (e) => {
    const r = entry(e.requestId);
    r.status = e.response.status;
    r.headers = lowercase(e.response.headers);
    r.fromCache = e.response.fromDiskCache || e.response.fromPrefetchCache || false;
    r.protocol = e.response.protocol;
    // Bytes received when the response started: the status line and the headers.
    r.headerBytes = e.response.encodedDataLength;
  });
  cdp.on("Network.loadingFinished", (e) => {
    const r = entry(e.requestId);
    r.encodedDataLength = e.encodedDataLength;
  });
  cdp.on("Network.loadingFailed", (e) => {
    entry(e.requestId).failed = e.errorText;
  });
  await cdp.send("Network.enable");
  const consoleErrors = [];
  page.on("console", (message) => {
    if (message.type() === "error") consoleErrors.push(message.text());
  });
  await page.goto(url, { waitUntil: "load", timeout: 30_000 });
  await page.waitForLoadState("networkidle", { timeout: 10_000 }).catch(() => {});
  // Chromium stores a dictionary after its response is read; give it a moment before
  // the next deploy (and the next page) needs it.
  await new Promise((r) => setTimeout(r, 1_000));
  const shown = await state(page);
  await cdp.detach().catch(() => {});
  await page.close();
  const resources = [...requests.values()]
    .filter((r) => r.url && new URL(r.url).pathname.startsWith("/static/"))
    .map((r) => ({
      path: new URL(r.url).pathname,
      status: r.status ?? null,
      failed: r.failed ?? null,
      fromCache: r.fromCache ?? false,
      acceptEncoding: r.sent?.["accept-encoding"] ?? null,
      availableDictionary: r.sent?.["available-dictionary"] ?? null,
      contentEncoding: r.headers?.["content-encoding"] ?? null,
      useAsDictionary: r.headers?.["use-as-dictionary"] ?? null,
      vary: r.headers?.["vary"] ?? null,
      server: r.headers?.["server"] ?? null,
      protocol: r.protocol ?? null,
      encodedDataLength: r.encodedDataLength ?? null,
      headerBytes: r.headerBytes ?? null,
      bodyBytes: r.encodedDataLength != null && r.headerBytes != null ? r.encodedDataLength - r.headerBytes : null,
    }));
  const integrityErrors = consoleErrors.filter((text) => /integrity/i.test(text));
  return { url, state: shown, integrityErrors, consoleErrors, resources };
}

try {
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    if (!line.trim()) continue;
    const { url } = JSON.parse(line);
    process.stdout.write(JSON.stringify(await load(url)) + "\n");
  }
} finally {
  await context.close();
}
