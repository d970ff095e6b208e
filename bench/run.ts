// The benchmark driver (`npm run bench`, i.e. tsx bench/run.ts): runs the cases of
// bench/cases.ts at each size, every implementation interleaved in one process
// (bench/timing.ts), and prints a table, or one JSON record per case with --json.
//
//   npx tsx bench/run.ts [--quick] [--json] [--filter=TEXT] [TEXT ...]
//
// --quick     sizes 10³ and 10⁵ only, fewer samples (a smoke test of performance, not a measurement)
// --json      one JSON object per line and case instead of the table (stdout); notes go to stderr
// TEXT        only cases whose name contains TEXT (case-insensitive); several select their union
import os from "node:os";
import { createRuntime, type Backend, type Runtime } from "../src/index.ts";
import {
  allCases, bind, IMPLS, MATMUL_K, MATMUL_N, PRELU_FEATURES, relativeDifference, SOFTMAX_COLS,
  type BoundContender, type Case, type ImplName,
} from "./cases.ts";
import { measure, type Stats, type TimingOptions } from "./timing.ts";

interface Cli {
  quick: boolean;
  json: boolean;
  filters: string[];
}

const USAGE = "usage: tsx bench/run.ts [--quick] [--json] [--filter=TEXT] [TEXT ...]";

function parseArgs(argv: readonly string[]): Cli {
  const cli: Cli = { quick: false, json: false, filters: [] };
  for (const arg of argv) {
    if (arg === "--quick") cli.quick = true;
    else if (arg === "--json") cli.json = true;
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
const SIZES = cli.quick ? [1e3, 1e5] : [1e3, 1e5, 4e6];
const TIMING: TimingOptions = cli.quick
  ? { samples: 7, minSampleMs: 1, warmupMs: 15, warmupCalls: 2 }
  : { samples: 15, minSampleMs: 1, warmupMs: 100, warmupCalls: 2 };
/** Above this relative difference from the js backend, a result is flagged: the case is probably mis-bound. */
const AGREEMENT = 1e-3;

const machine = {
  os: `${os.type()} ${os.release()} ${os.arch()}`,
  cpu: `${os.cpus()[0]?.model ?? "unknown"} (${os.cpus().length} logical cores)`,
  node: process.version,
  v8: process.versions.v8,
};

// ---------------------------------------------------------------------------- reporting

interface ImplResult {
  /** Melem/s at the median time per call. */
  readonly melemPerS: number;
  readonly medianUs: number;
  readonly iqrPct: number;
  readonly batch: number;
  /** Relative difference of the first call's result from the js backend's. */
  readonly relDiffVsJs: number;
}

interface CaseResult {
  readonly case: string;
  readonly kernel: string;
  readonly section: string;
  readonly size: number;
  readonly elements: number;
  readonly shape: string;
  readonly plain: "loop" | "reference";
  readonly impls: Partial<Record<ImplName, ImplResult>>;
  readonly ratios: { readonly simdOverJs: number; readonly simdOverPlain: number; readonly simdOverWasm: number };
  /** Typed-API cost above the bare kernel call, µs per call (activations only). */
  readonly apiOverheadUs: number | undefined;
  /** The larger interquartile range of the two, µs: an overhead below it is not resolved. */
  readonly apiNoiseUs: number | undefined;
}

/** How many times faster wasm-simd is than `other` (NaN when either is missing). */
const speedup = (impls: CaseResult["impls"], other: ImplName): number =>
  (impls["wasm-simd"]?.melemPerS ?? NaN) / (impls[other]?.melemPerS ?? NaN);

function fmtRate(v: number): string {
  if (!Number.isFinite(v)) return "–";
  if (v >= 100) return v.toFixed(0);
  if (v >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

const fmtRatio = (v: number): string => (Number.isFinite(v) ? `${v >= 10 ? v.toFixed(1) : v.toFixed(2)}×` : "–");

const COLUMNS: readonly { readonly impl: ImplName; readonly title: string }[] = [
  { impl: "wasm-simd", title: "wasm-simd" },
  { impl: "wasm", title: "wasm" },
  { impl: "js", title: "js" },
  { impl: "plain", title: "plain" },
  { impl: "simd-api", title: "simd api" },
];
const W = { id: 30, n: 10, cell: 12, ratio: 11, api: 9 };

/** At large n the overhead drowns in the kernel's own variation: say so rather than print noise. */
function fmtOverhead(us: number | undefined, noise: number | undefined): string {
  if (us === undefined) return "";
  if (noise !== undefined && Math.abs(us) < noise) return "≈0";
  return `${us >= 0 ? "+" : ""}${us.toFixed(2)}`;
}

function header(): string {
  const cells = COLUMNS.map((c) => c.title.padStart(W.cell)).join("");
  const ratios = ["simd/js", "simd/plain", "simd/wasm"].map((t) => t.padStart(W.ratio)).join("");
  return `${"kernel".padEnd(W.id)}${"elements".padStart(W.n)}${cells}${ratios}${"api µs".padStart(W.api + 1)}`;
}

function row(r: CaseResult, first: boolean): string {
  const cells = COLUMNS.map((c) => {
    const s = r.impls[c.impl];
    if (s === undefined) return "".padStart(W.cell);
    const mark = c.impl === "plain" && r.plain === "reference" ? "*" : " ";
    const spread = Number.isFinite(s.iqrPct) ? Math.min(99, Math.round(s.iqrPct)) : 0;
    return `${fmtRate(s.melemPerS)}${mark}±${String(spread).padEnd(2)}`.padStart(W.cell);
  }).join("");
  const ratios = [r.ratios.simdOverJs, r.ratios.simdOverPlain, r.ratios.simdOverWasm]
    .map((v) => fmtRatio(v).padStart(W.ratio)).join("");
  const api = fmtOverhead(r.apiOverheadUs, r.apiNoiseUs);
  const off = Object.entries(r.impls)
    .filter(([, s]) => s !== undefined && !(s.relDiffVsJs <= AGREEMENT))
    .map(([name, s]) => `${name} differs from js by ${s?.relDiffVsJs.toExponential(1)}`);
  const label = first ? r.case : "";
  return `${label.padEnd(W.id)}${r.elements.toLocaleString("en-US").padStart(W.n)}${cells}${ratios}${api.padStart(W.api + 1)}` +
    (off.length > 0 ? `   ! ${off.join("; ")}` : "");
}

// ---------------------------------------------------------------------------- running

async function runtimes(): Promise<Record<Backend, Runtime>> {
  return {
    "wasm-simd": await createRuntime({ backend: "wasm-simd" }),
    wasm: await createRuntime({ backend: "wasm" }),
    js: await createRuntime({ backend: "js" }),
  };
}

/** One call of each contender before anything else, compared with the js backend's result. */
function agreement(contenders: readonly BoundContender[]): Map<ImplName, number> {
  const first = new Map<ImplName, Float32Array | number>();
  for (const c of contenders) {
    c.run();
    // Copied now: wasm-simd and its typed API share output tensors, and the updates work in place.
    const r = c.result();
    first.set(c.name, typeof r === "number" ? r : r.slice());
  }
  const ref = first.get("js");
  const diffs = new Map<ImplName, number>();
  for (const [name, r] of first) diffs.set(name, ref === undefined ? NaN : relativeDifference(r, ref));
  return diffs;
}

function runCase(c: Case, size: number, rts: Record<Backend, Runtime>): { result: CaseResult; sink: number } {
  const w = c.workload(size);
  const bound = bind(c, w, rts);
  try {
    const diffs = agreement(bound.contenders);
    const m = measure(bound.contenders, TIMING);
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
        relDiffVsJs: diffs.get(k.name) ?? NaN,
      };
    });
    const api = stats.get("simd-api");
    const simd = stats.get("wasm-simd");
    const result: CaseResult = {
      case: c.id, kernel: c.kernel, section: c.section, size, elements: w.elements, shape: w.shape,
      plain: c.plainIsReference ? "reference" : "loop",
      impls,
      ratios: { simdOverJs: speedup(impls, "js"), simdOverPlain: speedup(impls, "plain"), simdOverWasm: speedup(impls, "wasm") },
      apiOverheadUs: api !== undefined && simd !== undefined ? (api.median - simd.median) * 1e6 : undefined,
      apiNoiseUs: api !== undefined && simd !== undefined ? Math.max(api.q3 - api.q1, simd.q3 - simd.q1) * 1e6 : undefined,
    };
    return { result, sink: m.sink };
  } finally {
    bound.dispose();
  }
}

async function main(): Promise<void> {
  const started = performance.now();
  const needles = cli.filters.map((f) => f.toLowerCase());
  const cases = allCases().filter((c) => needles.length === 0 || needles.some((f) => c.id.toLowerCase().includes(f)));
  if (cases.length === 0) {
    console.error(`bench: no case matches ${cli.filters.join(", ")}; cases are:\n  ${allCases().map((c) => c.id).join("\n  ")}`);
    process.exit(2);
  }
  const rts = await runtimes();
  const log = cli.json ? (s: string) => console.error(s) : (s: string) => console.log(s);

  log(`descent benchmarks${cli.quick ? " (--quick)" : ""}: ${machine.os}; ${machine.cpu}; node ${machine.node} (V8 ${machine.v8})`);
  log(
    `median throughput in Melem/s (±: interquartile range, % of median) over ${TIMING.samples} interleaved samples ` +
      `of ≥ ${TIMING.minSampleMs} ms; sizes ${SIZES.map((s) => s.toExponential(0).replace("e+", "e")).join(", ")}`,
  );
  if (!cli.json) {
    log("wasm-simd, wasm, js: pointer-level kernels (runtime.kernels); plain: hand-written JS loop (bench/plain.ts);");
    log("simd api: runtime.activations.<name>.forward/backward on wasm-simd tensors; api µs: its cost per call above the bare kernel");
    log(
      `softmax family and cross-entropy: rows of ${SOFTMAX_COLS}; prelu: ${PRELU_FEATURES} per-feature slopes; ` +
        `gemv/gemvT: A of rows × cols; matmul: [n/${MATMUL_K}, ${MATMUL_K}]·[${MATMUL_K}, ${MATMUL_N}] (elements of A, ${MATMUL_N} multiply-adds each)`,
    );
    log(
      "inputs are the same on every call: at 10³ this CPU's branch predictor can learn them, which flatters code that " +
        "branches on the data (scalar wasm, js and plain on the relu family, prelu, sigmoid); trust 10⁵ for those",
    );
  }

  let sink = 0;
  /** Cases whose results disagree with the js backend's: a mis-bound case or a broken kernel. */
  const disagreements: string[] = [];
  let section = "";
  let anyReference = false;
  if (!cli.json) log(`\n${header()}`);
  for (const c of cases) {
    if (!cli.json && c.section !== section) {
      section = c.section;
      log(`── ${section} ${"─".repeat(Math.max(0, header().length - section.length - 4))}`);
    }
    anyReference ||= c.plainIsReference;
    SIZES.forEach((size, i) => {
      const { result, sink: s } = runCase(c, size, rts);
      sink += s;
      if (Object.values(result.impls).some((x) => x !== undefined && !(x.relDiffVsJs <= AGREEMENT))) {
        disagreements.push(`${result.case} at ${result.elements}`);
      }
      if (cli.json) console.log(JSON.stringify({ ...result, machine, quick: cli.quick, samples: TIMING.samples }));
      else log(row(result, i === 0));
    });
  }
  const seconds = (performance.now() - started) / 1000;
  if (!cli.json && anyReference) log("* no plain loop in bench/plain.ts: the registry's float64 reference, called per element");
  log(`\n${cases.length} cases × ${SIZES.length} sizes (${IMPLS.length} implementations at most) in ${seconds.toFixed(1)} s; checksum ${sink.toPrecision(8)}`);
  if (disagreements.length > 0) {
    console.error(`bench: results differ from the js backend's by more than ${AGREEMENT} in: ${disagreements.join(", ")}`);
    process.exitCode = 1;
  }
}

await main();
