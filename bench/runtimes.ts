// The suite on every supported runtime, one after the other (`npm run bench:runtimes`): bench/run.ts
// under Node 20, 22, 24 and 26 (the machine's own Node for its line, the pinned builds of
// runtimes/ for the others), each run saved whole as <dir>/node<N>.json with its HTML report
// beside it; optionally the browser benchmark in headless Chromium (bench/browser.ts,
// <dir>/chromium.json); then bench/RESULTS.md from those files (bench/markdown.ts), keeping its
// hand-written notes.
//
//   npx tsx bench/runtimes.ts [--quick] [--nodes 20,22,24,26] [--browser] [--out DIR] [--markdown PATH] [--markdown-only] [TEXT ...]
//
// --quick          the quick suite on each (bench/run.ts --quick); files go to bench/out/quick/ and
//                  the Markdown to bench/out/quick/RESULTS.md, so the committed file keeps the full run
// --nodes LIST     the Node lines to run (default 20,22,24,26)
// --browser        also run the browser benchmark (bench/browser.ts) after the Node runs
// --out DIR        where the runs' files go (default bench/out, or bench/out/quick)
// --markdown PATH  where to write the Markdown (default bench/RESULTS.md, or DIR/RESULTS.md with
//                  --quick or --out)
// --markdown-only  run nothing: write the Markdown from the files a previous run left in DIR
// TEXT             passed on to bench/run.ts (cases to select)
//
// `npm run bench:markdown` is --markdown-only. Exits with 1 when a run failed (the Markdown is
// written from the runs that succeeded).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { notesOf, runtimesMarkdown } from "./markdown.ts";
import type { AllResults } from "./report.ts";
import type { BrowserRun } from "./results.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const USAGE = "usage: tsx bench/runtimes.ts [--quick] [--nodes 20,22,24,26] [--browser] [--out DIR] [--markdown PATH] [--markdown-only] [TEXT ...]";

const args = process.argv.slice(2);
let quick = false;
let browser = false;
let only = false;
let nodes = ["20", "22", "24", "26"];
let markdown: string | undefined;
let out: string | undefined;
const passed: string[] = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  const value = (): string => {
    const v = a.includes("=") ? a.slice(a.indexOf("=") + 1) : args[++i];
    if (v === undefined) {
      console.error(`bench:runtimes: ${a} needs a value\n${USAGE}`);
      process.exit(2);
    }
    return v;
  };
  if (a === "--quick") quick = true;
  else if (a === "--browser") browser = true;
  else if (a === "--markdown-only") only = true;
  else if (a === "--nodes" || a.startsWith("--nodes=")) nodes = value().split(",").map((n) => n.trim()).filter((n) => n !== "");
  else if (a === "--markdown" || a.startsWith("--markdown=")) markdown = value();
  else if (a === "--out" || a.startsWith("--out=")) out = value();
  else if (a === "--help" || a === "-h") {
    console.log(USAGE);
    process.exit(0);
  } else if (a.startsWith("-")) {
    console.error(`bench:runtimes: unknown option ${a}\n${USAGE}`);
    process.exit(2);
  } else passed.push(a);
}
if (nodes.some((n) => !/^\d+$/.test(n))) {
  console.error(`bench:runtimes: --nodes takes major versions (20,22,24,26), received ${nodes.join(",")}`);
  process.exit(2);
}
nodes = [...new Set(nodes)];

const dir = path.resolve(ROOT, out ?? (quick ? "bench/out/quick" : "bench/out"));
const mdPath = path.resolve(ROOT, markdown ?? (quick || out !== undefined ? path.join(dir, "RESULTS.md") : "bench/RESULTS.md"));
mkdirSync(dir, { recursive: true });
const rel = (p: string): string => path.relative(ROOT, p);

const failed: string[] = [];
if (!only) {
  const started = performance.now();
  for (const n of nodes) {
    const save = path.join(dir, `node${n}.json`);
    const html = path.join(dir, `report-node${n}.html`);
    console.log(`\n════ Node ${n} ${"═".repeat(60)}`);
    const run = spawnSync(process.execPath, [
      "--import", "tsx", path.join(ROOT, "bench/run.ts"), "--node", n, "--save", save, "--html", html, ...(quick ? ["--quick"] : []), ...passed,
    ], { cwd: ROOT, stdio: "inherit" });
    if (run.status !== 0) failed.push(`Node ${n} (exit ${run.status ?? run.signal})`);
  }
  if (browser) {
    console.log(`\n════ Chromium ${"═".repeat(60)}`);
    const run = spawnSync(process.execPath, ["--import", "tsx", path.join(ROOT, "bench/browser.ts"), "--save", path.join(dir, "chromium.json")], {
      cwd: ROOT, stdio: "inherit",
    });
    if (run.status !== 0) failed.push(`Chromium (exit ${run.status ?? run.signal})`);
  }
  console.log(`\nbench:runtimes: ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

// The Markdown, from the runs on disk: those of --nodes, or with --markdown-only every one in the
// directory (a failed run is left out rather than an older file of it put in).
const runs: AllResults[] = [];
const listed = only && !args.some((a) => a.startsWith("--nodes"))
  ? readdirSync(dir).map((f) => /^node(\d+)\.json$/.exec(f)?.[1]).filter((n): n is string => n !== undefined).sort((a, b) => Number(a) - Number(b))
  : nodes;
for (const n of listed) {
  const file = path.join(dir, `node${n}.json`);
  if (failed.some((f) => f.startsWith(`Node ${n} `))) continue;
  if (!existsSync(file)) {
    console.error(`bench:runtimes: no ${rel(file)} (run without --markdown-only first); Node ${n} is left out of the Markdown`);
    continue;
  }
  runs.push(JSON.parse(readFileSync(file, "utf8")) as AllResults);
}
const chromiumFile = path.join(dir, "chromium.json");
const chromium = existsSync(chromiumFile) && !failed.some((f) => f.startsWith("Chromium"))
  ? (JSON.parse(readFileSync(chromiumFile, "utf8")) as BrowserRun) : undefined;
if (runs.length > 0 || chromium !== undefined) {
  mkdirSync(path.dirname(mdPath), { recursive: true });
  writeFileSync(mdPath, `${runtimesMarkdown({ runs, browser: chromium, notes: notesOf(mdPath) })}\n`);
  console.log(`bench:runtimes: wrote ${rel(mdPath)} from ${[...runs.map((r) => `Node ${r.info.machine.node}`), ...(chromium ? [chromium.browser] : [])].join(", ")}`);
}
if (failed.length > 0) {
  console.error(`bench:runtimes: failed: ${failed.join(", ")}`);
  process.exit(1);
}
