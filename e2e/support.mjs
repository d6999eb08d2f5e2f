// Shared helpers of the end-to-end tests: start the demo binary on a free loopback port,
// over cleartext HTTP/1.1 or over HTTPS (HTTP/2 by ALPN), launch Debian's Chromium
// through playwright-core, bust the version.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { createHmac } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { request as httpsRequest } from "node:https";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before } from "node:test";
import { chromium } from "playwright-core";
import { caPem, certificate } from "./certificate.mjs";

const here = dirname(fileURLToPath(import.meta.url));
export const root = resolve(here, "..");
export const demoBinary = process.env.DEMO_BIN ?? join(root, "target/debug/demo");
export const chromiumPath = process.env.CHROMIUM ?? "/usr/bin/chromium";
export const screenshots = join(root, "target/e2e-screenshots");
export const SECRET = "e2e-secret";

/** The htmx file of one npm package line (`htmx2` or `htmx4`). */
export function htmxFile(line) {
  return join(here, "node_modules", line, "dist", "htmx.min.js");
}

/** Fails loudly when something the tests need is missing: they never skip. */
export function requireTools() {
  const missing = [];
  if (!existsSync(demoBinary)) missing.push(`the demo binary at ${demoBinary} (run: cargo build -p demo)`);
  if (!existsSync(chromiumPath)) missing.push(`Chromium at ${chromiumPath} (Debian packages chromium, chromium-driver)`);
  for (const line of ["htmx2", "htmx4"]) {
    if (!existsSync(htmxFile(line))) missing.push(`${line} (run: npm ci in e2e/)`);
  }
  if (spawnSync("openssl", ["version"]).error) missing.push("openssl, for the HTTPS tests' certificate (Debian package openssl)");
  if (missing.length) throw new Error(`end-to-end tests cannot run; missing: ${missing.join("; ")}`);
}

/**
 * The ways the tests reach the demo. Each browser test runs over each: cleartext
 * HTTP/1.1 on 127.0.0.1, and HTTPS on `localhost` with the demo's own TLS (`TLS_CERT`,
 * `TLS_KEY`, a throwaway certificate) where Chromium picks HTTP/2 by ALPN. `protocol` is
 * what the page's Resource Timing entries must say (`nextHopProtocol`).
 */
export const transports = [
  { name: "HTTP/1.1", id: "http1", tls: false, host: "127.0.0.1", protocol: "http/1.1" },
  { name: "HTTPS and HTTP/2", id: "h2", tls: true, host: "localhost", protocol: "h2" },
];
export const cleartext = transports[0];

/**
 * `url` from node, through the throwaway CA for `https:` (node's `fetch` cannot be given a
 * CA). Resolves to { status, headers (an object, lowercase names), text(), json() }.
 */
export async function request(url, { method = "GET", headers = {} } = {}) {
  const answer = (status, headers, body) => ({ status, headers, text: () => body, json: () => JSON.parse(body) });
  if (!url.startsWith("https:")) {
    const response = await fetch(url, { method, headers });
    return answer(response.status, Object.fromEntries(response.headers), await response.text());
  }
  return new Promise((resolveRequest, reject) => {
    const outgoing = httpsRequest(url, { method, headers, ca: caPem() }, (response) => {
      const chunks = [];
      response.on("data", (chunk) => chunks.push(chunk));
      response.on("error", reject);
      response.on("end", () => {
        const fields = Object.entries(response.headers).map(([name, value]) => [name, [value].flat().join(", ")]);
        resolveRequest(answer(response.statusCode, Object.fromEntries(fields), Buffer.concat(chunks).toString()));
      });
    });
    outgoing.on("error", reject);
    outgoing.end();
  });
}

/**
 * What `route.fetch()` gives a test that edits a response on its way to the page, but
 * sent from node through `request`: Playwright's own fetch cannot be given the throwaway
 * CA, and trusting every certificate there would hide a wrong one. It asks for the body
 * as it is (no Accept-Encoding), so the body and the headers handed to `route.fulfill`
 * agree. Returns what `route.fulfill` takes: { status, headers, body }.
 */
export async function fetchRoute(route) {
  const sent = route.request();
  const hopByHop = /^(:|accept-encoding$|connection$|host$|content-length$)/;
  const headers = Object.fromEntries(Object.entries(await sent.allHeaders()).filter(([name]) => !hopByHop.test(name)));
  const response = await request(sent.url(), { method: sent.method(), headers });
  const received = Object.fromEntries(
    Object.entries(response.headers).filter(([name]) => !/^(content-length|transfer-encoding|connection)$/.test(name)),
  );
  return { status: response.status, headers: received, body: response.text() };
}

function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

async function waitForHttp(url, child, output) {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the demo exited (${child.exitCode}):\n${output.join("")}`);
    try {
      await request(url);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`the demo never answered at ${url}:\n${output.join("")}`);
}

/**
 * Starts the demo with `env` on a free port over `transport`, with its config component
 * in a scratch file. Returns { url, transport, output, writeConfig, request, stop }.
 */
export async function startDemo(env = {}, transport = cleartext) {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "hyper-assets-e2e-"));
  const configFile = join(dir, "site.json");
  writeFileSync(configFile, '{"round": 0}');
  const output = [];
  const child = spawn(demoBinary, [], {
    env: {
      PATH: process.env.PATH,
      ADDR: `127.0.0.1:${port}`,
      SECRET_KEY: SECRET,
      DEMO_CONFIG: configFile,
      // The debug demo would default to dev mode; these tests are about production.
      STATIC_DEV_MODE: "false",
      ...(transport.tls ? { TLS_CERT: certificate().cert, TLS_KEY: certificate().key } : {}),
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout.on("data", (chunk) => output.push(chunk.toString()));
  child.stderr.on("data", (chunk) => output.push(chunk.toString()));
  const url = `${transport.tls ? "https" : "http"}://${transport.host}:${port}`;
  await waitForHttp(`${url}/version`, child, output);
  let round = 0;
  return {
    url,
    transport,
    output,
    /** `path` of this demo, from node (see `request`). */
    request: (path, init) => request(`${url}${path}`, init),
    writeConfig() {
      round += 1;
      writeFileSync(configFile, JSON.stringify({ round }));
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGKILL");
        await exited;
      }
    },
  };
}

/** The bearer token for POST /cache/bust, as deploy scripts compute it. */
export function bustToken(secret = SECRET) {
  return createHmac("sha256", secret).update("cache-bust").digest("hex").slice(0, 32);
}

/** Changes the config component and busts: the app version moves. Returns the new one. */
export async function changeVersion(demo) {
  demo.writeConfig();
  const response = await demo.request("/cache/bust", {
    method: "POST",
    headers: { Authorization: `Bearer ${bustToken()}` },
  });
  if (response.status !== 200) throw new Error(`bust failed: ${response.status} ${await response.text()}`);
  const body = await response.json();
  if (body.version === body.previous) throw new Error("the bust did not change the version");
  return body.version;
}

/**
 * Chromium's flags. With `spki` (the base64 SHA-256 of a certificate's public key) it
 * accepts that certificate, and only that one, though no CA it knows signed it: the
 * browser stays as strict as a visitor's otherwise (no `ignoreHTTPSErrors`).
 */
function chromiumArgs(spki) {
  return [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    ...(spki ? [`--ignore-certificate-errors-spki-list=${spki}`] : []),
  ];
}

/** A headless Chromium that trusts this process's throwaway certificate. */
export async function launchBrowser() {
  return chromium.launch({ executablePath: chromiumPath, headless: true, args: chromiumArgs(certificate().spki) });
}

/**
 * One browser context on a profile folder that outlives its pages: what it stores (HTTP
 * cache, compression dictionaries) stays for the next page, as in a returning visitor's
 * browser. A `browser.newContext()` keeps those in memory, for itself only.
 */
export async function launchPersistentContext(profile, { spki } = {}) {
  return chromium.launchPersistentContext(profile, { executablePath: chromiumPath, headless: true, args: chromiumArgs(spki) });
}

/**
 * The page, and every resource it fetched from its own origin, came over `transport`'s
 * protocol (Resource Timing's `nextHopProtocol`: `h2` over HTTPS, `http/1.1` in
 * cleartext). `except` leaves out resources whose URL it matches (a test's fulfilled
 * routes never reached the network). Returns how many resources it checked.
 */
export async function assertProtocol(page, transport, { except = null } = {}) {
  const seen = await page.evaluate(() => ({
    origin: location.origin,
    navigation: performance.getEntriesByType("navigation")[0]?.nextHopProtocol ?? null,
    resources: performance
      .getEntriesByType("resource")
      .map((e) => ({ url: e.name, protocol: e.nextHopProtocol, transferSize: e.transferSize })),
  }));
  assert.equal(seen.navigation, transport.protocol, `the page came over ${transport.protocol}`);
  // Chromium gives no protocol for a file from its cache: a second use from the memory
  // cache (nothing transferred) or a cached file it revalidated (Resource Timing counts a
  // response's headers as 300 bytes: a 304 is 300, a body more).
  const fromCache = (r) => r.protocol === "" && r.transferSize <= 300;
  const ours = seen.resources.filter((r) => new URL(r.url).origin === seen.origin && !fromCache(r) && !except?.test(r.url));
  for (const resource of ours) {
    assert.equal(resource.protocol, transport.protocol, `${resource.url}: ${JSON.stringify(seen.resources)}`);
  }
  return ours.length;
}

/**
 * One browser for the test file: launched before its tests, closed after. Returns a
 * function that gives it.
 */
export function sharedBrowser() {
  let browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });
  return () => browser;
}

/**
 * A page that counts its loads, records every navigation its scripts ask for, and
 * collects console warnings, errors and CSP violations.
 *
 * `navigations` comes from the DevTools protocol's `Page.frameRequestedNavigation`,
 * which Chromium sends while the script that calls `location.reload()` is still running.
 * `flush()` is a round trip on the same session: once it returns, every navigation a
 * script asked for before it is in `navigations`. So "no reload" is checked after the
 * event that would have caused one, not after a sleep.
 */
export async function openPage(browser) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const record = { loads: 0, warnings: [], errors: [], violations: [], navigations: [] };
  const cdp = await context.newCDPSession(page);
  await cdp.send("Page.enable");
  cdp.on("Page.frameRequestedNavigation", (event) => record.navigations.push(event.reason));
  const flush = () => cdp.send("Runtime.evaluate", { expression: "0" });
  page.on("load", () => {
    record.loads += 1;
  });
  page.on("console", (message) => {
    if (message.type() === "warning") record.warnings.push(message.text());
    if (message.type() === "error") record.errors.push(message.text());
  });
  await page.exposeFunction("__reportViolation", (directive) => record.violations.push(directive));
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      window.__reportViolation(event.effectiveDirective || event.violatedDirective);
    });
  });
  return { page, record, flush, close: () => context.close() };
}

export function screenshotPath(name) {
  mkdirSync(screenshots, { recursive: true });
  return join(screenshots, name);
}
