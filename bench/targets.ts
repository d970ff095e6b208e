// The speed targets of issue #4 and their evaluation from a result set: each target is a ratio
// (or a cost in ns) measured side by side in one run, checked on every case it names; a target is
// met when every one of its checks is. n = 65,536 unless the target says otherwise. "descent" is
// the wasm-simd kernel for throughput targets, and the typed API on a wasm-simd tensor at n = 16.
import { ACTIVATIONS } from "../src/index.ts";
import type { CaseResult, ModelResult, ResultSet, TargetCheck, TargetResult } from "./results.ts";

export interface Target {
  readonly id: string;
  readonly text: string;
  readonly comparison: ">=" | "<=";
  readonly threshold: number;
  readonly unit: "×" | "ns";
  checks(r: ResultSet): TargetCheck[];
}

/** The size most targets are stated at. */
export const TARGET_N = 65_536;
/** The size of the copy-bandwidth target. */
export const LARGE_N = 4_000_000;
/** The size of the call-overhead targets. */
export const SMALL_N = 16;
/** Above this relative difference, two weight vectors do not agree. */
export const WEIGHT_AGREEMENT = 1e-3;

const ALL_ACTIVATION_KERNELS: readonly string[] = ACTIVATIONS.flatMap((a) => [`${a.name}_f32`, `${a.name}_grad_f32`]);

const fmtN = (n: number): string => n.toLocaleString("en-US");

function kernelChecks(
  r: ResultSet, kernels: readonly string[], size: number, value: (c: CaseResult) => number | undefined,
  pass: (v: number) => boolean, detail?: (c: CaseResult) => string | undefined,
): TargetCheck[] {
  return kernels.map((k) => {
    const c = r.cases.find((x) => x.case === k && x.size === size);
    const subject = `${k} @ ${fmtN(c?.elements ?? size)}`;
    if (c === undefined) return { subject, measured: undefined, met: undefined, detail: "not measured in this run" };
    const v = value(c);
    const ok = v !== undefined && Number.isFinite(v);
    const d = detail?.(c);
    return { subject, measured: ok ? v : undefined, met: ok ? pass(v) : undefined, ...(d !== undefined ? { detail: d } : {}) };
  });
}

const atLeast = (t: number) => (v: number): boolean => v >= t;
const atMost = (t: number) => (v: number): boolean => v <= t;

function modelCheck(
  r: ResultSet, id: string, other: "tfjs-wasm" | "ml.js", pass: (v: number) => boolean,
  extra?: (m: ModelResult) => { ok: boolean; detail: string } | undefined,
): TargetCheck {
  const m = r.models.find((x) => x.case === id);
  if (m === undefined) return { subject: id, measured: undefined, met: undefined, detail: "not measured in this run" };
  const v = m.ratios[other];
  const ok = v !== undefined && Number.isFinite(v);
  const e = extra?.(m);
  return {
    subject: id, measured: ok ? v : undefined, met: ok ? pass(v) && (e?.ok ?? true) : undefined,
    ...(e !== undefined ? { detail: e.detail } : {}),
  };
}

/** The epoch targets are judged single-threaded (tfjs-wasm has no threads in Node); the threaded ratio is told beside. */
function threadedDetail(m: ModelResult): { ok: boolean; detail: string } | undefined {
  const simd = m.impls["wasm-simd"]?.medianMs;
  const threaded = m.impls["wasm-simd threads"]?.medianMs;
  const tf = m.impls["tfjs-wasm"]?.medianMs;
  if (simd === undefined || threaded === undefined || tf === undefined) return undefined;
  return { ok: true, detail: `single-threaded; on worker threads ${(tf / threaded).toFixed(1)}×` };
}

export const TARGETS: readonly Target[] = [
  {
    id: "exp-vs-tfjs-wasm",
    text: "exp-based activations (sigmoid, elu, softmax over rows of 1,000, and their backward) ≥ 1.5× TensorFlow.js wasm",
    comparison: ">=", threshold: 1.5, unit: "×",
    checks: (r) => kernelChecks(r, ["sigmoid_f32", "sigmoid_grad_f32", "elu_f32", "elu_grad_f32", "softmax_f32", "softmax_grad_f32"],
      TARGET_N, (c) => c.ratios.simdOverTfjsWasm, atLeast(1.5)),
  },
  {
    id: "tanh-softplus-vs-tfjs-wasm",
    text: "tanh and softplus (and their backward) ≥ 15× TensorFlow.js wasm",
    comparison: ">=", threshold: 15, unit: "×",
    checks: (r) => kernelChecks(r, ["tanh_f32", "tanh_grad_f32", "softplus_f32", "softplus_grad_f32"],
      TARGET_N, (c) => c.ratios.simdOverTfjsWasm, atLeast(15)),
  },
  {
    id: "activations-vs-plain",
    text: "every activation, forward and backward, ≥ 10× a plain JS loop",
    comparison: ">=", threshold: 10, unit: "×",
    checks: (r) => kernelChecks(r, ALL_ACTIVATION_KERNELS, TARGET_N, (c) => c.ratios.simdOverPlain, atLeast(10),
      (c) => (c.plain === "reference" ? "no plain loop: the float64 reference per element" : undefined)),
  },
  {
    id: "relu-vs-memory-copy",
    text: "relu, leaky ReLU and PReLU at n = 4·10⁶ ≥ 0.9× the speed of memory.copy over the same bytes",
    comparison: ">=", threshold: 0.9, unit: "×",
    checks: (r) => kernelChecks(r, ["relu_f32", "leakyRelu_f32", "prelu_f32"], LARGE_N, (c) => c.copyFraction, atLeast(0.9)),
  },
  {
    id: "api-overhead",
    text: "the typed API on a tensor already in WASM memory costs ≤ 50 ns more than the bare WASM call (n = 16)",
    comparison: "<=", threshold: 50, unit: "ns",
    checks: (r) => kernelChecks(r, ALL_ACTIVATION_KERNELS, SMALL_N, (c) => c.apiOverheadNs, atMost(50),
      (c) => (c.apiNoiseNs !== undefined ? `interquartile range ${c.apiNoiseNs.toFixed(0)} ns` : undefined)),
  },
  {
    id: "api-vs-tfjs-wasm-small",
    text: "at n = 16, descent (typed API on a tensor) ≥ 25× TensorFlow.js wasm",
    comparison: ">=", threshold: 25, unit: "×",
    checks: (r) => kernelChecks(r, ALL_ACTIVATION_KERNELS, SMALL_N, (c) => c.ratios.apiOverTfjsWasm, atLeast(25)),
  },
  {
    id: "mse-vs-tfjs-wasm",
    text: "MSE loss + gradient ≥ 8× TensorFlow.js wasm",
    comparison: ">=", threshold: 8, unit: "×",
    // descent's one-pass kernel; the two separate calls (case mse+grad) are told beside.
    checks: (r) => kernelChecks(r, ["mseWithGrad_f32"], TARGET_N, (c) => c.ratios.simdOverTfjsWasm, atLeast(8), (c) => {
      const two = r.cases.find((x) => x.case === "mse+grad" && x.size === c.size)?.ratios.simdOverTfjsWasm;
      return two !== undefined && Number.isFinite(two) ? `as mse_f32 + mse_grad_f32: ${two.toFixed(2)}×` : undefined;
    }),
  },
  {
    id: "linear-epoch-vs-tfjs-wasm",
    text: "one full-batch gradient-descent epoch of linear regression (N = 100,000) ≥ 10× TensorFlow.js wasm",
    comparison: ">=", threshold: 10, unit: "×",
    checks: (r) => [32, 256].map((d) => modelCheck(r, `LinearRegression epoch d=${d}`, "tfjs-wasm", atLeast(10), threadedDetail)),
  },
  {
    id: "logistic-epoch-vs-tfjs-wasm",
    text: "one full-batch gradient-descent epoch of logistic regression (N = 100,000) ≥ 6× TensorFlow.js wasm",
    comparison: ">=", threshold: 6, unit: "×",
    checks: (r) => [32, 256].map((d) => modelCheck(r, `LogisticRegression epoch d=${d}`, "tfjs-wasm", atLeast(6), threadedDetail)),
  },
  {
    id: "closed-form-vs-ml",
    text: "the closed form on 100,000 × 32 ≥ 50× ml-regression-multivariate-linear, with the same weights",
    comparison: ">=", threshold: 50, unit: "×",
    checks: (r) => [modelCheck(r, "LinearRegression closed form 100k×32", "ml.js", atLeast(50), (m) => {
      const diff = m.impls["wasm-simd"]?.relDiff;
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
  return targets.map((t) => {
    const checks = t.checks(r);
    const met = checks.some((c) => c.met === false) ? false : checks.every((c) => c.met === true) ? true : undefined;
    // The worst check: the smallest ratio (or the largest cost) among those measured.
    let worst: TargetCheck | undefined;
    for (const c of checks) {
      if (c.measured === undefined) continue;
      if (worst === undefined || worst.measured === undefined ||
        (t.comparison === ">=" ? c.measured < worst.measured : c.measured > worst.measured)) worst = c;
    }
    return { type: "target", id: t.id, text: t.text, comparison: t.comparison, threshold: t.threshold, unit: t.unit, checks, met, worst };
  });
}

/** The (case id, size) pairs the targets need, so that --quick can measure them too. */
export const TARGET_SIZES: readonly { readonly kernels: readonly string[]; readonly size: number }[] = [
  { kernels: ALL_ACTIVATION_KERNELS, size: SMALL_N },
  { kernels: [...ALL_ACTIVATION_KERNELS, "mseWithGrad_f32", "mse+grad"], size: TARGET_N },
  { kernels: ["relu_f32", "leakyRelu_f32", "prelu_f32"], size: LARGE_N },
];
