// Builds only when needed (scripts/build.mjs, behind `npm run build`, `npm start` and `npm test`):
// a step runs when a file it reads, its script or its outputs changed since it last succeeded,
// and only then. The rules on a small project of two steps; the real steps' inputs on this one.
import { mkdtempSync, mkdirSync, readFileSync, rmSync, unlinkSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

interface Step { name: string; script: string; inputs: string[]; outputs: string[] }
interface Report { step: string; ran: boolean; why?: string }
interface BuildModule {
  STEPS: Step[];
  inputsOf(root: string, step: Step, scripts: Record<string, string>): string[];
  build(options: {
    root: string; steps?: Step[]; only?: string[]; force?: boolean; check?: boolean;
    log?: (line: string) => void; run?: (script: string, root: string) => number;
  }): { ok: boolean; failed?: string; report: Report[] };
}

const root = fileURLToPath(new URL("..", import.meta.url));
const { STEPS, build, inputsOf } = (await import(pathToFileURL(join(root, "scripts/build.mjs")).href)) as BuildModule;

/** Two steps: a reads in/ (and what its script names) and writes gen/a.out; b reads gen/ and writes out/b.out. */
const steps: Step[] = [
  { name: "a", script: "build:a", inputs: ["in/"], outputs: ["gen/a.out"] },
  { name: "b", script: "build:b", inputs: ["gen/"], outputs: ["out/b.out"] },
];

let dir: string;
let ran: string[];
let failing: string | undefined;

function write(file: string, text: string): void {
  mkdirSync(dirname(join(dir, file)), { recursive: true });
  writeFileSync(join(dir, file), text);
}

const read = (file: string): string => readFileSync(join(dir, file), "utf8");

/** The steps' scripts, run in-process: a concatenates in/, b copies a's output. */
function run(script: string): number {
  ran.push(script);
  if (script === failing) return 1;
  if (script === "build:a") write("gen/a.out", `${read("in/one.txt")}|${existsSync(join(dir, "in/sub/two.txt")) ? read("in/sub/two.txt") : ""}`);
  else write("out/b.out", `${read("gen/a.out")}+b`);
  return 0;
}

function go(options: { only?: string[]; force?: boolean; check?: boolean } = {}): { ok: boolean; failed?: string; ran: string[]; why: Record<string, string | undefined>; log: string[] } {
  ran = [];
  const log: string[] = [];
  const result = build({ root: dir, steps, run, log: (l) => log.push(l), ...options });
  return { ok: result.ok, failed: result.failed, ran: [...ran], why: Object.fromEntries(result.report.map((r) => [r.step, r.why])), log };
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "descent-build-"));
  failing = undefined;
  write("package.json", JSON.stringify({ scripts: { "build:a": "node make-a.mjs", "build:b": "node make-b.mjs --config b.json" } }));
  write("make-a.mjs", 'import { join } from "./lib/helper.mjs";\n');
  write("lib/helper.mjs", "export const join = (a, b) => a + b;\n");
  write("make-b.mjs", "");
  write("b.json", '{ "extends": "./base.json" }');
  write("base.json", "{}");
  write("in/one.txt", "1");
  write("in/sub/two.txt", "2");
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("a build step", () => {
  it("runs the first time, and not again while nothing it reads has changed", () => {
    const first = go();
    expect(first.ran).toEqual(["build:a", "build:b"]);
    expect(first.why).toEqual({ a: "never built here", b: "never built here" });
    expect(read("out/b.out")).toBe("1|2+b");
    const second = go();
    expect(second.ran).toEqual([]);
    expect(second.log).toEqual(["descent: build up to date (a, b)"]);
  });

  it("runs again when a file of an input folder changes, and the next step only if the output changed", () => {
    go();
    write("in/sub/two.txt", "3");
    const changed = go();
    expect(changed.ran).toEqual(["build:a", "build:b"]);
    expect(changed.why.a).toBe("changed: in/sub/two.txt");
    expect(changed.why.b).toBe("changed: gen/a.out");
    // Rewritten with the same bytes: nothing to do.
    write("in/one.txt", "1");
    expect(go().ran).toEqual([]);
  });

  it("notices files added to and removed from an input folder", () => {
    go();
    write("in/new.txt", "new");
    expect(go()).toMatchObject({ ran: ["build:a"], why: { a: "changed: in/new.txt" } });
    unlinkSync(join(dir, "in/sub/two.txt"));
    expect(go()).toMatchObject({ ran: ["build:a", "build:b"], why: { a: "changed: in/sub/two.txt" } });
  });

  it("reads the files its script names and what they import or extend", () => {
    go();
    write("lib/helper.mjs", "export const join = (a, b) => `${a}${b}`;\n");
    expect(go()).toMatchObject({ ran: ["build:a"], why: { a: "changed: lib/helper.mjs" } });
    write("base.json", '{ "compilerOptions": {} }');
    expect(go()).toMatchObject({ ran: ["build:b"], why: { b: "changed: base.json" } });
  });

  it("runs again when its script changes", () => {
    go();
    const pkg = JSON.parse(read("package.json")) as { scripts: Record<string, string> };
    pkg.scripts["build:a"] = "node make-a.mjs --target relaxed";
    write("package.json", JSON.stringify(pkg));
    expect(go()).toMatchObject({ ran: ["build:a"], why: { a: "its script changed (npm run build:a)" } });
  });

  it("runs again when its outputs are missing or were changed by something else", () => {
    go();
    unlinkSync(join(dir, "out/b.out"));
    expect(go()).toMatchObject({ ran: ["build:b"], why: { b: "its outputs are missing" } });
    write("out/b.out", "edited");
    expect(go()).toMatchObject({ ran: ["build:b"], why: { b: "its outputs changed since it ran: out/b.out" } });
    expect(read("out/b.out")).toBe("1|2+b");
  });

  it("that fails stops the build and runs again next time", () => {
    go();
    write("in/one.txt", "9");
    failing = "build:a";
    expect(go()).toMatchObject({ ok: false, failed: "a", ran: ["build:a"] });
    failing = undefined;
    expect(go()).toMatchObject({ ok: true, ran: ["build:a", "build:b"], why: { a: "never built here" } });
  });

  it("runs alone when named, always with force, and never with check (which says why)", () => {
    go();
    expect(go({ only: ["b"], force: true }).ran).toEqual(["build:b"]);
    expect(go({ force: true }).ran).toEqual(["build:a", "build:b"]);
    write("in/one.txt", "5");
    const check = go({ check: true });
    expect(check.ran).toEqual([]);
    expect(check.log).toEqual(["descent: build a is out of date: changed: in/one.txt"]);
    expect(go().ran).toEqual(["build:a", "build:b"]);
  });
});

describe("this repository's build steps", () => {
  const scripts = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
  const inputs = Object.fromEntries(STEPS.map((s) => [s.name, inputsOf(root, s, scripts)]));

  it("are what npm run build, npm start and npm test run", () => {
    expect(STEPS.map((s) => s.name)).toEqual(["wasm", "worker", "ts", "browser"]);
    for (const s of STEPS) expect(scripts[s.script], s.script).toBeDefined();
    expect(scripts.build).toBe("node scripts/build.mjs");
    for (const pre of ["prestart", "pretest"]) expect(scripts[pre]).toBe("node scripts/build.mjs");
  });

  it("read the sources, the scripts their commands name and what those import, never their own outputs", () => {
    expect(inputs.wasm).toEqual(expect.arrayContaining([
      "asconfig.json", "package-lock.json", "scripts/generate.ts", "scripts/embed.ts", "src/registry.ts", "src/math64.ts", "assembly/lanes.ts",
    ]));
    expect(inputs.wasm).not.toContain("assembly/index.ts");
    expect(inputs.wasm.filter((f) => f.startsWith("src/generated/"))).toEqual([]);
    expect(inputs.worker).toEqual(expect.arrayContaining(["scripts/build-worker.ts", "src/background/worker-entry.ts", "src/generated/wasm.ts"]));
    expect(inputs.worker).not.toContain("src/generated/worker-source.ts");
    expect(inputs.ts).toEqual(expect.arrayContaining(["tsconfig.build.json", "tsconfig.json", "src/index.ts", "src/generated/worker-source.ts"]));
    expect(inputs.browser).toEqual(expect.arrayContaining(["vite.browser.config.ts", "src/index.ts"]));
    // Every file of the folders a step reads counts, whatever its name: a new source is covered.
    expect(inputs.wasm.filter((f) => f.startsWith("assembly/")).length).toBeGreaterThan(10);
  });
});
