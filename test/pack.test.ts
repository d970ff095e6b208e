// The package as users get it: `npm pack` (its file list), then the tarball installed into a new
// Node project and into a new Vite app, each importing "descent-ml" and computing with no
// configuration; the README's browser snippet runs as written in a page next to the installed
// package (Chromium); the type-test programs (test/types/) type-check against the installed types.
// The Vite app is test/browser/vite-app (no config file, no plugin); Vite itself is this
// repository's, linked into the app, so nothing but the tarball and its dependency (csv-parse,
// from the npm cache or registry) is installed.
import { execFile } from "node:child_process";
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { existsSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { ConsoleMessage } from "playwright-core";
import { createServer, type ViteDevServer } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectClose, expectReport, nodeOps, reportOf, sharedChromium, withPage } from "./browser/chromium.ts";
import { serveStatic, type StaticServer } from "./browser/server.ts";
import { TYPES_DIR, errorLines, tsc, typesConfig, unmarked } from "./typecheck.ts";
import { hasRelaxedSimd } from "../src/wasm.ts";

const run = promisify(execFile);
const root = fileURLToPath(new URL("..", import.meta.url));
const INPUT = [-6, -2.5, -1, -0.125, 0, 0.25, 1.5, 3];

/** The environment of the child npm and node processes: none of `npm test`'s own npm_* settings. */
const env = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => !/^(npm_|INIT_CWD$)/i.test(k) || /^npm_config_(cache|userconfig|registry|cafile)$/i.test(k)),
);

async function sh(file: string, args: string[], cwd: string): Promise<string> {
  try {
    return (await run(file, args, { cwd, env, encoding: "utf8", maxBuffer: 64 << 20 })).stdout;
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${file} ${args.join(" ")} (in ${cwd}) failed: ${e.message}\n${e.stdout ?? ""}\n${e.stderr ?? ""}`);
  }
}

/** A new project with the tarball installed (offline where the npm cache has csv-parse). */
async function project(dir: string, name: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "package.json"), JSON.stringify({ name, version: "1.0.0", private: true, type: "module" }, null, 2));
  await sh("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error", tarball], dir);
}

/** What `npm pack --json` reports of the tarball. */
interface PackInfo {
  name: string;
  version: string;
  filename: string;
  size: number;
  unpackedSize: number;
  files: { path: string; size: number; mode: number }[];
}

let tmp: string;
let tarball: string;
let packInfo: PackInfo;
let chromium: ReturnType<typeof sharedChromium>;
let browser: ReturnType<typeof sharedChromium>["browser"];

beforeAll(async () => {
  for (const file of ["dist/index.js", "dist/browser/descent.js"]) {
    if (!existsSync(join(root, file))) throw new Error(`${file} is missing: \`npm run build\` makes it (npm test builds first)`);
  }
  tmp = await mkdtemp(join(tmpdir(), "descent-pack-"));
  chromium = sharedChromium();
  browser = chromium.browser;
  const packed = await sh("npm", ["pack", "--json", "--loglevel=error", "--pack-destination", tmp], root);
  [packInfo] = JSON.parse(packed) as PackInfo[];
  tarball = join(tmp, packInfo.filename);
}, 120_000);

afterAll(async () => {
  await chromium?.close();
  if (tmp !== undefined) await rm(tmp, { recursive: true, force: true });
});

describe("the tarball", () => {
  it("holds what a user needs and nothing else: the built JavaScript with its types, README, LICENSE, CHANGELOG", () => {
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { name: string; version: string; private?: boolean };
    expect(pkg.private, "package.json must not be private: it is published").toBeUndefined();
    expect(packInfo.name).toBe(pkg.name);
    expect(packInfo.version).toMatch(/^\d+\.\d+\.\d+$/);
    const files = packInfo.files.map((f) => f.path).sort();
    for (const needed of [
      "package.json", "README.md", "LICENSE", "CHANGELOG.md", "dist/index.js", "dist/index.d.ts", "dist/browser/descent.js",
      "dist/cli/main.js", "dist/models/index.d.ts", "dist/generated/wasm.js", "dist/generated/worker-source.js",
    ]) {
      expect(files, `the tarball lacks ${needed}`).toContain(needed);
    }
    // The sources, the tests, the build's inputs and source maps are the repository's, not the
    // package's: the JavaScript and its declarations are all that runs or type-checks.
    const strays = files.filter((f) => !/^(package\.json|README\.md|LICENSE|CHANGELOG\.md|dist\/.+\.(js|d\.ts))$/.test(f));
    expect(strays, "files a user does not need").toEqual([]);
    // The inlined WASM and worker are strings: their declarations would repeat them as literal types.
    expect(files).not.toContain("dist/generated/wasm.d.ts");
    expect(files).not.toContain("dist/generated/worker-source.d.ts");
    // Every declaration file the entry's types reach is in the tarball.
    for (const f of files.filter((f) => f.endsWith(".d.ts"))) {
      for (const [, spec] of readFileSync(join(root, f), "utf8").matchAll(/(?:from |import\()"(\.[^"]+)"/g)) {
        const target = join(f, "..", spec.replace(/\.[jt]s$/, ".d.ts"));
        expect(files, `${f} imports ${spec}`).toContain(target);
      }
    }
    // The CLI runs by its shebang once npm links it.
    expect(readFileSync(join(root, "dist/cli/main.js"), "utf8").startsWith("#!/usr/bin/env node\n")).toBe(true);
    // The inlined WASM builds (in the Node build, the browser build and each one's worker) are most
    // of the size, 2.1 MB with three builds; far more means something came along.
    expect(packInfo.unpackedSize).toBeLessThan(4_000_000);
  });
});

describe("the packed package in a new Node project", () => {
  let app: string;
  beforeAll(async () => {
    app = join(tmp, "node-app");
    await project(app, "descent-node-app");
  }, 120_000);

  it("imports \"descent-ml\" in plain Node ESM, picks wasm-simd and computes what the js backend does", async () => {
    const script = `
      import { init, sigmoid, softmax, relu, createRuntime, parseCsv } from "descent-ml";
      const rt = await init();
      const js = await createRuntime({ backend: "js" });
      const x = new Float32Array(${JSON.stringify(INPUT)});
      const ops = (f) => ({ sigmoid: Array.from(f.sigmoid(x)), softmax: Array.from(f.softmax(x, { cols: 4 })), relu: Array.from(f.relu(x)) });
      const a = js.activations;
      console.log(JSON.stringify({
        backend: rt.backend,
        wasm: ops({ sigmoid, softmax, relu }),
        js: ops({ sigmoid: (v) => a.sigmoid.forward(v), softmax: (v, o) => a.softmax.forward(v, o), relu: (v) => a.relu.forward(v) }),
        rows: parseCsv("a,y\\n1,2\\n3,4\\n", { target: "y" }).X.rows,
      }));`;
    const out = JSON.parse(await sh(process.execPath, ["--input-type=module", "-e", script], app));
    expect(out.backend).toBe("wasm-simd");
    const wasmInRepo = await nodeOps("wasm-simd", INPUT);
    for (const op of ["sigmoid", "softmax", "relu"] as const) {
      expectClose(out.wasm[op], out.js[op], 1e-6, op);
      expect(out.wasm[op], `${op}: the packed WASM is the repository's`).toEqual(wasmInRepo[op]);
    }
    expect(out.rows).toBe(2);
  });

  it("its types: the README's API type-checks in strict mode with declarations emitted, and the marked mistakes fail tsc", async () => {
    // TypeScript and Node's types from this repository, as the user's own devDependencies.
    await mkdir(join(app, "node_modules/@types"), { recursive: true });
    await symlink(join(root, "node_modules/typescript"), join(app, "node_modules/typescript"), "dir");
    await symlink(join(root, "node_modules/@types/node"), join(app, "node_modules/@types/node"), "dir");
    const { compilerOptions } = typesConfig();
    for (const file of ["readme.ts", "mistakes.ts"]) await cp(join(TYPES_DIR, file), join(app, file));
    // Declarations emitted: every value the program exports must be nameable from "descent-ml" (no TS2742).
    const options = { ...compilerOptions, noEmit: false, declaration: true, emitDeclarationOnly: true, outDir: "types-out" };
    await writeFile(join(app, "tsconfig.json"), JSON.stringify({ compilerOptions: options, files: ["readme.ts", "mistakes.ts"] }));
    const clean = await tsc(["-p", "tsconfig.json"], app);
    expect(clean.output).toBe("");
    expect(clean.code).toBe(0);
    const declarations = await readFile(join(app, "types-out/readme.d.ts"), "utf8");
    expect(declarations).toMatch(/export declare const net: Sequential<"categoricalCrossentropy">;/);
    expect(declarations, "no path into the package's files").not.toMatch(/descent-ml\/|dist\//);

    const { text, lines } = unmarked(await readFile(join(TYPES_DIR, "mistakes.ts"), "utf8"));
    await writeFile(join(app, "unmarked.ts"), text);
    await writeFile(join(app, "tsconfig.unmarked.json"), JSON.stringify({ compilerOptions, files: ["unmarked.ts"] }));
    const refused = await tsc(["-p", "tsconfig.unmarked.json"], app);
    expect(refused.code).not.toBe(0);
    expect(errorLines(refused.output, "unmarked.ts")).toEqual(lines);
    expect(refused.output).toMatch(/unmarked\.ts\(\d+,\d+\): error TS2820: Type '"Relu"' is not assignable/);
    expect(refused.output).toMatch(/unmarked\.ts\(\d+,\d+\): error TS2345: Argument of type 'string' is not assignable to parameter of type 'MatrixLike'/);
  }, 120_000);

  it("installs the descent command", async () => {
    expect(await sh(join(app, "node_modules/.bin/descent"), ["--help"], app)).toMatch(/^Usage: descent/);
  });

  it("the README's browser snippet works as written, in a page next to node_modules (Chromium)", async () => {
    // The README as shipped in the package: its ```html block is the whole page.
    const readme = await readFile(join(app, "node_modules/descent-ml/README.md"), "utf8");
    const start = readme.indexOf("```html\n<script type=\"module\">");
    expect(start, "README.md has no ```html block beginning with <script type=\"module\"> (its browser section)").toBeGreaterThanOrEqual(0);
    const snippet = readme.slice(start + "```html\n".length, readme.indexOf("```", start + 7));
    expect(snippet.split("\n").length, "the snippet is a few lines").toBeLessThanOrEqual(12);
    await writeFile(join(app, "index.html"), snippet);

    // What the snippet logs in Node (the same code, importing the package by name) ...
    const code = snippet.replace(/^\s*<script type="module">|<\/script>\s*$/g, "");
    const inNode = code.replace(/from\s+(["'])[^"']*\/descent-ml\/[^"']*\1/, 'from "descent-ml"');
    expect(inNode, "the snippet imports the package by path").not.toBe(code);
    const capture = "console.log = (...a) => process.stdout.write(JSON.stringify(a.map((v) => ArrayBuffer.isView(v) ? Array.from(v) : v)) + '\\n');\n";
    // Node with relaxed SIMD, as Chromium has it, so that both run the same build (Node 20 has it behind a flag).
    const relaxedFlag = hasRelaxedSimd() ? [] : ["--experimental-wasm-relaxed-simd"];
    const expected = (await sh(process.execPath, [...relaxedFlag, "--input-type=module", "-e", capture + inNode], app)).trim().split("\n").map((l) => JSON.parse(l));

    // ... it logs in Chromium, from the page as written, served as static files.
    const served = await serveStatic(app);
    try {
      await withPage(browser, served.url, async ({ messages, problems }) => {
        const logs = (): ConsoleMessage[] => messages.filter((m) => m.type() === "log");
        await expect.poll(() => (problems.length > 0 || logs().length >= expected.length ? "done" : "waiting"), { timeout: 20_000 }).toBe("done");
        expect(problems).toEqual([]);
        const logged = await Promise.all(
          logs().map((m) => Promise.all(m.args().map((h) => h.evaluate((v) => (ArrayBuffer.isView(v) ? Array.from(v as Float32Array) : v))))),
        );
        expect(logged).toEqual(expected);
        expect(logged[0][0]).toBe("wasm-relaxed");
      });
    } finally {
      await served.close();
    }
  });
});

describe("the packed package in a new Vite app (no config file, no plugin)", () => {
  // The project (package.json, node_modules) in vite/, the app (Vite's root: test/browser/vite-app)
  // in vite/app/, and the check it shares with the other fixtures in vite/check.js, as in the repo.
  let viteProject: string;
  let app: string;
  beforeAll(async () => {
    viteProject = join(tmp, "vite");
    app = join(viteProject, "app");
    await project(viteProject, "descent-vite-app");
    await cp(fileURLToPath(new URL("./browser/vite-app/", import.meta.url)), app, { recursive: true });
    await cp(fileURLToPath(new URL("./browser/check.js", import.meta.url)), join(viteProject, "check.js"));
    await symlink(join(root, "node_modules/vite"), join(viteProject, "node_modules/vite"), "dir");
  }, 120_000);

  it("vite build, served as static files: main thread and worker load descent and compute", async () => {
    // `npx vite build app`, as a user would type it.
    await sh(process.execPath, [join(viteProject, "node_modules/vite/bin/vite.js"), "build", "app", "--logLevel", "warn"], viteProject);
    const served: StaticServer = await serveStatic(join(app, "dist"));
    try {
      await withPage(browser, served.url, async ({ page, problems }) => {
        await expectReport(await reportOf(page), "wasm-relaxed");
        await expectReport(await reportOf(page, "descentWorkerResult"), "wasm-relaxed");
        expect(problems).toEqual([]);
      });
    } finally {
      await served.close();
    }
  });

  it("the dev server (which pre-bundles the installed package)", async () => {
    let server: ViteDevServer | undefined;
    try {
      server = await createServer({ root: app, configFile: false, logLevel: "error", clearScreen: false, server: { host: "127.0.0.1", port: 0 } });
      await server.listen();
      await withPage(browser, server.resolvedUrls!.local[0], async ({ page, problems }) => {
        await expectReport(await reportOf(page), "wasm-relaxed");
        await expectReport(await reportOf(page, "descentWorkerResult"), "wasm-relaxed");
        expect(problems).toEqual([]);
      });
    } finally {
      await server?.close();
    }
  });
});
