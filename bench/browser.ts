// The browser benchmark from the command line (`npm run bench:browser`): the playground built with
// Vite (into bench/out/web, so the tests' web/dist is left alone), served locally, opened in
// headless Chromium (Debian's /usr/bin/chromium, or DESCENT_CHROMIUM's, through playwright-core;
// never a downloaded browser), and its benchmark view run on one page: descent's backends and TensorFlow.js's wasm
// backend on the same cases (web/bench-core.ts). Prints the numbers and issue #10's Chromium
// target, and saves them (bench/out/chromium.json) for bench/RESULTS.md (bench/markdown.ts).
//
//   npx tsx bench/browser.ts [--runs N] [--save PATH] [--json]
//
// --runs N     run the benchmark N times on the page (default 1) and keep each number's median
// --save PATH  where to write the JSON (default bench/out/chromium.json)
// --json       print the JSON instead of the table
//
// Exits with 1 when the page fails, TensorFlow.js does not load, or a result differs from the js
// backend's.
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { build } from "vite";
import { serveStatic } from "../test/browser/server.ts";
import type { BenchResult } from "../web/bench.ts";
import { fmtRate, fmtRatio, targetsText } from "./report.ts";
import type { BrowserRowResult, BrowserRun } from "./results.ts";
import { quantile } from "./timing.ts";
import { browserTargets } from "./targets.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
/** As test/browser/chromium.ts: Debian's Chromium (or DESCENT_CHROMIUM's), headless, nothing of its own on the network. */
const CHROMIUM = process.env.DESCENT_CHROMIUM ?? "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];
const USAGE = "usage: tsx bench/browser.ts [--runs N] [--save PATH] [--json]";

const args = process.argv.slice(2);
let runs = 1;
let save = path.join(ROOT, "bench/out/chromium.json");
let json = false;
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  const value = (): string => {
    const v = a.includes("=") ? a.slice(a.indexOf("=") + 1) : args[++i];
    if (v === undefined) {
      console.error(`bench:browser: ${a} needs a value\n${USAGE}`);
      process.exit(2);
    }
    return v;
  };
  if (a === "--runs" || a.startsWith("--runs=")) runs = Number(value());
  else if (a === "--save" || a.startsWith("--save=")) save = path.resolve(value());
  else if (a === "--json") json = true;
  else {
    console.error(`bench:browser: unknown argument ${a}\n${USAGE}`);
    process.exit(a === "--help" || a === "-h" ? 0 : 2);
  }
}
if (!(Number.isInteger(runs) && runs >= 1)) {
  console.error(`bench:browser: --runs takes a whole number ≥ 1\n${USAGE}`);
  process.exit(2);
}
if (!existsSync(CHROMIUM)) {
  console.error(
    `bench:browser: needs Chromium at ${CHROMIUM}: install Debian's with \`sudo apt-get install -y chromium\`, or name another ` +
      "Chromium or Chrome executable in DESCENT_CHROMIUM (a browser downloaded by Playwright is not used)",
  );
  process.exit(2);
}
const log = json ? (s: string) => console.error(s) : (s: string) => console.log(s);

const started = performance.now();
const outDir = path.join(ROOT, "bench/out/web");
await build({ configFile: path.join(ROOT, "web/vite.config.ts"), logLevel: "warn", build: { outDir, emptyOutDir: true } });
const server = await serveStatic(outDir);
const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 60_000 });
const problems: string[] = [];
const results: BenchResult[] = [];
let version = "Chromium";
try {
  version = `Chromium ${browser.version()}`;
  // No service worker: its caching on first load would compete with the first run for the CPU.
  const context = await browser.newContext({ serviceWorkers: "block" });
  const page = await context.newPage();
  page.on("console", (m) => {
    // The page says it has no offline support: the service worker was blocked on purpose.
    if (/Service Worker registration blocked|no offline support/.test(m.text())) return;
    if (m.type() === "error" || m.type() === "warning") problems.push(`console.${m.type()}${m.worker() ? " (worker)" : ""}: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`uncaught: ${e.stack || e.message}`));
  page.on("requestfailed", (r) => problems.push(`request failed: ${r.url()} (${r.failure()?.errorText})`));
  await page.goto(`${server.url}#bench`);
  log(`bench:browser: ${version}, ${server.url}#bench, ${runs} run${runs === 1 ? "" : "s"} on one page`);
  for (let i = 0; i < runs; i++) {
    await page.evaluate(() => document.getElementById("bench")?.removeAttribute("data-done"));
    await page.getByRole("button", { name: "Run the benchmark" }).click();
    await page.waitForSelector("#bench[data-done]", { timeout: 300_000 });
    const result = (await page.evaluate(() => (globalThis as unknown as { descentBench?: unknown }).descentBench)) as BenchResult | undefined;
    if (result === undefined) throw new Error("the page finished without leaving its results in globalThis.descentBench");
    results.push(result);
    log(`  run ${i + 1}: ${(await page.locator("#bench-status").textContent()) ?? ""}`);
  }
  await context.close();
} finally {
  await browser.close();
  await server.close();
}

// Every number: its median over the runs.
const last = results[results.length - 1];
const median = (values: readonly (number | undefined)[]): number | undefined => {
  const v = values.filter((x): x is number => x !== undefined && Number.isFinite(x)).sort((a, b) => a - b);
  return v.length === 0 ? undefined : quantile(v, 0.5);
};
const rows: BrowserRowResult[] = last.rows.map((row) => ({
  kernel: row.kernel,
  shape: row.shape,
  elements: row.elements,
  melems: Object.fromEntries(last.contenders.map((c) => [c, median(results.map((r) => r.rows.find((x) => x.kernel === row.kernel)?.melems[c]))])),
  iqr: Object.fromEntries(last.contenders.map((c) => [c, results[0].rows.find((x) => x.kernel === row.kernel)?.iqr[c]])),
}));
const descent = last.backends[0];
const targets = browserTargets(rows, descent);
const record: BrowserRun = {
  type: "browser",
  date: new Date().toISOString(),
  browser: version,
  userAgent: last.userAgent,
  machine: { os: `${os.type()} ${os.release()} ${os.arch()}`, cpu: `${os.cpus()[0]?.model ?? "unknown"} (${os.cpus().length} logical cores)` },
  descent,
  contenders: last.contenders,
  tfjs: "error" in last.tfjs ? undefined : last.tfjs,
  runs,
  seconds: (performance.now() - started) / 1000,
  rows,
  targets,
};
mkdirSync(path.dirname(save), { recursive: true });
writeFileSync(save, `${JSON.stringify(record, null, 1)}\n`);

if (json) console.log(JSON.stringify(record));
else {
  const cols = last.contenders;
  log(`\ndescent = ${descent}, the default backend in this browser; Melem/s at ${rows[0]?.elements.toLocaleString("en-US") ?? "?"} elements (median over ${runs} run${runs === 1 ? "" : "s"})`);
  log(`${"kernel".padEnd(10)}${cols.map((c) => c.padStart(14)).join("")}${"d/tfjs-wasm".padStart(14)}`);
  for (const r of rows) {
    const d = r.melems[descent];
    const tf = r.melems["tfjs-wasm"];
    log(`${r.kernel.padEnd(10)}${cols.map((c) => fmtRate(r.melems[c]).padStart(14)).join("")}${(d !== undefined && tf !== undefined ? fmtRatio(d / tf) : "–").padStart(14)}`);
  }
  log(`\n${targetsText(targets, true, descent)}`);
}
log(`bench:browser: saved ${path.relative(ROOT, save)} (${record.seconds.toFixed(0)} s)`);

const off = last.rows.flatMap((r) => Object.entries(r.disagreements).map(([name, d]) => `${r.kernel} on ${name} (${d?.toExponential(1)})`));
if ("error" in last.tfjs) problems.push(`TensorFlow.js did not load: ${last.tfjs.error}`);
if (off.length > 0) problems.push(`results that differ from the js backend's: ${off.join(", ")}`);
if (problems.length > 0) {
  console.error(`bench:browser: ${problems.join("\n  ")}`);
  process.exitCode = 1;
}
