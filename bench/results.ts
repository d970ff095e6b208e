// The shape of the benchmark results: what bench/run.ts measures and prints as JSON (one record
// per line, each with a `type`), what bench/targets.ts evaluates, and what bench/report.ts turns
// into the HTML report and bench/RESULTS.md. Plus the small derived quantities they share
// (crossovers, fractions of the machine's limits).
import type { Backend, ImplName } from "./cases.ts";
import type { Baseline } from "./stored-baseline.ts";
import type { ModelImpl } from "./models.ts";

/**
 * Above this relative difference from descent's js backend, a result is flagged (and the run exits
 * with 1): the case is probably mis-bound. descent's builds hold the registry's accuracy bounds;
 * the relaxed build's fused multiply-adds round once where the others round twice, which moves an
 * activation by an ulp or so, and the reductions differ from the js backend's by the order of
 * their float32 partial sums: the largest difference in a quick run on Node 26 was 1.2·10⁻⁵
 * (dot_f32 at 65,536, the same on wasm-relaxed, wasm-simd and wasm). 10⁻³ leaves room for that at
 * 4·10⁶ and still catches a wrong kernel or argument by orders of magnitude. TensorFlow.js sums in
 * float32 in its own order, which over millions of elements drifts by up to ~10⁻³ (a loss at
 * 4·10⁶): it gets 10⁻², which still catches a wrong op by orders of magnitude. "2 threads" must
 * match the descent backend bit for bit (checked apart).
 */
export function agreementTolerance(impl: string): number {
  return impl.startsWith("tfjs") ? 1e-2 : 1e-3;
}

export interface Machine {
  readonly os: string;
  readonly cpu: string;
  readonly node: string;
  readonly v8: string;
}

export interface ImplResult {
  /** Melem/s at the median time per call. */
  readonly melemPerS: number;
  readonly medianUs: number;
  readonly iqrPct: number;
  readonly batch: number;
  readonly samples: number;
  /** Relative difference of the first call's result from the js backend's. */
  readonly relDiffVsJs: number;
  /** "2 threads" only: whether its first result is bit for bit the descent backend's on one thread. */
  readonly sameBitsAsDescent?: boolean;
}

/** A kernel case at one size. */
export interface CaseResult {
  readonly type: "case";
  readonly case: string;
  readonly kernel: string;
  readonly section: string;
  /** The requested size n (the case rounds it to whole rows: `elements`). */
  readonly size: number;
  readonly elements: number;
  readonly shape: string;
  readonly activation?: { readonly name: string; readonly kind: string; readonly direction: "forward" | "backward" };
  readonly plain: "loop" | "reference";
  /** The default runtime's backend, which the ratios, the targets and the machine fractions call descent. */
  readonly descent: Backend;
  readonly impls: Partial<Record<ImplName, ImplResult>>;
  /**
   * How many times faster descent (the `descent` backend; the typed API for apiOverTfjsWasm;
   * "2 threads" for threads*) is than the other. NaN where either was not measured.
   */
  readonly ratios: {
    readonly descentOverJs: number;
    readonly descentOverPlain: number;
    /** Over the scalar build. */
    readonly descentOverWasm: number;
    /** wasm-relaxed over wasm-simd: what relaxed SIMD changes. */
    readonly relaxedOverSimd: number;
    readonly descentOverTfjsWasm: number;
    readonly descentOverTfjsCpu: number;
    readonly apiOverTfjsWasm: number;
    /** 2 threads over the descent backend on one thread. */
    readonly threadsOverDescent: number;
    readonly threadsOverTfjsWasm: number;
  };
  /** Typed-API cost above the bare kernel call, ns per call (activations only). */
  readonly apiOverheadNs: number | undefined;
  /** The larger interquartile range of the two, ns: an overhead below it is not resolved. */
  readonly apiNoiseNs: number | undefined;
  /** Bytes the work reads and writes. */
  readonly trafficBytes: number;
  /** Median µs of memory.copy over the same traffic (half of it read, half written), timed with the case. */
  readonly copyUs: number | undefined;
  /** That time over descent's: 1 means the kernel runs at memory.copy speed. */
  readonly copyFraction: number | undefined;
  /** descent's arithmetic rate as a fraction of the measured f32x4 peak (where the work has a nominal flop count). */
  readonly peakFraction: number | undefined;
}

export interface CopyBaseline {
  readonly type: "baseline";
  readonly name: "memory.copy";
  /** Elements of 4 bytes copied (the kernel sizes). */
  readonly size: number;
  readonly bytes: number;
  readonly medianUs: number;
  readonly iqrPct: number;
  /** Bytes copied per second (each byte is read once and written once). */
  readonly bytesPerS: number;
}

export interface PeakBaseline {
  readonly type: "baseline";
  readonly name: "peak f32x4";
  /** The best chain count's rate, floating-point operations per second (mul and add, 4 lanes each). */
  readonly flopsPerS: number;
  readonly chains: number;
  readonly byChains: Readonly<Record<string, number>>;
}

export type BaselineResult = CopyBaseline | PeakBaseline;

export interface ModelImplSummary {
  /** Median milliseconds per unit (epoch or fit). */
  readonly medianMs: number;
  readonly iqrPct: number;
  readonly units: number;
  /** Relative difference of its weights from the reference's, where comparable. */
  readonly relDiff: number | undefined;
}

export interface ModelResult {
  readonly type: "model";
  readonly case: string;
  readonly section: string;
  readonly unit: "epoch" | "fit" | "predict";
  readonly shape: string;
  readonly rows: number;
  readonly cols: number;
  readonly note: string;
  /** The default runtime's backend: the ratios are its speed over the others'. */
  readonly descent: Backend;
  readonly impls: Partial<Record<ModelImpl, ModelImplSummary>>;
  /** How many times faster descent (its default backend, single-threaded) is than each other implementation. */
  readonly ratios: Partial<Record<ModelImpl, number>>;
}

/** One size of the split crossover: a kernel on one thread and split over two, interleaved. */
export interface SplitPoint {
  readonly elements: number;
  readonly oneMelemPerS: number;
  readonly twoMelemPerS: number;
  /** Two threads' speed over one's. */
  readonly speedup: number;
  /** Whether the two results are bit for bit the same (they must be). */
  readonly sameBits: boolean;
}

/** Where splitting a kernel over two threads starts to pay (bench/split.ts). */
export interface ThreadsResult {
  readonly type: "threads";
  readonly kernel: string;
  readonly descent: Backend;
  readonly points: readonly SplitPoint[];
  /** The interpolated size from which two threads beat one for good (results.crossover), if any. */
  readonly crossover: number | undefined;
  /** Two threads already won at the smallest size measured. */
  readonly always: boolean;
  /** The runtime's threshold (SPLIT_MIN_ELEMENTS) in this build. */
  readonly splitMinElements: number;
}

export interface TargetCheck {
  /** What was measured: the case and size, in words. */
  readonly subject: string;
  readonly measured: number | undefined;
  readonly met: boolean | undefined;
  readonly detail?: string;
  /** For a miss: what meeting it would take, in descent's own terms (a speed or a time to reach). */
  readonly needs?: string;
}

export interface TargetResult {
  readonly type: "target";
  readonly id: string;
  /** The issue that set it. */
  readonly issue: number;
  readonly text: string;
  readonly comparison: ">=" | "<=";
  readonly threshold: number;
  readonly unit: "×" | "ns";
  readonly checks: readonly TargetCheck[];
  /** Every check met; undefined when some could not be measured (filtered out, or --quick without the size). */
  readonly met: boolean | undefined;
  /** The check furthest from the threshold (or undefined). */
  readonly worst: TargetCheck | undefined;
}

export interface RunInfo {
  readonly machine: Machine;
  /** The runtime in words ("Node 26.12.1"). */
  readonly runtime: string;
  /** The default runtime's backend here: what "descent" means in this run. */
  readonly descent: Backend;
  /** descent's backends measured (those this engine runs). */
  readonly backends: readonly Backend[];
  /** Threads of the "2 threads" runtime (undefined when it was not made), and its split threshold. */
  readonly threads: number | undefined;
  readonly splitMinElements: number;
  /** The stored baseline compared with (bench/baseline-node<N>.json), if any. */
  readonly baseline: string | undefined;
  readonly date: string;
  readonly quick: boolean;
  readonly seconds: number;
  readonly sizes: readonly number[];
  readonly samples: number;
  readonly tfjs: { readonly version: string; readonly wasmBinary: string; readonly simd: boolean; readonly threads: boolean } | undefined;
  readonly disagreements: readonly string[];
  readonly leaks: readonly string[];
}

/** A kernel of the browser benchmark (web/bench-core.ts): Melem/s and spread per contender. */
export interface BrowserRowResult {
  readonly kernel: string;
  readonly shape: string;
  readonly elements: number;
  /** Melem/s per contender (descent's backends and "tfjs-wasm"), the median over the page's runs. */
  readonly melems: Readonly<Record<string, number | undefined>>;
  /** Interquartile range in % of the median, per contender (of the first run). */
  readonly iqr: Readonly<Record<string, number | undefined>>;
}

/** One run of the browser benchmark in headless Chromium (bench/browser.ts, bench/out/chromium.json). */
export interface BrowserRun {
  readonly type: "browser";
  readonly date: string;
  /** "Chromium 150.0.7000.0" */
  readonly browser: string;
  readonly userAgent: string;
  readonly machine: { readonly os: string; readonly cpu: string };
  /** The page's default backend (bestBackend() there): what "descent" means in this run. */
  readonly descent: string;
  /** The columns measured: descent's backends on the page, then tfjs-wasm when it loaded. */
  readonly contenders: readonly string[];
  readonly tfjs: { readonly version: string; readonly wasmBinary: string; readonly simd: boolean; readonly threads: boolean } | undefined;
  /** How many times the page ran the benchmark (the rows hold the median of each). */
  readonly runs: number;
  readonly seconds: number;
  readonly rows: readonly BrowserRowResult[];
  readonly targets: readonly TargetResult[];
}

export interface ResultSet {
  readonly cases: readonly CaseResult[];
  readonly baselines: readonly BaselineResult[];
  readonly models: readonly ModelResult[];
  readonly threads?: readonly ThreadsResult[];
  /** The earlier run of this runtime to compare with ("nothing slower than before"). */
  readonly previous?: Baseline;
}

/**
 * Where `a` starts to beat `b` for good, over a case's sizes: the interpolated size (geometric)
 * at which a/b crosses 1, the smallest size when `a` wins throughout, undefined when it never does.
 */
export function crossover(
  points: readonly { readonly elements: number; readonly a: number | undefined; readonly b: number | undefined }[],
): { readonly at: number | undefined; readonly always: boolean } {
  const ok = points.filter((p) => p.a !== undefined && p.b !== undefined && p.a > 0 && p.b > 0)
    .sort((x, y) => x.elements - y.elements) as { elements: number; a: number; b: number }[];
  if (ok.length === 0) return { at: undefined, always: false };
  let first = ok.length;
  for (let i = ok.length - 1; i >= 0 && ok[i].a >= ok[i].b; i--) first = i;
  if (first === ok.length) return { at: undefined, always: false };
  if (first === 0) return { at: ok[0].elements, always: true };
  const lo = ok[first - 1];
  const hi = ok[first];
  const rLo = Math.log(lo.a / lo.b);
  const rHi = Math.log(hi.a / hi.b);
  const t = rHi === rLo ? 1 : -rLo / (rHi - rLo);
  return { at: Math.exp(Math.log(lo.elements) + t * (Math.log(hi.elements) - Math.log(lo.elements))), always: false };
}

/** memory.copy's bandwidth (bytes/s) for a copy of about `bytes`: the nearest measured size (log scale). */
export function copyBandwidth(baselines: readonly BaselineResult[], bytes: number): number | undefined {
  let best: CopyBaseline | undefined;
  for (const b of baselines) {
    if (b.name !== "memory.copy") continue;
    if (best === undefined || Math.abs(Math.log(b.bytes / bytes)) < Math.abs(Math.log(best.bytes / bytes))) best = b;
  }
  return best?.bytesPerS;
}

export function peakFlops(baselines: readonly BaselineResult[]): number | undefined {
  for (const b of baselines) if (b.name === "peak f32x4") return b.flopsPerS;
  return undefined;
}
