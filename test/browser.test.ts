// descent in a real browser (Debian's Chromium through playwright-core): the browser build that
// `npm run build` writes (dist/browser/descent.js) loads with no option, plugin or copied file
// from a plain static page, inside a module Web Worker, under a strict Content-Security-Policy
// (WebAssembly allowed, eval not), and from a Vite app (dev server and production build). Each
// reports the wasm-relaxed backend (Chromium has relaxed SIMD), computes the js backend's activations, and logs no error. The
// fixtures are in test/browser/; a missing /usr/bin/chromium fails these tests (CI installs it).
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { build, createServer, type ViteDevServer } from "vite";
import { expectReport, reportOf, sharedChromium, withPage } from "./browser/chromium.ts";
import { serveStatic, type StaticServer } from "./browser/server.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const viteApp = fileURLToPath(new URL("./browser/vite-app/", import.meta.url));
/** The strict policy: scripts and WebAssembly from the page's own origin, no eval, nothing inline. */
const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'";

let chromium: ReturnType<typeof sharedChromium>;
let browser: ReturnType<typeof sharedChromium>["browser"];
let plain: StaticServer;
let strict: StaticServer;

beforeAll(async () => {
  if (!existsSync(join(root, "dist/browser/descent.js"))) {
    throw new Error("dist/browser/descent.js is missing: `npm run build` makes it (npm test builds first)");
  }
  // The repository root, served as static files: pages import /dist/browser/descent.js by path.
  chromium = sharedChromium();
  browser = chromium.browser;
  [plain, strict] = await Promise.all([serveStatic(root), serveStatic(root, { headers: { "Content-Security-Policy": CSP } })]);
}, 60_000);

afterAll(async () => {
  await Promise.all([chromium?.close(), plain?.close(), strict?.close()]);
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
