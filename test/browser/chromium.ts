// Chromium for the browser tests: Debian's package (/usr/bin/chromium, which .ci/run installs with
// apt), driven by playwright-core; never a downloaded browser. Pages are visited with every error
// they could report collected: console errors and warnings (the worker's included), uncaught
// exceptions, failed requests and HTTP errors.
import { existsSync } from "node:fs";
import { chromium, type Browser, type ConsoleMessage, type Page, type Response } from "playwright-core";
import { expect } from "vitest";
import { createRuntime, type Backend, type Runtime } from "../../src/index.ts";
import { hasRelaxedSimd } from "../../src/wasm.ts";

/** The Chromium the browser tests drive: Debian's, or the executable named by DESCENT_CHROMIUM. */
export const CHROMIUM = process.env.DESCENT_CHROMIUM ?? "/usr/bin/chromium";

export const CHROMIUM_ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

/** Launches Chromium (with a fresh temporary profile), or fails saying how to install it. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `the browser tests need Chromium at ${CHROMIUM}, which is missing: install Debian's with ` +
        "`sudo apt-get install -y chromium` (.ci/run does this), or name another Chromium or Chrome executable in " +
        "DESCENT_CHROMIUM; a browser downloaded by Playwright is not used",
    );
  }
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 60_000 });
}

/**
 * Chromium for a test file, launched once: a promise every test awaits (through withPage), so
 * that when the browser cannot start each test fails with the reason instead of being skipped.
 */
export function sharedChromium(): { browser: Promise<Browser>; close(): Promise<void> } {
  const browser = launchChromium();
  browser.catch(() => {}); // reported by the tests that await it
  return { browser, close: async () => (await browser.catch(() => undefined))?.close() };
}

export interface Visit {
  page: Page;
  /** The response to the page's own request (its headers: the CSP, say). */
  response: Response | null;
  /** Everything the page reported as going wrong, one line each. */
  problems: string[];
  /** The console's messages, in order. */
  messages: ConsoleMessage[];
}

/**
 * Opens `url` in a new browser context (a fresh profile: no cache, no storage), after an optional
 * script that runs before the page's own (to take WebAssembly away, say), runs `check` on it and
 * closes the context again, whatever happens.
 */
export async function withPage<T>(
  browser: Browser | Promise<Browser>, url: string, check: (visit: Visit) => Promise<T>, options: { initScript?: string } = {},
): Promise<T> {
  const context = await (await browser).newContext();
  try {
    const page = await context.newPage();
    const problems: string[] = [];
    const messages: ConsoleMessage[] = [];
    page.on("console", (m) => {
      messages.push(m);
      if (m.type() === "error" || m.type() === "warning") {
        problems.push(`console.${m.type()}${m.worker() ? " (worker)" : ""}: ${m.text()} at ${m.location().url}`);
      }
    });
    page.on("pageerror", (e) => problems.push(`uncaught: ${e.stack || `${e.name}: ${e.message}`}`));
    page.on("requestfailed", (r) => problems.push(`request failed: ${r.url()} (${r.failure()?.errorText})`));
    page.on("response", (r) => {
      if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
    });
    if (options.initScript !== undefined) await page.addInitScript(options.initScript);
    const response = await page.goto(url, { waitUntil: "load" });
    return await check({ page, response, problems, messages });
  } finally {
    await context.close();
  }
}

/** What test/browser/check.js reports. */
export interface Ops { sigmoid: number[]; softmax: number[]; relu: number[] }
export interface Report {
  input: number[];
  backend: string;
  best: string;
  wasm: Ops;
  plain: Ops;
  js: Ops;
  tanh: number[];
  jsTanh: number[];
  liveTensors: number;
  csvRows: number;
  predicted: number[];
  inWorker?: boolean;
}
type Outcome = { ok: true; result: Report } | { ok: false; error: string };

/** Awaits a promise the page keeps in a global (descentResult, …) and returns its report. */
export async function reportOf(page: Page, global = "descentResult"): Promise<Report> {
  const outcome = (await page.evaluate((name) => (globalThis as Record<string, unknown>)[name], global)) as Outcome | undefined;
  expect(outcome, `the page set no ${global}`).toBeDefined();
  if (!outcome!.ok) throw new Error(`descent failed in the browser: ${outcome!.error}`);
  return outcome!.result;
}

/** a and b agree to `rel` relative (exactly where b is 0). */
export function expectClose(a: readonly number[], b: readonly number[], rel = 1e-6, what = "values"): void {
  expect(a.length, `${what}: length`).toBe(b.length);
  a.forEach((v, i) => {
    expect(Math.abs(v - b[i]), `${what}[${i}]: ${v} vs ${b[i]}`).toBeLessThanOrEqual(rel * Math.abs(b[i]));
  });
}

const runtimes = new Map<Backend, Promise<Runtime>>();

/** sigmoid, softmax (rows of 4) and relu of `input`, computed in Node (from src/) on `backend`. */
export async function nodeOps(backend: Backend, input: readonly number[]): Promise<Ops> {
  if (!runtimes.has(backend)) runtimes.set(backend, createRuntime({ backend }));
  const rt = await runtimes.get(backend)!;
  const x = new Float32Array(input);
  return {
    sigmoid: Array.from(rt.activations.sigmoid.forward(x)),
    softmax: Array.from(rt.activations.softmax.forward(x, { cols: 4 })),
    relu: Array.from(rt.activations.relu.forward(x)),
  };
}

/**
 * The checks every loading path must pass: the expected backend, the plain functions on it,
 * activations equal to the js backend's (the browser's and Node's) to 1e-6 relative and to
 * Node's WASM bit for bit, tensors freed, the CSV parser and a model working.
 */
export async function expectReport(report: Report, backend: Backend): Promise<void> {
  // The bits to expect: Node's own run of the same build. wasm is bit-identical to wasm-simd; the
  // relaxed build's fused multiply-adds are compared where this Node runs that build too.
  const sameBuild: Backend | undefined = backend === "wasm-relaxed" ? (hasRelaxedSimd() ? "wasm-relaxed" : undefined) : "wasm-simd";
  const [nodeJs, nodeWasm] = await Promise.all([nodeOps("js", report.input), sameBuild && nodeOps(sameBuild, report.input)]);
  expect(report.backend).toBe(backend);
  expect(report.best).toBe(backend);
  for (const op of ["sigmoid", "softmax", "relu"] as const) {
    expectClose(report.wasm[op], report.js[op], 1e-6, `${backend} ${op} vs the browser's js backend`);
    expectClose(report.wasm[op], nodeJs[op], 1e-6, `${backend} ${op} vs Node's js backend`);
    expect(report.plain[op], `the plain ${op} runs on the default runtime`).toEqual(report.wasm[op]);
    // The same WASM computes the same bits in Chromium as in Node (and wasm as wasm-simd).
    if (backend !== "js" && nodeWasm !== undefined) expect(report.wasm[op], `${op}: the WASM agrees bit for bit with Node's`).toEqual(nodeWasm[op]);
  }
  expectClose(report.tanh, report.jsTanh, 1e-6, "tanh on a tensor");
  expect(report.liveTensors).toBe(0);
  expect(report.csvRows).toBe(6);
  expectClose(report.predicted, [16], 1e-4, "LinearRegression's prediction");
}
