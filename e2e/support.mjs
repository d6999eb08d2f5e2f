// Shared helpers of the end-to-end tests: start the demo binary on a free loopback port,
// launch Debian's Chromium through playwright-core, bust the version.
import { spawn } from "node:child_process";
import { createHmac } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before } from "node:test";
import { chromium } from "playwright-core";

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
  if (missing.length) throw new Error(`end-to-end tests cannot run; missing: ${missing.join("; ")}`);
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
      await fetch(url);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`the demo never answered at ${url}:\n${output.join("")}`);
}

/**
 * Starts the demo with `env` on a free port, with its config component in a scratch
 * file. Returns { url, configFile, writeConfig, stop }.
 */
export async function startDemo(env = {}) {
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
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout.on("data", (chunk) => output.push(chunk.toString()));
  child.stderr.on("data", (chunk) => output.push(chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/version`, child, output);
  let round = 0;
  return {
    url,
    output,
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
  const response = await fetch(`${demo.url}/cache/bust`, {
    method: "POST",
    headers: { Authorization: `Bearer ${bustToken()}` },
  });
  if (response.status !== 200) throw new Error(`bust failed: ${response.status} ${await response.text()}`);
  const body = await response.json();
  if (body.version === body.previous) throw new Error("the bust did not change the version");
  return body.version;
}

const chromiumArgs = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export async function launchBrowser() {
  return chromium.launch({ executablePath: chromiumPath, headless: true, args: chromiumArgs });
}

/**
 * One browser context on a profile folder that outlives its pages: what it stores (HTTP
 * cache, compression dictionaries) stays for the next page, as in a returning visitor's
 * browser. A `browser.newContext()` keeps those in memory, for itself only.
 */
export async function launchPersistentContext(profile) {
  return chromium.launchPersistentContext(profile, { executablePath: chromiumPath, headless: true, args: chromiumArgs });
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
