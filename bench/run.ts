// The benchmark driver (`npm run bench`, i.e. tsx bench/run.ts): the machine's limits first
// (bench/baselines.ts), then every kernel case of bench/cases.ts at each size, every
// implementation interleaved in one process (bench/timing.ts), then where splitting over two
// threads starts to pay (bench/split.ts), then the model cases of bench/models.ts, then the speed
// targets (bench/targets.ts). Prints a table (or, with --json, one JSON record per line: cases,
// baselines, threads, model cases, targets, and a closing summary), and writes the HTML report
// (bench/report.ts).
//
// "descent" in the ratios and the targets is the default runtime's backend on this engine
// (bestBackend(): wasm-relaxed where relaxed SIMD validates, else wasm-simd); the output names it.
//
//   npx tsx bench/run.ts [--node N] [--quick] [--json] [--html PATH] [--markdown PATH] [--save PATH]
//                        [--save-baseline] [--no-tfjs] [--filter=TEXT] [TEXT ...]
//
// --node N         run under Node N (22, 24, 26: the pinned builds of runtimes/, installed on
//                  first use; the machine's own line runs as it is)
// --quick          sizes 16 and 65,536 (and 1,048,576 and 4·10⁶ for the targets that need them),
//                  fewer samples, shorter model runs: a smoke test of performance (under a minute),
//                  not a measurement
// --json           one JSON object per line instead of the table (stdout); notes go to stderr
// --html PATH      where to write the HTML report (default bench/out/report.html)
// --markdown PATH  also write the run as Markdown (bench/RESULTS.md's format, this runtime alone)
// --save PATH      also write the whole run as one JSON document (what bench/runtimes.ts collects)
// --save-baseline  write this run's kernels at 65,536 to bench/baseline-node<major>.json, the
//                  "nothing slower than before" target's reference from then on
// --no-tfjs        leave TensorFlow.js out (faster; the targets against it are then not measured)
// TEXT             only cases whose name or section contains TEXT (case-insensitive); several select their union
//
// Exits with 1 when an implementation's result disagrees with descent's js backend (a mis-bound
// case or a broken kernel), or "2 threads" with one thread's bits, whatever the timings.
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { nodeBinary } from "../scripts/node-runtime.ts";
import { availableBackends, bestBackend, createRuntime, type Runtime } from "../src/index.ts";
import { SPLIT_MIN_ELEMENTS } from "../src/runtime.ts";
import { ensureBytes, instantiateBaselines, PEAK_CHAINS, peakFlopsPerIteration, type Baselines } from "./baselines.ts";
import {
  allCases, BACKENDS, bind, IMPLS, MATMUL_K, MATMUL_N, PRELU_FEATURES, relativeDifference, SOFTMAX_COLS, THREAD_SIZES, trafficBytes,
  type Backend, type BoundContender, type Case, type DescentRuntimes, type ImplName,
} from "./cases.ts";
import { loadTfjs, type Tfjs } from "./external.ts";
import { forgetProblems, modelCases, runModelCase, type ModelImpl } from "./models.ts";
import { notesOf } from "./markdown.ts";
import { markdownReport, htmlReport, caseHeader, caseTable, modelTable, targetsText } from "./report.ts";
import { agreementTolerance } from "./results.ts";
import type {
  BaselineResult, CaseResult, CopyBaseline, ImplResult, Machine, ModelResult, PeakBaseline, RunInfo, TargetResult, ThreadsResult,
} from "./results.ts";
import { measureSplit, QUICK_SPLIT_SIZES, SPLIT_CASES, SPLIT_SIZES, splitText } from "./split.ts";
import { baselineFile, baselineOf, baselinePath, loadBaseline, saveBaseline } from "./stored-baseline.ts";
import { evaluateTargets, TARGET_SIZES, WEIGHT_AGREEMENT } from "./targets.ts";
import { measure, type Contender, type Stats, type TimingOptions } from "./timing.ts";

interface Cli {
  node: string | undefined;
  quick: boolean;
  json: boolean;
  tfjs: boolean;
  html: string;
  markdown: string | undefined;
  save: string | undefined;
  saveBaseline: boolean;
  filters: string[];
}

const USAGE = "usage: tsx bench/run.ts [--node N] [--quick] [--json] [--html PATH] [--markdown PATH] [--save PATH] [--save-baseline] [--no-tfjs] [--filter=TEXT] [TEXT ...]";

function parseArgs(argv: readonly string[]): Cli {
  const cli: Cli = {
    node: undefined, quick: false, json: false, tfjs: true, html: "bench/out/report.html", markdown: undefined, save: undefined, saveBaseline: false, filters: [],
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (flag: string): string => {
      if (arg.startsWith(`${flag}=`)) return arg.slice(flag.length + 1);
      const v = argv[++i];
      if (v === undefined) {
        console.error(`bench: ${flag} needs a value\n${USAGE}`);
        process.exit(2);
      }
      return v;
    };
    if (arg === "--node" || arg.startsWith("--node=")) cli.node = value("--node");
    else if (arg === "--quick") cli.quick = true;
    else if (arg === "--json") cli.json = true;
    else if (arg === "--no-tfjs") cli.tfjs = false;
    else if (arg === "--html" || arg.startsWith("--html=")) cli.html = value("--html");
    else if (arg === "--markdown" || arg.startsWith("--markdown=")) cli.markdown = value("--markdown");
    else if (arg === "--save" || arg.startsWith("--save=")) cli.save = value("--save");
    else if (arg === "--save-baseline") cli.saveBaseline = true;
    else if (arg.startsWith("--filter=")) cli.filters.push(arg.slice("--filter=".length));
    else if (arg === "--help" || arg === "-h") {
      console.log(USAGE);
      process.exit(0);
    } else if (arg.startsWith("-")) {
      console.error(`bench: unknown option ${arg}\n${USAGE}`);
      process.exit(2);
    } else cli.filters.push(arg);
  }
  return cli;
}

// `| head` closes stdout early: end quietly, as command-line tools do, instead of with a stack trace.
process.stdout.on("error", (err: NodeJS.ErrnoException) => {
  if (err.code === "EPIPE") process.exit(0);
  throw err;
});

const cli = parseArgs(process.argv.slice(2));
if (cli.saveBaseline && cli.filters.length > 0) {
  // A baseline replaces the file: one of a few cases would drop every other kernel's record.
  console.error("bench: --save-baseline records every kernel: run it without case filters");
  process.exit(2);
}
if (cli.node !== undefined && process.versions.node.split(".")[0] !== cli.node) {
  // The same run under another Node line: this script again, without --node, and its exit code.
  let bin: string;
  try {
    bin = nodeBinary(cli.node);
  } catch (err) {
    console.error(`bench: --node ${cli.node}: ${(err as Error).message}`);
    process.exit(2);
  }
  const args = process.argv.slice(2).filter((a, i, all) => !(a === "--node" || a.startsWith("--node=") || all[i - 1] === "--node"));
  const run = spawnSync(bin, ["--import", "tsx", process.argv[1], ...args], { stdio: "inherit" });
  process.exit(run.status ?? 1);
}
/** Powers of 16 from 16 to 2²⁰, and 4·10⁶ (past the last-level cache). */
const FULL_SIZES = [16, 256, 4096, 65_536, 1_048_576, 4_000_000];
const QUICK_SIZES = [16, 65_536];
const SIZES = cli.quick ? QUICK_SIZES : FULL_SIZES;
const TIMING: TimingOptions = cli.quick
  ? { samples: 5, minSampleMs: 1, warmupMs: 10, warmupCalls: 2, budgetMs: 150, minSamples: 3 }
  : { samples: 15, minSampleMs: 1, warmupMs: 100, warmupCalls: 2, budgetMs: 2000, minSamples: 5 };

const machine: Machine = {
  os: `${os.type()} ${os.release()} ${os.arch()}`,
  cpu: `${os.cpus()[0]?.model ?? "unknown"} (${os.cpus().length} logical cores)`,
  node: process.version,
  v8: process.versions.v8,
};
/** The default runtime's backend here: the reference of every ratio and target. */
const DESCENT: Backend = bestBackend();
/** Threads of the "2 threads" contender (and of the split crossover). */
const TWO = 2;

// ---------------------------------------------------------------------------- running

/** One single-threaded runtime per backend this engine runs (wasm-relaxed needs relaxed SIMD). */
async function runtimes(): Promise<Partial<Record<Backend, Runtime>>> {
  const usable = availableBackends();
  const out: Partial<Record<Backend, Runtime>> = {};
  for (const b of BACKENDS) if (usable.includes(b)) out[b] = await createRuntime({ backend: b });
  return out;
}

interface Agreement {
  readonly diffs: Map<ImplName, number>;
  /** "2 threads" against the descent backend's first result: bit for bit, or not (undefined: not bound). */
  readonly threadsSameBits: boolean | undefined;
}

const sameBits = (a: Float32Array | number, b: Float32Array | number): boolean =>
  typeof a === "number" || typeof b === "number" ? Object.is(a, b) : a.length === b.length && a.every((v, i) => Object.is(v, b[i]));

/** One call of each contender before anything else, compared with the js backend's result. */
function agreement(contenders: readonly BoundContender[]): Agreement {
  const first = new Map<ImplName, Float32Array | number>();
  for (const c of contenders) {
    c.enter?.();
    c.run();
    // Copied now: the updates work in place.
    // (tfjs contenders return a copy: their result() runs the op once more, from the same state for all but the updates.)
    const r = c.result();
    first.set(c.name, typeof r === "number" ? r : r.slice());
  }
  const ref = first.get("js");
  const diffs = new Map<ImplName, number>();
  for (const [name, r] of first) diffs.set(name, ref === undefined ? NaN : relativeDifference(r, ref));
  const two = first.get("2 threads");
  const one = first.get(DESCENT);
  return { diffs, threadsSameBits: two === undefined || one === undefined ? undefined : sameBits(two, one) };
}

/** memory.copy over `bytes` in the baseline module (src and dst made resident first). */
function copyContender(b: Baselines, bytes: number): Contender {
  const size = Math.max(16, Math.ceil(bytes / 64) * 64);
  ensureBytes(b, 2 * size + 64);
  new Uint8Array(b.memory.buffer).fill(7, 0, 2 * size + 64);
  const copy = b.copy;
  return { name: "memory.copy", run: () => (copy(size, 0, bytes), 0) };
}

const ratio = (impls: CaseResult["impls"], a: ImplName, b: ImplName): number =>
  (impls[a]?.melemPerS ?? NaN) / (impls[b]?.melemPerS ?? NaN);

function runCase(
  c: Case, size: number, rts: DescentRuntimes, tfjs: Tfjs | undefined, base: Baselines, peak: number | undefined,
  seen: Set<number>, leaks: string[],
): { result: CaseResult; sink: number } | undefined {
  const w = c.workload(size);
  // Row-wise cases round small sizes to the same rows: measure each problem once.
  if (seen.has(w.elements)) return undefined;
  seen.add(w.elements);
  const tensorsBefore = tfjs?.tf.memory().numTensors ?? 0;
  // Two threads only at the large sizes: below SPLIT_MIN_ELEMENTS it is the one-thread kernel again.
  // --quick leaves tfjs-cpu out at the large sizes (no target needs it, and a call there takes up to 150 ms).
  const tfBackends = cli.quick && size >= THREAD_SIZES[0] ? (["wasm"] as const) : (["wasm", "cpu"] as const);
  const bound = bind(c, w, THREAD_SIZES.includes(size) ? rts : { ...rts, threaded: undefined }, tfjs, tfBackends);
  try {
    const { diffs, threadsSameBits } = agreement(bound.contenders);
    const traffic = trafficBytes(w);
    const copy = copyContender(base, traffic / 2);
    const m = measure([...bound.contenders, copy], TIMING);
    const impls: Partial<Record<ImplName, ImplResult>> = {};
    const stats = new Map<ImplName, Stats>();
    bound.contenders.forEach((k, i) => {
      const s = m.stats[i];
      stats.set(k.name, s);
      impls[k.name] = {
        melemPerS: w.elements / s.median / 1e6,
        medianUs: s.median * 1e6,
        iqrPct: s.iqrPct,
        batch: s.batch,
        samples: s.samples.length,
        relDiffVsJs: diffs.get(k.name) ?? NaN,
        ...(k.name === "2 threads" && threadsSameBits !== undefined ? { sameBitsAsDescent: threadsSameBits } : {}),
      };
    });
    const copyStats = m.stats[bound.contenders.length];
    const api = stats.get("api");
    const d = stats.get(DESCENT);
    const result: CaseResult = {
      type: "case",
      case: c.id, kernel: c.kernel, section: c.section, size, elements: w.elements, shape: w.shape,
      ...(c.activation !== undefined ? { activation: c.activation } : {}),
      plain: c.plainIsReference ? "reference" : "loop",
      descent: DESCENT,
      impls,
      ratios: {
        descentOverJs: ratio(impls, DESCENT, "js"),
        descentOverPlain: ratio(impls, DESCENT, "plain"),
        descentOverWasm: ratio(impls, DESCENT, "wasm"),
        relaxedOverSimd: ratio(impls, "wasm-relaxed", "wasm-simd"),
        descentOverTfjsWasm: ratio(impls, DESCENT, "tfjs-wasm"),
        descentOverTfjsCpu: ratio(impls, DESCENT, "tfjs-cpu"),
        apiOverTfjsWasm: ratio(impls, "api", "tfjs-wasm"),
        threadsOverDescent: ratio(impls, "2 threads", DESCENT),
        threadsOverTfjsWasm: ratio(impls, "2 threads", "tfjs-wasm"),
      },
      apiOverheadNs: api !== undefined && d !== undefined ? (api.median - d.median) * 1e9 : undefined,
      apiNoiseNs: api !== undefined && d !== undefined ? Math.max(api.q3 - api.q1, d.q3 - d.q1) * 1e9 : undefined,
      trafficBytes: traffic,
      copyUs: copyStats.median * 1e6,
      copyFraction: d !== undefined ? copyStats.median / d.median : undefined,
      peakFraction: d !== undefined && c.flopsPerElement !== undefined && peak !== undefined
        ? (w.elements * c.flopsPerElement) / d.median / peak : undefined,
    };
    return { result, sink: m.sink };
  } finally {
    bound.dispose();
    if (tfjs !== undefined) {
      const after = tfjs.tf.memory().numTensors;
      if (after !== tensorsBefore) leaks.push(`${c.id} at ${size}: ${after - tensorsBefore} tfjs tensors`);
    }
  }
}

/** memory.copy at each size, and the f32x4 peak: the machine's limits. */
function runBaselines(b: Baselines, sizes: readonly number[]): { results: BaselineResult[]; sink: number } {
  const results: BaselineResult[] = [];
  let sink = 0;
  for (const size of sizes) {
    const bytes = size * 4;
    const m = measure([copyContender(b, bytes)], TIMING);
    const s = m.stats[0];
    sink += m.sink;
    const r: CopyBaseline = { type: "baseline", name: "memory.copy", size, bytes, medianUs: s.median * 1e6, iqrPct: s.iqrPct, bytesPerS: bytes / s.median };
    results.push(r);
  }
  // About a millisecond per call for every chain count.
  const iterations = 100_000;
  const peaks: Contender[] = PEAK_CHAINS.map((c) => {
    const f = b.peak[c];
    return { name: `peak${c}`, run: () => f(iterations) };
  });
  const m = measure(peaks, TIMING);
  sink += m.sink;
  const byChains: Record<string, number> = {};
  PEAK_CHAINS.forEach((c, i) => (byChains[String(c)] = (iterations * peakFlopsPerIteration(c)) / m.stats[i].median));
  const best = PEAK_CHAINS.reduce((a, c) => (byChains[String(c)] > byChains[String(a)] ? c : a), PEAK_CHAINS[0]);
  const peak: PeakBaseline = { type: "baseline", name: "peak f32x4", flopsPerS: byChains[String(best)], chains: best, byChains };
  results.push(peak);
  return { results, sink };
}

function matches(needles: readonly string[], id: string, section: string): boolean {
  if (needles.length === 0) return true;
  const text = `${id}\n${section}`.toLowerCase();
  return needles.some((f) => text.includes(f));
}

async function main(): Promise<void> {
  const started = performance.now();
  const needles = cli.filters.map((f) => f.toLowerCase());
  const cases = allCases().filter((c) => matches(needles, c.id, c.section));
  const models = modelCases(cli.quick).filter((c) => matches(needles, c.id, c.section));
  if (cases.length === 0 && models.length === 0) {
    const names = [...allCases().map((c) => c.id), ...modelCases().map((c) => c.id)];
    console.error(`bench: no case matches ${cli.filters.join(", ")}; cases are:\n  ${names.join("\n  ")}`);
    process.exit(2);
  }
  const log = cli.json ? (s: string) => console.error(s) : (s: string) => console.log(s);
  const emit = (record: object): void => {
    if (cli.json) console.log(JSON.stringify(record));
  };

  const rts = await runtimes();
  const backends = BACKENDS.filter((b) => rts[b] !== undefined);
  // The default backend on two threads: the kernels' "2 threads" contender and the split crossover.
  // (Made even on one core, where the two threads share it: the numbers then say so.)
  let two: Runtime | undefined = await createRuntime({ backend: DESCENT, threads: TWO });
  if (two.threads < TWO) {
    await two.close();
    two = undefined;
  }
  // Training on worker threads too (the model cases), where there are cores for it and the run is not --quick.
  let threaded: Runtime | undefined;
  if (!cli.quick && models.length > 0 && os.availableParallelism() > 1) {
    const rt = await createRuntime({ backend: DESCENT, threads: "auto" });
    if (rt.threads > 1) threaded = rt;
    else await rt.close();
  }
  const descentRts: DescentRuntimes = { runtimes: rts, descent: DESCENT, threaded: two };
  const major = process.versions.node.split(".")[0];
  const previous = cli.saveBaseline ? undefined : loadBaseline(major);
  let tfjs: Tfjs | undefined;
  if (cli.tfjs) {
    // tfjs's Node banner (install tfjs-node) goes to console.warn; keep it out of the report.
    const warn = console.warn;
    console.warn = () => {};
    try {
      tfjs = await loadTfjs();
      // The banner comes with the cpu backend's first tensor: make it now.
      tfjs.use("cpu");
      tfjs.tf.tidy(() => tfjs?.tf.zeros([1]));
    } finally {
      console.warn = warn;
    }
  }
  const base = instantiateBaselines();

  log(`descent benchmarks${cli.quick ? " (--quick)" : ""}: ${machine.os}; ${machine.cpu}; node ${machine.node} (V8 ${machine.v8})`);
  log(
    `descent = ${DESCENT}, the default runtime's backend on this engine (backends measured: ${backends.join(", ")}); ` +
      (two !== undefined ? `2 threads: a ${DESCENT} runtime with threads: ${TWO}, splitting from ${two.splitMinElements.toLocaleString("en-US")} floats` : "2 threads: not available here"),
  );
  if (previous !== undefined) log(`nothing slower than before: compared with ${baselinePath(major)} (${previous.source})`);
  log(
    `median throughput in Melem/s (±: interquartile range, % of median) over ${TIMING.samples} interleaved samples ` +
      `of ≥ ${TIMING.minSampleMs} ms (fewer, ≥ ${TIMING.minSamples}, for calls too slow for the ${TIMING.budgetMs} ms budget); ` +
      `sizes ${SIZES.map((s) => s.toLocaleString("en-US")).join(", ")}`,
  );
  if (tfjs !== undefined) {
    log(`TensorFlow.js ${tfjs.version}: cpu backend, and wasm backend running ${tfjs.wasmBinary} (SIMD ${tfjs.simd ? "on" : "off"}, threads ${tfjs.threads ? "on" : "off"}); production mode`);
  } else log("TensorFlow.js left out (--no-tfjs)");

  // The machine's limits.
  const sizesNeeded = new Set<number>(SIZES);
  if (cli.quick) for (const t of TARGET_SIZES) if (cases.some((c) => t.kernels.includes(c.id))) sizesNeeded.add(t.size);
  const baseRun = runBaselines(base, [...sizesNeeded].sort((a, b) => a - b));
  let sink = baseRun.sink;
  const baselines = baseRun.results;
  for (const b of baselines) emit({ ...b, quick: cli.quick });
  const peak = baselines.find((b): b is PeakBaseline => b.name === "peak f32x4");
  log(
    `machine limits: peak f32x4 ${((peak?.flopsPerS ?? NaN) / 1e9).toFixed(1)} Gflop/s (${peak?.chains} chains of mul+add); ` +
      `memory.copy ${baselines.filter((b): b is CopyBaseline => b.name === "memory.copy")
        .map((b) => `${(b.bytesPerS / 1e9).toFixed(1)} GB/s at ${b.bytes.toLocaleString("en-US")} B`).join(", ")}`,
  );

  if (!cli.json && cases.length > 0) {
    log(`${backends.join(", ")}: pointer-level kernels (runtime.kernels); plain: hand-written JS loop (bench/plain.ts);`);
    log(`2 threads: the ${DESCENT} kernel split as a runtime with threads: ${TWO} splits it (at ${THREAD_SIZES.map((n) => n.toLocaleString("en-US")).join(" and ")}, for the kernels it splits);`);
    log(`api: runtime.activations.<name>.forward/backward on ${DESCENT} tensors; api ns: its cost per call above the bare kernel;`);
    log(`tfjs-wasm, tfjs-cpu: TensorFlow.js ops on tensors made once (bench/tfjs-ops.ts); ratios d/…: descent's (${DESCENT}) speed over the other's, 2t/tfw: 2 threads' over tfjs-wasm;`);
    log(`%copy: memory.copy's time over the same bytes, over ${DESCENT}'s (100% = copy speed); %peak: of the f32x4 peak, where the op has a textbook flop count`);
    log(
      `softmax family and cross-entropy: rows of ${SOFTMAX_COLS} (one row of n below that); prelu: ${PRELU_FEATURES} per-feature slopes; ` +
        `gemv/gemvT: A of rows × cols; matmul: [n/${MATMUL_K}, ${MATMUL_K}]·[${MATMUL_K}, ${MATMUL_N}] (elements of A, ${MATMUL_N} multiply-adds each)`,
    );
    log(
      "inputs are the same on every call: at small n this CPU's branch predictor can learn them, which flatters code that " +
        "branches on the data (scalar wasm, js and plain on the relu family, prelu, sigmoid); trust 65,536 and above for those",
    );
  }

  const disagreements: string[] = [];
  const leaks: string[] = [];
  const caseResults: CaseResult[] = [];
  let section = "";
  const header = caseHeader(backends);
  if (!cli.json && cases.length > 0) log(`\n${header}`);
  for (const c of cases) {
    if (!cli.json && c.section !== section) {
      section = c.section;
      log(`── ${section} ${"─".repeat(Math.max(0, header.length - section.length - 4))}`);
    }
    const sizes = new Set(SIZES);
    if (cli.quick) for (const t of TARGET_SIZES) if (t.kernels.includes(c.id)) sizes.add(t.size);
    const seen = new Set<number>();
    let first = true;
    for (const size of [...sizes].sort((a, b) => a - b)) {
      const got = runCase(c, size, descentRts, tfjs, base, peak?.flopsPerS, seen, leaks);
      if (got === undefined) continue;
      const { result, sink: s } = got;
      sink += s;
      caseResults.push(result);
      const off = Object.entries(result.impls).filter(([n, x]) => x !== undefined && !(x.relDiffVsJs <= agreementTolerance(n)));
      if (off.length > 0) disagreements.push(`${result.case} at ${result.elements} (${off.map(([n, x]) => `${n} ${x?.relDiffVsJs.toExponential(1)}`).join(", ")})`);
      if (result.impls["2 threads"]?.sameBitsAsDescent === false) disagreements.push(`${result.case} at ${result.elements} (2 threads' bits differ from ${DESCENT}'s on one thread)`);
      emit({ ...result, machine, quick: cli.quick, samples: TIMING.samples });
      if (!cli.json) log(caseTable([result], first, backends));
      first = false;
    }
  }
  if (!cli.json && caseResults.some((r) => r.plain === "reference")) {
    log("* no plain loop in bench/plain.ts: the registry's float64 reference, called per element");
  }

  // Where two threads start to pay, for the kernels the runtime splits (when one of them is selected).
  const threadResults: ThreadsResult[] = [];
  if (two !== undefined && cases.some((c) => SPLIT_CASES.includes(c.id))) {
    const one = rts[DESCENT] as Runtime;
    const sizes = cli.quick ? QUICK_SPLIT_SIZES : SPLIT_SIZES;
    log(`\n── threads: each size split over ${TWO} threads (threshold lowered to 0) against one thread, ${DESCENT} ${"─".repeat(30)}`);
    const split = measureSplit(one, two, DESCENT, TIMING, sizes, SPLIT_CASES.filter((id) => cases.some((c) => c.id === id)));
    sink += split.sink;
    for (const r of split.results) {
      threadResults.push(r);
      emit({ ...r, machine, quick: cli.quick });
      if (r.points.some((p) => !p.sameBits)) disagreements.push(`${r.kernel}: split over threads, the bits differ from one thread's`);
    }
    if (!cli.json) for (const line of splitText(split.results)) log(line);
  }

  // Model cases.
  const modelResults: ModelResult[] = [];
  if (models.length > 0) {
    log(`\n── models ${"─".repeat(60)}`);
    for (const mc of models) {
      const { impls, note } = await runModelCase(mc, { runtimes: rts, descent: DESCENT, threaded, twoThreads: two, tfjs, quick: cli.quick, baselines: base });
      const summary: ModelResult["impls"] = {};
      const ratios: ModelResult["ratios"] = {};
      const ref = impls[DESCENT]?.median;
      for (const [name, r] of Object.entries(impls) as [ModelImpl, NonNullable<(typeof impls)[ModelImpl]>][]) {
        summary[name] = { medianMs: r.median * 1000, iqrPct: r.iqrPct, units: r.units, relDiff: r.relDiff };
        if (name !== DESCENT && ref !== undefined) ratios[name] = r.median / ref;
        if (r.relDiff !== undefined && !(r.relDiff <= WEIGHT_AGREEMENT)) disagreements.push(`${mc.id}: ${name}'s weights differ by ${r.relDiff.toExponential(1)}`);
      }
      const result: ModelResult = {
        type: "model", case: mc.id, section: mc.section, unit: mc.unit, shape: mc.shape, rows: mc.rows, cols: mc.cols, note,
        descent: DESCENT, impls: summary, ratios,
      };
      modelResults.push(result);
      emit({ ...result, machine, quick: cli.quick });
      if (!cli.json) log(modelTable(result));
    }
    forgetProblems();
    if (threaded !== undefined) log(`(threads: a ${DESCENT} runtime training on ${threaded.threads} threads)`);
  }
  await threaded?.close();
  await two?.close();

  // Targets.
  const targets: TargetResult[] = evaluateTargets({ cases: caseResults, baselines, models: modelResults, threads: threadResults, previous });
  for (const t of targets) emit({ ...t, quick: cli.quick });
  log(`\n${targetsText(targets, !cli.json, DESCENT)}`);

  const seconds = (performance.now() - started) / 1000;
  const info: RunInfo = {
    machine, runtime: `Node ${process.versions.node}`, descent: DESCENT, backends, threads: two === undefined ? undefined : TWO,
    splitMinElements: SPLIT_MIN_ELEMENTS, baseline: previous === undefined ? undefined : baselinePath(major),
    date: new Date().toISOString(), quick: cli.quick, seconds, sizes: [...sizesNeeded].sort((a, b) => a - b),
    samples: TIMING.samples,
    tfjs: tfjs === undefined ? undefined : { version: tfjs.version, wasmBinary: tfjs.wasmBinary, simd: tfjs.simd, threads: tfjs.threads },
    disagreements, leaks,
  };
  const all = { info, cases: caseResults, baselines, models: modelResults, threads: threadResults, targets };
  mkdirSync(path.dirname(cli.html), { recursive: true });
  writeFileSync(cli.html, htmlReport(all));
  if (cli.markdown !== undefined) writeFileSync(cli.markdown, markdownReport(all, notesOf(cli.markdown)));
  if (cli.save !== undefined) {
    mkdirSync(path.dirname(cli.save), { recursive: true });
    writeFileSync(cli.save, `${JSON.stringify(all)}\n`);
  }
  if (cli.saveBaseline) {
    saveBaseline(baselineOf(caseResults, { machine, date: info.date, source: `bench/run.ts${cli.quick ? " --quick" : ""} of ${info.date.slice(0, 10)}` }), baselineFile(major));
    log(`baseline for Node ${major}: ${baselinePath(major)}`);
  }
  emit({ type: "summary", ...info, checksum: sink, targetsMet: targets.filter((t) => t.met === true).length, targets: targets.length });

  const measured = caseResults.length + modelResults.length;
  log(
    `\n${cases.length} kernel cases (${caseResults.length} case × size, ${IMPLS.length} implementations at most) and ` +
      `${modelResults.length} model cases in ${seconds.toFixed(1)} s; checksum ${sink.toPrecision(8)}; ${measured} records`,
  );
  log(`HTML report: ${cli.html}${cli.markdown !== undefined ? `; Markdown: ${cli.markdown}` : ""}${cli.save !== undefined ? `; JSON: ${cli.save}` : ""}`);
  if (leaks.length > 0) console.error(`bench: TensorFlow.js tensors left behind by: ${leaks.join(", ")}`);
  if (disagreements.length > 0) {
    console.error(`bench: results differ from the js backend's (by more than 1e-3, 1e-2 for TensorFlow.js; weights 1e-3; 2 threads from one thread's bits) in: ${disagreements.join("; ")}`);
    process.exitCode = 1;
  }
}

try {
  await main();
} catch (err) {
  // Reported here: TensorFlow.js's wasm module rethrows uncaught errors with its whole source as context.
  console.error(err instanceof Error ? err.stack ?? err.message : err);
  process.exit(1);
}
