// Threads in a browser, measured: one epoch of the network of issue #11 (784 → 256 relu → 128 relu
// → 10 softmax, categorical cross-entropy, Adam lr 1e-3, batches of 128, 8,192 rows) on 1 and 2
// threads, in a module worker of a cross-origin isolated page in headless Chromium (Debian's, or
// DESCENT_CHROMIUM's, through playwright-core), the thread counts interleaved round by round,
// medians of the epoch times; then the same in Node for comparison. Prints the load average and
// (on Linux) the share of the cores other processes used meanwhile, since they move these numbers.
//
//   npx tsx bench/browser-threads.ts [--rounds N] [--backend wasm-simd] [--json]
import { existsSync, readFileSync, readdirSync } from "node:fs";
import os from "node:os";
import { fileURLToPath } from "node:url";
import { Sequential, createRuntime, dense, type Backend } from "../src/index.ts";
import { mulberry32 } from "../src/random.ts";
import { launchChromium } from "../test/browser/chromium.ts";
import { ISOLATION_HEADERS, serveStatic } from "../test/browser/server.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const args = process.argv.slice(2);
const json = args.includes("--json");
const roundsAt = args.indexOf("--rounds");
const ROUNDS = roundsAt >= 0 ? Number(args[roundsAt + 1]) : 5;
const backendAt = args.indexOf("--backend");
/** Both sides' backend: each one's best by default (wasm-relaxed in Chromium, and in Node from 22). */
const BACKEND = backendAt >= 0 ? args[backendAt + 1] as Backend : undefined;
/** Epochs per fit: the first (with the data's upload) is not timed. */
const EPOCHS = 3;
const ROWS = 8192, COLS = 784, CLASSES = 10;
const THREADS = [1, 2];
const SPEC = {
  layers: [{ units: 256, activation: "relu" }, { units: 128, activation: "relu" }, { units: CLASSES, activation: "softmax" }],
  options: { loss: "categoricalCrossentropy", optimizer: "adam", lr: 1e-3, batchSize: 128, seed: 1 },
} as const;

const median = (v: readonly number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const load = (): string => os.loadavg().map((l) => l.toFixed(2)).join(" ");

/**
 * The machine's busy CPU time, and this process's with its descendants' (Chromium's), in seconds,
 * where Linux's /proc says: their difference over a phase is what other processes used.
 */
function cpuSeconds(): { machine: number; ours: number } | undefined {
  if (!existsSync("/proc/stat")) return undefined;
  const tick = 100; // USER_HZ
  const cpu = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
  const busy = cpu.reduce((a, b) => a + b, 0) - cpu[3] - cpu[4];
  const processes = new Map<number, { parent: number; ticks: number }>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const line = readFileSync(`/proc/${entry}/stat`, "utf8");
      // After "pid (name) ": state, ppid, …; utime, stime, cutime, cstime are fields 14 to 17.
      const f = line.slice(line.lastIndexOf(")") + 2).split(" ").map(Number);
      processes.set(Number(entry), { parent: f[1], ticks: f[11] + f[12] + f[13] + f[14] });
    } catch {
      // Ended meanwhile.
    }
  }
  let ours = 0;
  for (const [pid, p] of processes) {
    for (let q: number | undefined = pid; q !== undefined && q > 1; q = processes.get(q)?.parent) {
      if (q === process.pid) {
        ours += p.ticks;
        break;
      }
    }
  }
  return { machine: busy / tick, ours: ours / tick };
}

/** Of the cores' capacity between two readings: busy in all, and busy with other processes' work. */
function usageBetween(a: ReturnType<typeof cpuSeconds>, b: ReturnType<typeof cpuSeconds>, seconds: number) {
  if (a === undefined || b === undefined) return undefined;
  const capacity = seconds * os.availableParallelism();
  return { seconds, busy: (b.machine - a.machine) / capacity, others: (b.machine - a.machine - (b.ours - a.ours)) / capacity };
}

const log = json ? (s: string) => console.error(s) : (s: string) => console.log(s);

interface Measured { threads: number; backend: string; ms: number[] }

const loadBefore = load();
log(`browser-threads: ${os.cpus()[0]?.model ?? "unknown CPU"}, ${os.availableParallelism()} logical cores; load average ${loadBefore} (1, 5, 15 min)`);

// Chromium: the threads fixture page (test/browser/static/threads.html) served with the isolation headers.
const server = await serveStatic(ROOT, { headers: ISOLATION_HEADERS });
const browser = await launchChromium();
let chromium: { crossOriginIsolated: boolean; hardwareConcurrency: number; runtimes: Measured[] };
let version = "";
let browserUsage: ReturnType<typeof usageBetween>;
try {
  version = browser.version();
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${server.url}test/browser/static/threads.html`);
  await page.waitForFunction(() => (globalThis as { descentReady?: boolean }).descentReady === true);
  const cpu = cpuSeconds();
  const t0 = performance.now();
  const answer = await page.evaluate(
    (task) => (globalThis as unknown as { inWorker(t: unknown): Promise<unknown> }).inWorker(task),
    { type: "epochs", spec: SPEC, rows: ROWS, cols: COLS, classes: CLASSES, threads: THREADS, backend: BACKEND, rounds: ROUNDS, epochs: EPOCHS },
  ) as { ok: true; result: typeof chromium } | { ok: false; error: string };
  // Read before the browser closes, while its processes are still ours to count.
  browserUsage = usageBetween(cpu, cpuSeconds(), (performance.now() - t0) / 1000);
  if (!answer.ok) throw new Error(answer.error);
  chromium = answer.result;
} finally {
  await browser.close();
  await server.close();
}
if (!chromium.crossOriginIsolated) throw new Error("the page was not cross-origin isolated");
const loadBetween = load();

// Node: the same network and method on this process's runtimes.
const r = mulberry32(12345);
const X = { data: Float32Array.from({ length: ROWS * COLS }, () => r()), rows: ROWS, cols: COLS };
const y = Array.from({ length: ROWS }, () => Math.floor(r() * CLASSES));
const runtimes = await Promise.all(THREADS.map((t) => createRuntime({ threads: t, backend: BACKEND })));
const node: Measured[] = runtimes.map((rt) => ({ threads: rt.threads, backend: rt.backend, ms: [] }));
const nodeCpu = cpuSeconds();
const nodeT0 = performance.now();
for (let round = -1; round < ROUNDS; round++) {
  for (let i = 0; i < runtimes.length; i++) {
    const model = new Sequential(SPEC.layers.map((l) => dense(l)), { ...SPEC.options, runtime: runtimes[i] });
    let last: number | undefined;
    await model.fit(X, y, {
      epochs: EPOCHS,
      onEpoch: () => {
        const now = performance.now();
        if (round >= 0 && last !== undefined) node[i].ms.push(now - last);
        last = now;
      },
    });
    model.dispose();
  }
}
const nodeUsage = usageBetween(nodeCpu, cpuSeconds(), (performance.now() - nodeT0) / 1000);
await Promise.all(runtimes.map((rt) => rt.close()));

const summary = (where: string, measured: Measured[], usage: ReturnType<typeof usageBetween>) => {
  const [one, two] = measured.map((m) => median(m.ms));
  return {
    where, backend: measured[0].backend, oneThreadMs: one, twoThreadsMs: two, ratio: one / two,
    samples: measured.map((m) => m.ms.map((v) => Math.round(v))), usage,
  };
};
const results = {
  date: new Date().toISOString(),
  machine: `${os.cpus()[0]?.model ?? "unknown"} (${os.availableParallelism()} logical cores)`,
  load: { before: loadBefore, betweenRuns: loadBetween, after: load() },
  chromium: { version, hardwareConcurrency: chromium.hardwareConcurrency, ...summary("Chromium worker", chromium.runtimes, browserUsage) },
  node: { version: process.version, ...summary("Node", node, nodeUsage) },
};
for (const s of [results.chromium, results.node]) {
  log(`  ${s.where.padEnd(16)} ${s.backend}: 1 thread ${s.oneThreadMs.toFixed(0)} ms, 2 threads ${s.twoThreadsMs.toFixed(0)} ms per epoch: ${s.ratio.toFixed(2)}× `
    + `(medians of ${s.samples[0].length}; samples ${s.samples.map((v) => v.join(" ")).join(" | ")})`);
  if (s.usage) log(`    over its ${s.usage.seconds.toFixed(0)} s the cores were ${(100 * s.usage.busy).toFixed(0)} % busy, ${(100 * s.usage.others).toFixed(0)} % with other processes' work`);
}
log(`  load average before ${loadBefore}, after the browser ${loadBetween}, at the end ${results.load.after}`);
if (json) console.log(JSON.stringify(results, null, 1));
