// The playground (web/) in a real Chromium: built with Vite once, served as the static site it
// is (by a server that sends no isolation headers: the site's service worker adds them), then
// driven by clicks and keys as a user would. Screenshots go to test-results/ (gitignored).
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { build } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "./browser/chromium.ts";
import { serveStatic, type StaticServer } from "./browser/server.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const ARTIFACTS = join(ROOT, "test-results");

let server: StaticServer;
let browser: Browser;

beforeAll(async () => {
  await build({ configFile: join(ROOT, "web/vite.config.ts"), logLevel: "warn" });
  server = await serveStatic(join(ROOT, "web/dist"));
  browser = await launchChromium();
  mkdirSync(ARTIFACTS, { recursive: true });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/**
 * A fresh page (new context: no cache, no service worker) with everything it reports as going
 * wrong collected, as test/browser/chromium.ts's withPage does: console errors and warnings (the
 * workers' included), uncaught exceptions, failed requests, HTTP errors. Returned once the page
 * is cross-origin isolated, as a visitor gets it: its service worker installs and the page
 * reloads once, a second or so after the first load.
 */
async function open(hash = "", viewport = { width: 1280, height: 900 }): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") errors.push(`console.${m.type()}${m.worker() ? " (worker)" : ""}: ${m.text()}`);
  });
  page.on("pageerror", (e) => errors.push(`uncaught: ${e.stack || e.message}`));
  page.on("requestfailed", (r) => errors.push(`request failed: ${r.url()} (${r.failure()?.errorText})`));
  page.on("response", (r) => {
    if (r.status() >= 400) errors.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  await page.goto(server.url + hash);
  await page.waitForFunction(() => crossOriginIsolated, null, { timeout: 30_000 });
  return { context, page, errors };
}

/** Waits until the element's text matches. */
async function waitForText(page: Page, selector: string, pattern: RegExp, timeout = 30_000): Promise<void> {
  await page.waitForFunction(
    ([sel, source, flags]) => new RegExp(source, flags).test(document.querySelector(sel)?.textContent ?? ""),
    [selector, pattern.source, pattern.flags] as const, { timeout },
  );
}

const epochOf = (page: Page): Promise<number> => page.locator("#stat-epoch").evaluate((e) => Number((e as HTMLElement).dataset.value));

describe("playground", () => {
  it("the built site, served without isolation headers, becomes cross-origin isolated through its service worker (one reload) and trains on every core", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") errors.push(`console.${m.type()}${m.worker() ? " (worker)" : ""}: ${m.text()}`);
    });
    page.on("pageerror", (e) => errors.push(`uncaught: ${e.stack || e.message}`));
    let loads = 0;
    page.on("load", () => void loads++);
    try {
      const response = await page.goto(server.url);
      expect(response?.headers()["cross-origin-embedder-policy"]).toBeUndefined();
      // First load: not isolated, and the page says so, and that it will reload.
      expect(await page.evaluate(() => crossOriginIsolated)).toBe(false);
      expect(await page.locator("#threads-note").textContent()).toMatch(/^This page is not cross-origin isolated, so training runs on one thread: .*the page reloads once, when it is ready\.$/);
      expect(await page.locator("#stat-backend").textContent()).toBe("wasm-relaxed · 1 thread");
      await page.waitForFunction(() => crossOriginIsolated, null, { timeout: 30_000 });
      expect(loads).toBe(2);
      const cores = await page.evaluate(() => navigator.hardwareConcurrency);
      console.log(`playground: isolated after one reload; navigator.hardwareConcurrency ${cores}`);
      expect(await page.locator("#threads-note").isHidden()).toBe(true);
      expect(await page.locator("#threads").isEnabled()).toBe(true);
      expect(await page.locator("#threads option").first().textContent()).toBe(`auto (${cores})`);
      expect(await page.locator("#stat-backend").textContent()).toBe(`wasm-relaxed · ${cores} threads`);

      // A network large enough that its batches are split over the threads.
      await page.getByRole("button", { name: "Circles" }).click();
      await page.getByLabel("Units").fill("128");
      await page.getByLabel("Batch size").fill("128");
      await page.getByLabel("Epochs").fill("5");
      await page.getByRole("button", { name: "Train" }).click();
      await waitForText(page, "#status", /Done/);
      expect(await page.locator("#stat-backend").textContent()).toBe(`wasm-relaxed · ${cores} threads`);
      expect(await page.locator("#stat-backend").getAttribute("data-threads")).toBe(String(cores));
      // One thread when chosen, and on a backend without threads.
      await page.locator("#threads").selectOption("1");
      await page.getByRole("button", { name: "Train" }).click();
      await waitForText(page, "#status", /Done/);
      expect(await page.locator("#stat-backend").getAttribute("data-threads")).toBe("1");
      await page.locator("#threads").selectOption("auto");
      await page.locator("#backend").selectOption("wasm");
      expect(await page.locator("#stat-backend").textContent()).toBe("wasm · 1 thread");
      expect(loads).toBe(2);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it("a visitor who has started before the service worker is ready is not reloaded: the page says a reload gives threads", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    let loads = 0;
    page.on("load", () => void loads++);
    try {
      await page.goto(server.url);
      // A point placed at once, long before the worker has cached the build.
      await page.locator("#canvas").click({ position: { x: 40, y: 40 } });
      await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 30_000 });
      await waitForText(page, "#threads-note", /^Reload the page to train on up to \d+ threads: its service worker now makes it cross-origin isolated\.$/, 5_000);
      await page.waitForTimeout(300);
      expect(loads).toBe(1);
      expect(await page.evaluate(() => crossOriginIsolated)).toBe(false);
      await page.reload();
      expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    } finally {
      await context.close();
    }
  });

  it("where the page cannot be isolated (a browser without service workers), it says why once, in the page, and trains on one thread", async () => {
    const context = await browser.newContext();
    // A browser without service workers (as some private windows are).
    await context.addInitScript("delete Navigator.prototype.serviceWorker;");
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") errors.push(`console.${m.type()}${m.worker() ? " (worker)" : ""}: ${m.text()}`);
    });
    page.on("pageerror", (e) => errors.push(`uncaught: ${e.stack || e.message}`));
    try {
      await page.goto(server.url);
      await page.waitForLoadState("load");
      await waitForText(page, "#threads-note", /not cross-origin isolated, so training runs on one thread: .*Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp\.$/);
      expect(await page.locator("#threads").isDisabled()).toBe(true);
      await page.getByRole("button", { name: "XOR" }).click();
      for (let run = 0; run < 2; run++) {
        await page.getByRole("button", { name: "Train" }).click();
        await waitForText(page, "#status", /Done/);
        expect(await page.locator("#stat-backend").textContent()).toBe("wasm-relaxed · 1 thread");
        expect(await page.locator("#stat-backend").getAttribute("data-threads")).toBe("1");
      }
      expect(await page.locator("#threads-note").count()).toBe(1);
      expect(await page.evaluate(() => crossOriginIsolated)).toBe(false);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it("trains the XOR preset to high accuracy through clicks, draws both regions, and takes points from the keyboard", async () => {
    const { context, page, errors } = await open();
    await page.getByRole("button", { name: "XOR" }).click();
    await page.locator("#model-kind").selectOption("sequential");
    await page.getByLabel("Units").fill("8");
    await page.getByLabel("Activation").fill("tanh");
    await page.getByRole("button", { name: "Train" }).click();
    await page.waitForFunction(() => Number(document.getElementById("stat-accuracy")?.dataset.value) >= 0.9, null, { timeout: 30_000 });
    await waitForText(page, "#status", /Done/);
    // Training asked for threads: "auto", one per core (headless Chromium reports the machine's).
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    expect(await page.locator("#stat-backend").textContent()).toBe(`wasm-relaxed · ${cores} thread${cores === 1 ? "" : "s"}`);
    const accuracy = Number(await page.locator("#stat-accuracy").getAttribute("data-value"));
    expect(accuracy).toBeGreaterThanOrEqual(0.9);
    expect(await page.locator("#stat-speed").textContent()).toMatch(/\d/);

    // The canvas: colours covering at least 2 % of it each (the two regions, not just the points).
    const colours = await page.locator("#canvas").evaluate((c) => {
      const canvas = c as HTMLCanvasElement;
      const { data } = (canvas.getContext("2d") as CanvasRenderingContext2D).getImageData(0, 0, canvas.width, canvas.height);
      const counts = new Map<number, number>();
      for (let i = 0; i < data.length; i += 4) {
        const key = ((data[i] >> 4) << 8) | ((data[i + 1] >> 4) << 4) | (data[i + 2] >> 4);
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      const pixels = data.length / 4;
      return { distinct: counts.size, large: [...counts.values()].filter((n) => n > 0.02 * pixels).length };
    });
    expect(colours.large).toBeGreaterThanOrEqual(2);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(ARTIFACTS, "playground-xor.png") });

    // Keyboard: the canvas takes focus, arrows move the cursor, "2" adds a point of class 2.
    await page.locator("#canvas").focus();
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("ArrowUp");
    await page.keyboard.press("2");
    await waitForText(page, "#points-summary", /201 points/, 5_000);
    await page.keyboard.press("Backspace");
    await waitForText(page, "#points-summary", /^Removed .* 200 points/, 5_000);

    // Phone-sized: nothing wider than the screen.
    await page.setViewportSize({ width: 375, height: 812 });
    await page.waitForTimeout(200);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(375);
    await page.screenshot({ path: join(ARTIFACTS, "playground-phone.png"), fullPage: true });
    expect(errors).toEqual([]);
    await context.close();
  });

  it("trains a large model in a worker: the page's timers stay on time, and Cancel stops it", async () => {
    const { context, page, errors } = await open();
    await page.getByRole("button", { name: "Circles" }).click();
    await page.getByLabel("Units").fill("256");
    await page.getByLabel("Activation").fill("relu");
    await page.getByRole("button", { name: "Add a hidden layer" }).click();
    await page.getByLabel("Units").nth(1).fill("256");
    await page.getByLabel("Activation").nth(1).fill("tanh");
    await page.getByLabel("Epochs").fill("100000");
    await page.getByRole("button", { name: "Train" }).click();
    await page.waitForFunction(() => Number(document.getElementById("stat-epoch")?.dataset.value) >= 5, null, { timeout: 30_000 });

    // A 10 ms interval for 1.5 s while it trains: the largest gap between its callbacks.
    const before = await epochOf(page);
    const timer = await page.evaluate(() => new Promise<{ maxGap: number; ticks: number }>((resolve) => {
      let last = performance.now();
      let maxGap = 0;
      let ticks = 0;
      const id = setInterval(() => {
        const now = performance.now();
        maxGap = Math.max(maxGap, now - last);
        last = now;
        ticks++;
      }, 10);
      setTimeout(() => {
        clearInterval(id);
        resolve({ maxGap, ticks });
      }, 1500);
    }));
    const during = await epochOf(page);
    console.log(`playground: large model (2 → 256 relu → 256 tanh → 2 softmax): epochs ${before} → ${during} in 1.5 s; `
      + `10 ms timer: ${timer.ticks} ticks, largest gap ${timer.maxGap.toFixed(1)} ms`);
    expect(during).toBeGreaterThan(before);
    expect(timer.maxGap).toBeLessThan(100);
    expect(timer.ticks).toBeGreaterThan(80);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(ARTIFACTS, "playground-training.png") });

    await page.getByRole("button", { name: "Cancel" }).click();
    await waitForText(page, "#status", /Cancelled/, 5_000);
    const stopped = await epochOf(page);
    await page.waitForTimeout(700);
    expect(await epochOf(page)).toBe(stopped);
    expect(stopped).toBeLessThan(100000);
    expect(await page.getByRole("button", { name: "Train" }).isEnabled()).toBe(true);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("runs the benchmark view: wasm-relaxed, wasm-simd, wasm, js and TensorFlow.js wasm numbers for every kernel", async () => {
    const { context, page, errors } = await open("#bench", { width: 1100, height: 900 });
    await page.getByRole("button", { name: "Run the benchmark" }).click();
    await page.waitForSelector("#bench[data-done]", { timeout: 90_000 });
    const columns = ["wasm-relaxed", "wasm-simd", "wasm", "js", "tfjs-wasm"] as const;
    const rows = await page.locator("#bench-table tbody tr").evaluateAll((trs) => trs.map((tr) => ({
      kernel: tr.querySelector("th")?.textContent ?? "",
      ...Object.fromEntries(Array.from(tr.querySelectorAll("td[data-backend]")).map((td) => [(td as HTMLElement).dataset.backend, Number((td as HTMLElement).dataset.value)])),
      ratio: tr.querySelector("td[data-ratio]")?.textContent ?? "",
    })) as ({ kernel: string; ratio: string } & Record<(typeof columns)[number], number>)[]);
    expect(rows.map((r) => r.kernel)).toEqual(["sigmoid", "tanh", "relu", "elu", "softplus", "softmax", "mse", "matmul"]);
    for (const r of rows) {
      for (const b of columns) expect(r[b], `${r.kernel} on ${b}`).toBeGreaterThan(0);
      expect(r.ratio, `${r.kernel}: descent over tfjs-wasm`).toMatch(/^\d+(\.\d+)?×$/);
    }
    // What `npm run bench:browser` reads: the same numbers, TensorFlow.js's version and binary, no disagreement with the js backend.
    const result = await page.evaluate(() => (globalThis as unknown as { descentBench?: unknown }).descentBench) as
      { contenders: string[]; tfjs: { version?: string; wasmBinary?: string; error?: string }; rows: { disagreements: object }[] };
    expect(result.contenders).toEqual([...columns]);
    expect(result.tfjs).toMatchObject({ version: "4.22.0", wasmBinary: "tfjs-backend-wasm-simd.wasm" });
    for (const r of result.rows) expect(r.disagreements).toEqual({});
    expect(await page.locator("#bench-chart rect").count()).toBeGreaterThanOrEqual(8 * 5 + 5);
    console.log(`playground: benchmark in ${await page.locator("#bench-status").textContent()}\n`
      + rows.map((r) => `  ${r.kernel.padEnd(9)}${columns.map((b) => `${b} ${r[b].toFixed(1).padStart(8)}`).join("  ")}  best/tfjs-wasm ${r.ratio}`).join("\n"));
    writeFileSync(join(ARTIFACTS, "playground-bench.json"), `${JSON.stringify(rows, null, 1)}\n`);
    await page.screenshot({ path: join(ARTIFACTS, "playground-bench.png"), fullPage: true });
    expect(errors).toEqual([]);
    await context.close();
  });

  it("works offline once loaded: the service worker serves the site after its server is gone", async () => {
    // A server of its own (its own origin, so its own service worker), shut down halfway.
    const own = await serveStatic(join(ROOT, "web/dist"));
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
    try {
      await page.goto(own.url);
      // It registers after load, caches the whole build while installing, then claims the page,
      // which reloads into isolation.
      await page.waitForFunction(() => navigator.serviceWorker.controller !== null && crossOriginIsolated, null, { timeout: 15_000 });
      await own.close();
      await page.reload();
      expect(await page.locator("h1").textContent()).toContain("descent");
      // Served from the cache with the isolation headers: still on threads.
      expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
      await page.getByRole("button", { name: "Blobs" }).click();
      await page.getByLabel("Epochs").fill("40");
      await page.getByRole("button", { name: "Train" }).click();
      await waitForText(page, "#status", /Done/);
      await page.waitForFunction(() => Number(document.getElementById("stat-accuracy")?.dataset.value) > 0.8, null, { timeout: 5_000 });
      // The benchmark's worker script comes from the cache too.
      await page.getByRole("link", { name: "Benchmark" }).click();
      await page.locator("#bench").waitFor({ state: "visible", timeout: 5_000 });
      expect(errors).toEqual([]);
    } finally {
      await context.close();
      await own.close().catch(() => undefined);
    }
  });
});
