// descent in a real browser (Debian's Chromium through playwright-core): the browser build that
// `npm run build` writes (dist/browser/descent.js) loads with no option, plugin or copied file
// from a plain static page, inside a module Web Worker, under a strict Content-Security-Policy
// (WebAssembly allowed, eval not), and from a Vite app (dev server and production build). Each
// reports the wasm-relaxed backend (Chromium has relaxed SIMD), computes the js backend's activations, and logs no error.
// Threads: on a cross-origin isolated page a worker's runtime gets a pool of Web Workers and trains
// to Node's bits; elsewhere (a plain page, a page's main thread) it runs single-threaded and says
// why once. The fixtures are in test/browser/; a missing /usr/bin/chromium fails these tests (CI
// installs it).
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { build, createServer, type ViteDevServer } from "vite";
import type { Page } from "playwright-core";
import { Sequential, createRuntime, dense, type Matrix, type Runtime } from "../src/index.ts";
import { mulberry32 } from "../src/random.ts";
import { MAIN_THREAD_NO_THREADS } from "../src/wasm.ts";
import { expectReport, reportOf, sharedChromium, withPage } from "./browser/chromium.ts";
import { ISOLATION_HEADERS, serveStatic, type StaticServer } from "./browser/server.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const viteApp = fileURLToPath(new URL("./browser/vite-app/", import.meta.url));
/** The strict policy: scripts and WebAssembly from the page's own origin, no eval, nothing inline. */
const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'";

let chromium: ReturnType<typeof sharedChromium>;
let browser: ReturnType<typeof sharedChromium>["browser"];
let plain: StaticServer;
let strict: StaticServer;
let isolated: StaticServer;

beforeAll(async () => {
  if (!existsSync(join(root, "dist/browser/descent.js"))) {
    throw new Error("dist/browser/descent.js is missing: `npm run build` makes it (npm test builds first)");
  }
  // The repository root, served as static files: pages import /dist/browser/descent.js by path.
  chromium = sharedChromium();
  browser = chromium.browser;
  [plain, strict, isolated] = await Promise.all([
    serveStatic(root), serveStatic(root, { headers: { "Content-Security-Policy": CSP } }), serveStatic(root, { headers: ISOLATION_HEADERS }),
  ]);
}, 60_000);

afterAll(async () => {
  await Promise.all([chromium?.close(), plain?.close(), strict?.close(), isolated?.close()]);
});

describe("the browser build in Chromium", () => {
  const staticPage = (server: StaticServer, page = "index.html"): string => `${server.url}test/browser/static/${page}`;

  it("a plain static page: <script type=module> importing dist/browser/descent.js", async () => {
    await withPage(browser, staticPage(plain), async ({ page, problems }) => {
      await expectReport(await reportOf(page), "wasm-relaxed");
      expect(problems).toEqual([]);
    });
  });

  it("a module Web Worker importing it", async () => {
    await withPage(browser, staticPage(plain, "worker.html"), async ({ page, problems }) => {
      const report = await reportOf(page);
      expect(report.inWorker).toBe(true);
      await expectReport(report, "wasm-relaxed");
      expect(problems).toEqual([]);
    });
  });

  it(`a page with a strict Content-Security-Policy (${CSP}), on the main thread and in a worker`, async () => {
    for (const fixture of ["index.html", "worker.html"]) {
      await withPage(browser, staticPage(strict, fixture), async ({ page, response, problems }) => {
        expect(response?.headers()["content-security-policy"]).toBe(CSP);
        await expectReport(await reportOf(page), "wasm-relaxed");
        // A violation of the policy (eval, an inline script, another origin) is a console error.
        expect(problems, fixture).toEqual([]);
      });
    }
  });

  it("without 'wasm-unsafe-eval' in that policy Chromium refuses the WASM (so the test above means something), and init() falls back to js with a warning", async () => {
    const bare = await serveStatic(root, { headers: { "Content-Security-Policy": "default-src 'self'; script-src 'self'" } });
    try {
      await withPage(browser, staticPage(bare), async ({ page, problems }) => {
        const report = await reportOf(page);
        expect(report.backend).toBe("js");
        expect(report.wasm.sigmoid).toEqual(report.js.sigmoid);
        expect(problems.join("\n")).toMatch(/WebAssembly cannot be compiled here .*using the js backend/);
      });
    } finally {
      await bare.close();
    }
  });

  it("a browser without relaxed SIMD gets the wasm-simd build", async () => {
    // What an engine without relaxed SIMD answers for a module holding f32x4.relaxed_madd (0xfd 0x85 0x02).
    const initScript = `{
      const validate = WebAssembly.validate;
      WebAssembly.validate = (bytes) => {
        const b = new Uint8Array(bytes.buffer ?? bytes);
        for (let i = 0; i + 2 < b.length; i++) if (b[i] === 0xfd && b[i + 1] === 0x85 && b[i + 2] === 0x02) return false;
        return validate(bytes);
      };
    }`;
    await withPage(browser, staticPage(plain), async ({ page, problems }) => {
      await expectReport(await reportOf(page), "wasm-simd");
      expect(problems).toEqual([]);
    }, { initScript });
  });

  it("a browser without WebAssembly SIMD gets the scalar wasm build", async () => {
    // What a pre-SIMD engine answers when asked to validate the SIMD probe module.
    const initScript = "WebAssembly.validate = () => false;";
    await withPage(browser, staticPage(plain), async ({ page, problems }) => {
      await expectReport(await reportOf(page), "wasm");
      expect(problems).toEqual([]);
    }, { initScript });
  });

  it("a browser without WebAssembly gets the js backend", async () => {
    const initScript = "delete globalThis.WebAssembly;";
    await withPage(browser, staticPage(plain), async ({ page, problems }) => {
      expect(await page.evaluate(() => typeof (globalThis as { WebAssembly?: unknown }).WebAssembly)).toBe("undefined");
      await expectReport(await reportOf(page), "js");
      expect(problems).toEqual([]);
    }, { initScript });
  });
});

describe("a Vite app importing \"descent-ml\" (no config file, no plugin)", () => {
  // test/browser/vite-app imports the package by name; inside this repository that resolves to
  // the repository itself (package.json "exports", "browser" condition). The packed package in
  // a new app is test/pack.test.ts's.
  it("under the dev server, on the main thread and in a worker", async () => {
    let server: ViteDevServer | undefined;
    try {
      server = await createServer({
        root: viteApp, configFile: false, logLevel: "error", clearScreen: false,
        server: { host: "127.0.0.1", port: 0 },
      });
      await server.listen();
      const url = server.resolvedUrls?.local[0];
      expect(url).toBeDefined();
      await withPage(browser, url!, async ({ page, problems }) => {
        await expectReport(await reportOf(page), "wasm-relaxed");
        await expectReport(await reportOf(page, "descentWorkerResult"), "wasm-relaxed");
        expect(problems).toEqual([]);
      });
      // Vite gave the browser the browser build (not dist/index.js and csv-parse's Node entry).
      const modules = [...server.moduleGraph.idToModuleMap.keys()];
      expect(modules.some((id) => id.endsWith("/dist/browser/descent.js")), modules.join("\n")).toBe(true);
    } finally {
      await server?.close();
    }
  });

  it("as a production build (vite build), served as static files", async () => {
    const outDir = await mkdtemp(join(tmpdir(), "descent-vite-build-"));
    let served: StaticServer | undefined;
    try {
      await build({ root: viteApp, configFile: false, logLevel: "error", build: { outDir, emptyOutDir: true } });
      served = await serveStatic(outDir);
      await withPage(browser, served.url, async ({ page, problems }) => {
        await expectReport(await reportOf(page), "wasm-relaxed");
        await expectReport(await reportOf(page, "descentWorkerResult"), "wasm-relaxed");
        expect(problems).toEqual([]);
      });
    } finally {
      await served?.close();
      await rm(outDir, { recursive: true, force: true });
    }
  });
});

describe("threads in Chromium", () => {
  // The network and data of test/threads.test.ts's network tests, smaller: 2,051 rows (not a
  // multiple of the batch or of the thread count) through 32 → 64 relu → 16 tanh → 3 softmax, in
  // batches of 512, which is above the split threshold (so the batches are shared by the threads).
  const rows = 2051, cols = 32;
  const r = mulberry32(17);
  const X: Matrix = { data: Float32Array.from({ length: rows * cols }, () => r() * 2 - 1), rows, cols };
  const y = Array.from({ length: rows }, (_, i) => (X.data[i * cols] + X.data[i * cols + 1] > 0.3 ? "a" : X.data[i * cols + 2] > 0 ? "b" : "c"));
  const SPEC = {
    layers: [{ units: 64, activation: "relu" }, { units: 16, activation: "tanh" }, { units: 3, activation: "softmax" }],
    options: { loss: "categoricalCrossentropy", lr: 0.01, seed: 9, batchSize: 512, epochs: 2 },
  } as const;
  const task = { spec: SPEC, X: { data: Array.from(X.data), rows, cols }, y };
  const threadsPage = (server: StaticServer): string => `${server.url}test/browser/static/threads.html`;

  type Answer<T> = { ok: true; result: T } | { ok: false; error: string };
  /** Runs a task of test/browser/static/threads-worker.js in a new module worker of the page. */
  async function inWorker<T>(page: Page, message: Record<string, unknown>): Promise<T> {
    await page.waitForFunction(() => (globalThis as { descentReady?: boolean }).descentReady === true);
    const answer = (await page.evaluate((m) => (globalThis as unknown as { inWorker(m: unknown): Promise<unknown> }).inWorker(m), message)) as Answer<T>;
    if (!answer.ok) throw new Error(`the worker failed: ${answer.error}`);
    return answer.result;
  }

  /** Node's run of the same network (src/, the same wasm-simd build): its weights, layer by layer. */
  let node: Promise<number[][]> | undefined;
  const nodeWeights = (threads: number): Promise<number[][]> => {
    const run = async (): Promise<number[][]> => {
      const rt: Runtime = await createRuntime({ backend: "wasm-simd", threads });
      try {
        const m = await new Sequential(SPEC.layers.map((l) => dense(l)), { ...SPEC.options, runtime: rt }).fit(X, y);
        expect(m.threads).toBe(threads);
        const w = m.layers.flatMap((l) => [Array.from(l.w.data), Array.from(l.b.data)]);
        m.dispose();
        return w;
      } finally {
        await rt.close();
      }
    };
    if (threads !== 2) return run();
    node ??= run();
    return node;
  };

  type Trained = { threads: number; modelThreads: number; label: string; weights: number[][] };

  it("an isolated page's worker: createRuntime({ threads: 2 }) gets a pool, and trains a network to 1 thread's weights (to rounding) and to Node's bits on 1, 2 and 4 threads", async () => {
    await withPage(browser, threadsPage(isolated), async ({ page, response, problems }) => {
      expect(response?.headers()["cross-origin-embedder-policy"]).toBe("require-corp");
      const runtimes = [2, 2, 1, 4].map((threads) => ({ backend: "wasm-simd", threads }));
      const result = await inWorker<{ crossOriginIsolated: boolean; runtimes: Trained[] }>(page, { type: "train", ...task, runtimes });
      expect(result.crossOriginIsolated).toBe(true);
      const [two, again, one, four] = result.runtimes;
      expect([two.threads, two.modelThreads, one.threads, four.threads]).toEqual([2, 2, 1, 4]);
      expect(two.label).toBe("wasm-simd runtime with 2 threads");
      // The same bits run to run, and as Node's worker threads computed them.
      expect(again.weights).toEqual(two.weights);
      expect(two.weights).toEqual(await nodeWeights(2));
      // Each thread count its own bits, the same as Node's (four threads: three Web Workers).
      expect(one.weights).toEqual(await nodeWeights(1));
      expect(four.weights).toEqual(await nodeWeights(4));
      // One thread sums the batch in another order: the same weights to float32 rounding.
      expect(two.weights).not.toEqual(one.weights);
      two.weights.forEach((w, i) => {
        const scale = Math.max(...one.weights[i].map(Math.abs));
        w.forEach((v, j) => expect(Math.abs(v - one.weights[i][j]), `layer array ${i}[${j}]`).toBeLessThanOrEqual(1e-4 * scale));
      });
      // The default backend gets threads too.
      expect(await inWorker(page, { type: "runtime", options: { threads: 2 } })).toEqual({ crossOriginIsolated: true, threads: [2, 2], backend: "wasm-relaxed" });
      expect(problems).toEqual([]);
    });
  });

  it("a page that is not cross-origin isolated: the worker's runtime runs single-threaded and says why, once", async () => {
    await withPage(browser, threadsPage(plain), async ({ page, problems }) => {
      const result = await inWorker(page, { type: "runtime", options: { threads: 2 } });
      expect(result).toEqual({ crossOriginIsolated: false, threads: [1, 1], backend: "wasm-relaxed" });
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/^console\.warning \(worker\): descent: running single-threaded: the page is not cross-origin isolated, .*Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp/);
    });
  });

  it("the main thread of an isolated page runs single-threaded and says to train in a worker, once", async () => {
    await withPage(browser, threadsPage(isolated), async ({ page, problems }) => {
      await page.waitForFunction(() => (globalThis as { descentReady?: boolean }).descentReady === true);
      const threads = await page.evaluate(async () => {
        const { descent } = globalThis as unknown as { descent: typeof import("../src/index.ts") };
        const out = [];
        for (let i = 0; i < 2; i++) out.push((await descent.createRuntime({ threads: 2 })).threads);
        return { isolated: crossOriginIsolated, threads: out };
      });
      expect(threads).toEqual({ isolated: true, threads: [1, 1] });
      expect(problems).toEqual([expect.stringContaining(`console.warning: descent: running single-threaded: ${MAIN_THREAD_NO_THREADS}`)]);
    });
  });

  it("trainInWorker(model, X, y, { threads: 2 }) on an isolated page trains on 2 threads, to Node's bits; on a plain page on one, saying why once", async () => {
    const trainThere = (page: Page): Promise<{ starts: unknown[]; weights: number[][] }> => page.evaluate(async (t) => {
      const { descent } = globalThis as unknown as { descent: typeof import("../src/index.ts") };
      const rt = await descent.createRuntime({ backend: "wasm-simd" });
      const starts: unknown[] = [];
      let weights: number[][] = [];
      // Twice: the reason, where there is one, is said once for both.
      for (let i = 0; i < 2; i++) {
        const model = new descent.Sequential(t.spec.layers.map((l) => descent.dense(l)), { ...t.spec.options, runtime: rt });
        await descent.trainInWorker(model, { ...t.X, data: Float32Array.from(t.X.data) }, t.y, { threads: 2, onStart: (s) => void starts.push(s) });
        weights = model.layers.flatMap((l) => [Array.from(l.w.data), Array.from(l.b.data)]);
        model.dispose();
      }
      return { starts, weights };
    }, task);
    await withPage(browser, threadsPage(isolated), async ({ page, problems }) => {
      await page.waitForFunction(() => (globalThis as { descentReady?: boolean }).descentReady === true);
      const { starts, weights } = await trainThere(page);
      expect(starts).toEqual([{ backend: "wasm-simd", threads: 2 }, { backend: "wasm-simd", threads: 2 }]);
      expect(weights).toEqual(await nodeWeights(2));
      expect(problems).toEqual([]);
    });
    await withPage(browser, threadsPage(plain), async ({ page, problems }) => {
      await page.waitForFunction(() => (globalThis as { descentReady?: boolean }).descentReady === true);
      const { starts, weights } = await trainThere(page);
      const why = (starts[0] as { singleThreaded?: string }).singleThreaded;
      expect(why).toMatch(/^the page is not cross-origin isolated/);
      expect(starts).toEqual([{ backend: "wasm-simd", threads: 1, singleThreaded: why }, { backend: "wasm-simd", threads: 1, singleThreaded: why }]);
      expect(weights).toEqual(await nodeWeights(1));
      // Said by the page, once for both workers (which say nothing themselves).
      expect(problems).toHaveLength(1);
      expect(problems[0].startsWith(`console.warning: descent: running single-threaded: ${why} at `), problems[0]).toBe(true);
    });
  });

  it("the pool's failures, as in Node: a kernel that throws in a thread fails its call at once (the pool goes on), a thread whose loop fails makes every call refuse at once, close() stops the threads and a closed pool refuses", async () => {
    await withPage(browser, threadsPage(isolated), async ({ page, problems }) => {
      type Outcome = { ok: boolean; message?: string; ms: number };
      const report = await inWorker<Record<string, Outcome> & { terminated: boolean[] }>(page, { type: "failures" });
      expect(report.kernelThrows.message).toMatch(/^descent: dot_f32 failed in worker thread 1: Error: dot_f32 broke in a thread/);
      expect(report.afterKernelThrows.ok).toBe(true);
      expect(report.terminated).toEqual([true]);
      expect(report.afterClose.message).toMatch(/^descent: dot_f32: the runtime was closed \(the wasm-simd runtime with 2 threads\); its worker threads are stopped/);
      expect(report.firstCall.ok).toBe(true);
      expect(report.loopBroke.message).toMatch(/^descent: dot_f32: worker thread 1 exited; .*cannot run on its worker threads any more/);
      expect(report.stillRefuses.message).toBe(report.loopBroke.message);
      for (const k of ["kernelThrows", "afterClose", "loopBroke", "stillRefuses"]) expect(report[k].ms, k).toBeLessThan(1000);
      // The thread whose loop failed reports its uncaught error on its own console.
      expect(problems.filter((p) => !/the thread's loop broke/.test(p))).toEqual([]);
    });
  });
});
