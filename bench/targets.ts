// The speed targets and their evaluation from a result set: each target is a ratio (or a cost in
// ns) measured side by side in one run, checked on every case it names; a target is met when every
// one of its checks is. n = 65,536 unless the target says otherwise. "descent" is the default
// runtime's backend (wasm-relaxed where the engine validates relaxed SIMD, else wasm-simd: each
// result names it) at the pointer level, the typed API on its tensors at n = 16, and the same
// backend on a runtime with two threads for the threads target.
//
// Issue #10's targets come first (every runtime; the Chromium one is judged from the browser
// benchmark, bench/browser.ts, by browserTargets), then issue #4's that it left standing. A miss
// says what meeting it would take: the speed (or time) descent would need, from the same run.
import { ACTIVATIONS } from "../src/index.ts";
import type { CaseResult, ModelResult, ResultSet, TargetCheck, TargetResult } from "./results.ts";
import { compareWithBaseline } from "./stored-baseline.ts";
import { NETWORK_MATMULS } from "./cases.ts";

export interface Target {
  readonly id: string;
  readonly issue: number;
  readonly text: string;
  readonly comparison: ">=" | "<=";
  readonly threshold: number;
  readonly unit: "×" | "ns";
  /** Whether the target applies to this result set at all (the baseline one needs a stored baseline). */
  applies?(r: ResultSet): boolean;
  checks(r: ResultSet): TargetCheck[];
}

/** The size most targets are stated at. */
export const TARGET_N = 65_536;
/** The size of the threads targets. */
export const THREADS_N = 1_048_576;
/** The size of the copy-bandwidth target. */
export const LARGE_N = 4_000_000;
/** The size of the call-overhead targets. */
export const SMALL_N = 16;
/** Above this relative difference, two weight vectors do not agree. */
export const WEIGHT_AGREEMENT = 1e-3;
/** "Nothing slower than before": now/before at least this. */
export const NO_SLOWER = 0.95;

const ALL_ACTIVATION_KERNELS: readonly string[] = ACTIVATIONS.flatMap((a) => [`${a.name}_f32`, `${a.name}_grad_f32`]);

const fmtN = (n: number): string => n.toLocaleString("en-US");
const fmtRate = (v: number): string => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));

/** For a ratio target missed: the speed the numerator would need, from its speed now. */
function rateNeeded(rate: number | undefined, measured: number, threshold: number, who: string): string | undefined {
  if (rate === undefined || !(measured > 0)) return undefined;
  const need = (rate * threshold) / measured;
  return `needs ${who} at ${fmtRate(need)} Melem/s (now ${fmtRate(rate)}: +${((need / rate - 1) * 100).toFixed(0)} %)`;
}

interface KernelCheckOptions {
  /** The numerator's speed (Melem/s), for what a miss would take; descent's by default. */
  readonly rate?: (c: CaseResult) => number | undefined;
  /** Whose speed that is, in words. */
  readonly who?: (c: CaseResult) => string;
  readonly detail?: (c: CaseResult) => string | undefined;
}

function kernelChecks(
  r: ResultSet, kernels: readonly string[], size: number, value: (c: CaseResult) => number | undefined,
  comparison: ">=" | "<=", threshold: number, options: KernelCheckOptions = {},
): TargetCheck[] {
  return kernels.map((k) => {
    const c = r.cases.find((x) => x.case === k && x.size === size);
    const subject = `${k} @ ${fmtN(c?.elements ?? size)}`;
    if (c === undefined) return { subject, measured: undefined, met: undefined, detail: "not measured in this run" };
    const v = value(c);
    const ok = v !== undefined && Number.isFinite(v);
    const met = ok ? (comparison === ">=" ? v >= threshold : v <= threshold) : undefined;
    const d = options.detail?.(c);
    let needs: string | undefined;
    if (met === false && v !== undefined) {
      needs = comparison === ">="
        ? rateNeeded((options.rate ?? ((x) => x.impls[x.descent]?.melemPerS))(c), v, threshold, options.who?.(c) ?? c.descent)
        : `needs ${(v - threshold).toFixed(0)} ns less per call`;
    }
    return {
      subject, measured: ok ? v : undefined, met, ...(d !== undefined ? { detail: d } : {}), ...(needs !== undefined ? { needs } : {}),
    };
  });
}

function modelCheck(
  r: ResultSet, id: string, other: "tfjs-wasm" | "ml.js", threshold: number,
  extra?: (m: ModelResult) => { ok: boolean; detail: string } | undefined,
): TargetCheck {
  const m = r.models.find((x) => x.case === id);
  if (m === undefined) return { subject: id, measured: undefined, met: undefined, detail: "not measured in this run" };
  const v = m.ratios[other];
  const ok = v !== undefined && Number.isFinite(v);
  const e = extra?.(m);
  const met = ok ? v >= threshold && (e?.ok ?? true) : undefined;
  const ms = m.impls[m.descent]?.medianMs;
  const needs = met === false && ok && v < threshold && ms !== undefined
    ? `needs ${m.descent} at ${((ms * v) / threshold).toPrecision(3)} ms per ${m.unit} (now ${ms.toPrecision(3)}: −${((1 - v / threshold) * 100).toFixed(0)} %)`
    : undefined;
  return {
    subject: id, measured: ok ? v : undefined, met,
    ...(e !== undefined ? { detail: e.detail } : {}), ...(needs !== undefined ? { needs } : {}),
  };
}

/** The model cases of issue #11. */
const NETWORK_EPOCH = "Sequential epoch 784→256→128→10";
const MULTINOMIAL_FIT = "LogisticRegression multinomial L-BFGS 100k×32";

/** 2 threads over 1 on a model case: the speed-up of the "2 threads" contender over the default backend on one thread. */
function threadsCheck(r: ResultSet, id: string, threshold: number): TargetCheck {
  const m = r.models.find((x) => x.case === id);
  const t = m?.ratios["2 threads"];
  if (m === undefined || t === undefined || !(t > 0)) return { subject: id, measured: undefined, met: undefined, detail: "not measured in this run" };
  const v = 1 / t;
  const auto = m.ratios.threads;
  const one = m.impls[m.descent]?.medianMs;
  return {
    subject: id, measured: v, met: v >= threshold,
    ...(auto !== undefined ? { detail: `"auto" threads: ${(1 / auto).toFixed(2)}×` } : {}),
    ...(v < threshold && one !== undefined ? { needs: `needs ${(one / threshold).toPrecision(3)} ms per ${m.unit} on 2 threads (now ${(one * t).toPrecision(3)})` } : {}),
  };
}

/** The epoch targets are judged single-threaded (tfjs-wasm has no threads in Node); the threaded ratio is told beside. */
function threadedDetail(m: ModelResult): { ok: boolean; detail: string } | undefined {
  const threaded = m.impls.threads?.medianMs;
  const tf = m.impls["tfjs-wasm"]?.medianMs;
  if (threaded === undefined || tf === undefined) return undefined;
  return { ok: true, detail: `single-threaded; on worker threads ${(tf / threaded).toFixed(1)}×` };
}

const overTfjsWasm = (c: CaseResult): number => c.ratios.descentOverTfjsWasm;

export const TARGETS: readonly Target[] = [
  // ------------------------------------------------------------------ issue #10
  {
    id: "sigmoid-elu-vs-tfjs-wasm", issue: 10,
    text: "sigmoid and elu ≥ 1.3× TensorFlow.js wasm",
    comparison: ">=", threshold: 1.3, unit: "×",
    checks: (r) => kernelChecks(r, ["sigmoid_f32", "elu_f32"], TARGET_N, overTfjsWasm, ">=", 1.3),
  },
  {
    id: "softmax-vs-tfjs-wasm", issue: 10,
    text: "softmax (rows of 1,000) ≥ 1.2× TensorFlow.js wasm",
    comparison: ">=", threshold: 1.2, unit: "×",
    checks: (r) => kernelChecks(r, ["softmax_f32"], TARGET_N, overTfjsWasm, ">=", 1.2),
  },
  {
    id: "tanh-vs-tfjs-wasm", issue: 10,
    text: "tanh ≥ 15× TensorFlow.js wasm",
    comparison: ">=", threshold: 15, unit: "×",
    checks: (r) => kernelChecks(r, ["tanh_f32"], TARGET_N, overTfjsWasm, ">=", 15),
  },
  {
    id: "softplus-vs-tfjs-wasm", issue: 10,
    text: "softplus ≥ 8× TensorFlow.js wasm",
    comparison: ">=", threshold: 8, unit: "×",
    checks: (r) => kernelChecks(r, ["softplus_f32"], TARGET_N, overTfjsWasm, ">=", 8),
  },
  {
    id: "backward-vs-tfjs-wasm", issue: 10,
    text: "the backward of sigmoid, elu, softmax, tanh and softplus ahead of TensorFlow.js wasm (≥ 1×)",
    comparison: ">=", threshold: 1, unit: "×",
    checks: (r) => kernelChecks(r, ["sigmoid_grad_f32", "elu_grad_f32", "softmax_grad_f32", "tanh_grad_f32", "softplus_grad_f32"],
      TARGET_N, overTfjsWasm, ">=", 1),
  },
  {
    id: "threads-vs-tfjs-wasm", issue: 10,
    text: "on 2 threads at n = 1,048,576: sigmoid, elu and softmax ≥ 2.0× TensorFlow.js wasm",
    comparison: ">=", threshold: 2, unit: "×",
    checks: (r) => kernelChecks(r, ["sigmoid_f32", "elu_f32", "softmax_f32"], THREADS_N, (c) => c.ratios.threadsOverTfjsWasm, ">=", 2, {
      rate: (c) => c.impls["2 threads"]?.melemPerS,
      who: () => "2 threads",
      detail: (c) => (Number.isFinite(c.ratios.threadsOverDescent) ? `2 threads over 1: ${c.ratios.threadsOverDescent.toFixed(2)}×` : undefined),
    }),
  },
  {
    id: "no-slower-than-baseline", issue: 10,
    text: `nothing slower than before on this runtime: every kernel at 65,536 ≥ ${NO_SLOWER}× its stored baseline (relative to tfjs-wasm, else the plain loop, in each run)`,
    comparison: ">=", threshold: NO_SLOWER, unit: "×",
    applies: (r) => r.previous !== undefined,
    checks: (r) => {
      const previous = r.previous;
      if (previous === undefined) return [];
      return kernelChecks(r, Object.keys(previous.cases), TARGET_N, (c) => compareWithBaseline(c, previous)?.ratio, ">=", NO_SLOWER, {
        detail: (c) => {
          const cmp = compareWithBaseline(c, previous);
          if (cmp === undefined) return undefined;
          return `${c.descent} ${fmtRate(cmp.now)} Melem/s, before ${fmtRate(cmp.before)}` +
            (cmp.yardstick === "none" ? ", raw" : `; normalised by ${cmp.yardstick}`);
        },
      });
    },
  },
  // ------------------------------------------------------------------ issue #11
  {
    id: "network-epoch-vs-tfjs-layers", issue: 11,
    text: "the 784 → 256 → 128 → 10 network's epoch on one thread ≥ 10× tfjs-layers on the wasm backend",
    comparison: ">=", threshold: 10, unit: "×",
    checks: (r) => [modelCheck(r, NETWORK_EPOCH, "tfjs-wasm", 10, (m) => {
      const two = m.impls["2 threads"]?.medianMs, tf = m.impls["tfjs-wasm"]?.medianMs;
      return two !== undefined && tf !== undefined ? { ok: true, detail: `on 2 threads ${(tf / two).toFixed(1)}×` } : undefined;
    })],
  },
  {
    id: "two-threads-over-one", issue: 11,
    text: "on 2 threads ≥ 1.7× faster than on one: the network's epoch and multinomial L-BFGS (100,000 × 32, 10 classes), in Node",
    comparison: ">=", threshold: 1.7, unit: "×",
    checks: (r) => [NETWORK_EPOCH, MULTINOMIAL_FIT].map((id) => threadsCheck(r, id, 1.7)),
  },
  {
    id: "network-matmul-vs-tfjs-wasm", issue: 11,
    text: "matmul at the network's shapes (forward, Aᵀ·B, A·Bᵀ) ≥ 1.2× TensorFlow.js wasm, single-threaded",
    comparison: ">=", threshold: 1.2, unit: "×",
    checks: (r) => NETWORK_MATMULS.map(([id]) => {
      const c = r.cases.find((x) => x.case === id);
      if (c === undefined) return { subject: id, measured: undefined, met: undefined, detail: "not measured in this run" };
      return kernelChecks(r, [id], c.size, overTfjsWasm, ">=", 1.2)[0];
    }),
  },
  // ------------------------------------------------------------------ issue #4, still standing
  {
    id: "activations-vs-plain", issue: 4,
    text: "every activation, forward and backward, ≥ 10× a plain JS loop",
    comparison: ">=", threshold: 10, unit: "×",
    checks: (r) => kernelChecks(r, ALL_ACTIVATION_KERNELS, TARGET_N, (c) => c.ratios.descentOverPlain, ">=", 10, {
      detail: (c) => (c.plain === "reference" ? "no plain loop: the float64 reference per element" : undefined),
    }),
  },
  {
    id: "relu-vs-memory-copy", issue: 4,
    text: "relu, leaky ReLU and PReLU at n = 4·10⁶ ≥ 0.9× the speed of memory.copy over the same bytes",
    comparison: ">=", threshold: 0.9, unit: "×",
    checks: (r) => kernelChecks(r, ["relu_f32", "leakyRelu_f32", "prelu_f32"], LARGE_N, (c) => c.copyFraction, ">=", 0.9),
  },
  {
    id: "api-overhead", issue: 4,
    text: "the typed API on a tensor already in WASM memory costs ≤ 50 ns more than the bare WASM call (n = 16)",
    comparison: "<=", threshold: 50, unit: "ns",
    checks: (r) => kernelChecks(r, ALL_ACTIVATION_KERNELS, SMALL_N, (c) => c.apiOverheadNs, "<=", 50, {
      detail: (c) => (c.apiNoiseNs !== undefined ? `interquartile range ${c.apiNoiseNs.toFixed(0)} ns` : undefined),
    }),
  },
  {
    id: "api-vs-tfjs-wasm-small", issue: 4,
    text: "at n = 16, descent (typed API on a tensor) ≥ 25× TensorFlow.js wasm",
    comparison: ">=", threshold: 25, unit: "×",
    checks: (r) => kernelChecks(r, ALL_ACTIVATION_KERNELS, SMALL_N, (c) => c.ratios.apiOverTfjsWasm, ">=", 25, {
      rate: (c) => c.impls.api?.melemPerS,
      who: () => "the typed API",
    }),
  },
  {
    id: "mse-vs-tfjs-wasm", issue: 4,
    text: "MSE loss + gradient ≥ 8× TensorFlow.js wasm",
    comparison: ">=", threshold: 8, unit: "×",
    // descent's one-pass kernel; the two separate calls (case mse+grad) are told beside.
    checks: (r) => kernelChecks(r, ["mseWithGrad_f32"], TARGET_N, overTfjsWasm, ">=", 8, {
      detail: (c) => {
        const two = r.cases.find((x) => x.case === "mse+grad" && x.size === c.size)?.ratios.descentOverTfjsWasm;
        return two !== undefined && Number.isFinite(two) ? `as mse_f32 + mse_grad_f32: ${two.toFixed(2)}×` : undefined;
      },
    }),
  },
  {
    id: "linear-epoch-vs-tfjs-wasm", issue: 4,
    text: "one full-batch gradient-descent epoch of linear regression (N = 100,000) ≥ 10× TensorFlow.js wasm",
    comparison: ">=", threshold: 10, unit: "×",
    checks: (r) => [32, 256].map((d) => modelCheck(r, `LinearRegression epoch d=${d}`, "tfjs-wasm", 10, threadedDetail)),
  },
  {
    id: "logistic-epoch-vs-tfjs-wasm", issue: 4,
    text: "one full-batch gradient-descent epoch of logistic regression (N = 100,000) ≥ 6× TensorFlow.js wasm",
    comparison: ">=", threshold: 6, unit: "×",
    checks: (r) => [32, 256].map((d) => modelCheck(r, `LogisticRegression epoch d=${d}`, "tfjs-wasm", 6, threadedDetail)),
  },
  {
    id: "closed-form-vs-ml", issue: 4,
    text: "the closed form on 100,000 × 32 ≥ 50× ml-regression-multivariate-linear, with the same weights",
    comparison: ">=", threshold: 50, unit: "×",
    checks: (r) => [modelCheck(r, "LinearRegression closed form 100k×32", "ml.js", 50, (m) => {
      const diff = m.impls[m.descent]?.relDiff;
      const ml = m.impls["ml.js"]?.relDiff;
      // relDiff is against descent's js backend; ml.js's against it says whether the weights agree.
      const agree = ml !== undefined && ml <= WEIGHT_AGREEMENT && (diff === undefined || diff <= WEIGHT_AGREEMENT);
      const noStats = m.ratios["ml.js (statistics: false)"];
      return {
        ok: agree,
        detail: `weights ${agree ? "agree" : "DIFFER"} (ml.js vs descent: ${ml?.toExponential(1) ?? "–"} relative)` +
          (noStats !== undefined ? `; ${noStats.toFixed(1)}× ml.js with statistics: false` : ""),
      };
    })],
  },
];

/** Evaluates every target on a result set. */
export function evaluateTargets(r: ResultSet, targets: readonly Target[] = TARGETS): TargetResult[] {
  return targets.filter((t) => t.applies?.(r) ?? true).map((t) => {
    const checks = t.checks(r);
    const met = checks.some((c) => c.met === false) ? false : checks.every((c) => c.met === true) ? true : undefined;
    // The worst check: the smallest ratio (or the largest cost) among those measured.
    let worst: TargetCheck | undefined;
    for (const c of checks) {
      if (c.measured === undefined) continue;
      if (worst === undefined || worst.measured === undefined ||
        (t.comparison === ">=" ? c.measured < worst.measured : c.measured > worst.measured)) worst = c;
    }
    return { type: "target", id: t.id, issue: t.issue, text: t.text, comparison: t.comparison, threshold: t.threshold, unit: t.unit, checks, met, worst };
  });
}

/** The (case id, size) pairs the targets need, so that --quick can measure them too. */
export const TARGET_SIZES: readonly { readonly kernels: readonly string[]; readonly size: number }[] = [
  { kernels: ALL_ACTIVATION_KERNELS, size: SMALL_N },
  { kernels: [...ALL_ACTIVATION_KERNELS, "mseWithGrad_f32", "mse+grad"], size: TARGET_N },
  { kernels: ["sigmoid_f32", "elu_f32", "softmax_f32"], size: THREADS_N },
  { kernels: ["relu_f32", "leakyRelu_f32", "prelu_f32"], size: LARGE_N },
];

// ---------------------------------------------------------------------------- the browser

/** A kernel of the browser benchmark (web/bench-core.ts): Melem/s per contender. */
export interface BrowserRow {
  readonly kernel: string;
  readonly elements: number;
  readonly melems: Readonly<Record<string, number | undefined>>;
}

/** Issue #10's target for Chromium, on one page: descent (the page's best backend) over tfjs-wasm. */
export const BROWSER_TARGET = {
  id: "chromium-vs-tfjs-wasm", issue: 10,
  text: "in Chromium, on one page: sigmoid, elu and softmax ≥ 1.5× TensorFlow.js wasm",
  comparison: ">=", threshold: 1.5, unit: "×", kernels: ["sigmoid", "elu", "softmax"],
} as const;

/** The browser target judged on a browser benchmark's rows, `descent` being the page's default backend. */
export function browserTargets(rows: readonly BrowserRow[], descent: string): TargetResult[] {
  const t = BROWSER_TARGET;
  const checks: TargetCheck[] = t.kernels.map((k) => {
    const row = rows.find((x) => x.kernel === k);
    const subject = `${k} @ ${fmtN(row?.elements ?? TARGET_N)}`;
    const d = row?.melems[descent];
    const tf = row?.melems["tfjs-wasm"];
    if (d === undefined || tf === undefined || !(tf > 0)) return { subject, measured: undefined, met: undefined, detail: "not measured" };
    const v = d / tf;
    const met = v >= t.threshold;
    const needs = met ? undefined : rateNeeded(d, v, t.threshold, descent);
    return { subject, measured: v, met, ...(needs !== undefined ? { needs } : {}) };
  });
  const met = checks.some((c) => c.met === false) ? false : checks.every((c) => c.met === true) ? true : undefined;
  let worst: TargetCheck | undefined;
  for (const c of checks) if (c.measured !== undefined && (worst?.measured === undefined || c.measured < worst.measured)) worst = c;
  return [{ type: "target", id: t.id, issue: t.issue, text: t.text, comparison: t.comparison, threshold: t.threshold, unit: t.unit, checks, met, worst }];
}
