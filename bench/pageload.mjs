// Page loads of the demo's import-map page in Chromium with DevTools latency emulation
// (issue 25), run by bench/run.sh:
//
//   node bench/pageload.mjs OUT.json RUNS SPKI TLS_ORIGIN CLEAR_ORIGIN
//
// TLS_ORIGIN is the demo with TLS_CERT/TLS_KEY (Chromium trusts its certificate by the
// SHA-256 of its public key, SPKI, with --ignore-certificate-errors-spki-list), loaded
// over h2 and, in a second browser with --disable-http2, over http/1.1; CLEAR_ORIGIN the
// same demo binary without TLS (http/1.1 in the clear). Every load is a fresh browser
// context (empty cache, no open connection) with Network.emulateNetworkConditions adding
// PAGELOAD_LATENCY_MS (50) to every request, then `/modules` (the entry's import graph
// preloaded with modulepreload links) and `/modules?preload=0` (found by the browser as
// each module is parsed). The time is the navigation's loadEventStart: module scripts hold
// the load event until their whole graph is fetched and run. Each load is checked: the
// modules ran, every module came over the expected protocol. The setups take turns,
// RUNS times; OUT.json gets every load time and what was checked.
import { createRequire } from "node:module";
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
// playwright-core as installed for the end-to-end tests (e2e/node_modules).
const { chromium } = createRequire(join(here, "..", "e2e", "package.json"))("playwright-core");
const [out, runsArg, spki, tlsOrigin, clearOrigin] = process.argv.slice(2);
if (!clearOrigin) throw new Error("usage: node pageload.mjs OUT.json RUNS SPKI TLS_ORIGIN CLEAR_ORIGIN");
const runs = Number(runsArg);
const latency = Number(process.env.PAGELOAD_LATENCY_MS ?? 50);
const executablePath = process.env.CHROMIUM ?? "/usr/bin/chromium";
const common = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  `--ignore-certificate-errors-spki-list=${spki}`,
];
const SETUPS = [
  { name: "h2", label: "HTTP/2 over TLS", origin: tlsOrigin, h2: true, protocol: "h2" },
  { name: "h1-tls", label: "HTTP/1.1 over TLS (--disable-http2)", origin: tlsOrigin, h2: false, protocol: "http/1.1" },
  { name: "h1-clear", label: "HTTP/1.1 in the clear", origin: clearOrigin, h2: true, protocol: "http/1.1" },
];
const PAGES = [
  { name: "preload", path: "/modules" },
  { name: "no-preload", path: "/modules?preload=0" },
];
const MODULE = /\/static\/js\/modules\/[a-z]+\.[0-9a-f]{12}\.js$/;

const browsers = {
  h2: await chromium.launch({ executablePath, headless: true, args: common }),
  h1: await chromium.launch({ executablePath, headless: true, args: [...common, "--disable-http2"] }),
};
const version = browsers.h2.version();

async function load(setup, page) {
  const context = await browsers[setup.h2 ? "h2" : "h1"].newContext();
  try {
    const tab = await context.newPage();
    const cdp = await context.newCDPSession(tab);
    await cdp.send("Network.enable");
    await cdp.send("Network.emulateNetworkConditions", {
      offline: false,
      latency,
      downloadThroughput: -1,
      uploadThroughput: -1,
    });
    const response = await tab.goto(`${setup.origin}${page.path}`, { waitUntil: "load" });
    if (response.status() !== 200) throw new Error(`${setup.name} ${page.path}: ${response.status()}`);
    const seen = await tab.evaluate(() => {
      const navigation = performance.getEntriesByType("navigation")[0];
      return {
        load: navigation.loadEventStart,
        protocol: navigation.nextHopProtocol,
        modules: document.documentElement.dataset.modules ?? null,
        resources: performance
          .getEntriesByType("resource")
          .map((entry) => ({ name: entry.name, protocol: entry.nextHopProtocol, end: entry.responseEnd })),
      };
    });
    // A module the page asks for twice is fetched once: the second entry names no
    // protocol. Every module must have come over the network, over the expected protocol.
    const modules = seen.resources.filter((entry) => MODULE.test(new URL(entry.name).pathname));
    const fetched = new Set(modules.filter((m) => m.protocol === setup.protocol).map((m) => m.name));
    const wrong = [seen, ...modules].filter((entry) => entry.protocol && entry.protocol !== setup.protocol);
    if (seen.modules !== "ran" || fetched.size < 4 || fetched.size !== new Set(modules.map((m) => m.name)).size || wrong.length) {
      throw new Error(`${setup.name} ${page.path}: modules ${seen.modules}, ${fetched.size} fetched, ` +
        `protocols ${[seen.protocol, ...modules.map((m) => m.protocol)].join(",")}`);
    }
    const requests = new Set(seen.resources.filter((entry) => entry.protocol).map((entry) => entry.name)).size + 1;
    return { load: seen.load, requests, modules: fetched.size };
  } finally {
    await context.close();
  }
}

const results = {};
try {
  // One load of each first, not kept: Chromium's own start-up (first context, first TLS
  // library use) is not the page's.
  for (const setup of SETUPS) await load(setup, PAGES[0]);
  for (let run = 0; run < runs; run += 1) {
    for (const setup of SETUPS) {
      for (const page of PAGES) {
        const got = await load(setup, page);
        const cell = (results[`${setup.name} ${page.name}`] ??= {
          setup: setup.name, label: setup.label, page: page.name, path: page.path, loads_ms: [],
          requests: got.requests, modules: got.modules,
        });
        cell.loads_ms.push(Math.round(got.load * 10) / 10);
        process.stderr.write(`bench: page load ${setup.name} ${page.path} ${got.load.toFixed(0)} ms\n`);
      }
    }
  }
} finally {
  await browsers.h2.close();
  await browsers.h1.close();
}
writeFileSync(out, JSON.stringify({ latency_ms: latency, runs, chromium: version, cells: Object.values(results) }, null, 1) + "\n");
