// The one registry of activations. Every other place that lists activations is derived from it:
// the WASM export wrappers (scripts/generate.ts writes assembly/index.ts), the runtime API
// (runtime.activations.<name> and the package's plain functions), the `js` backend, the
// accuracy/shape/property tests and the benchmarks. Adding an activation means writing its
// AssemblyScript lanes in assembly/activations/<file>.ts and one entry here.
//
// Conventions shared by all entries:
// - backward is the vector-Jacobian product dx = dy ⊙ f′(x), written in terms of x;
// - at a kink the derivative is the left one (ReLU′(0) = 0, leaky/PReLU′(0) = slope), as PyTorch;
// - NaN in gives NaN out, forward and backward;
// - `reference` is float64 and written in the most direct mathematical form; `js` is the `js`
//   backend's kernel, which computes in float64 and rounds once to float32;
// - `ulps` is the largest error, in float32 units in the last place of the correctly rounded
//   result, that every backend must meet against `reference` (0 means exact).
import { rowMax, rowSumExp, sigmoid64, softplus64 } from "./math64.ts";

/** A float32 heap view and element offsets: the `js` backend's pointer level. */
export type HeapF32 = Float32Array;

export interface ScalarParam {
  readonly name: string;
  readonly default: number;
  /** Returns why a value is not allowed, or undefined when it is. */
  readonly check?: (value: number) => string | undefined;
}

export interface Tolerance {
  /** Largest forward error in ulps. */
  readonly forward: number;
  /** Largest backward error in ulps (of the result, or of `scale` for row-wise ops). */
  readonly backward: number;
}

interface Common {
  readonly name: string;
  /** assembly/activations/<file>.ts */
  readonly file: string;
  /** One-line description for docs and the CLI. */
  readonly summary: string;
  readonly params: readonly ScalarParam[];
  readonly ulps: Tolerance;
  /** Where random test inputs are drawn from (the special values are always added). */
  readonly domain: readonly [number, number];
}

/** y_i = f(x_i); the WASM kernels are generated loops over the lane functions of `file`. */
export interface Elementwise extends Common {
  readonly kind: "elementwise";
  readonly reference: {
    forward(x: number, p: readonly number[]): number;
    derivative(x: number, p: readonly number[]): number;
  };
  readonly js: {
    forward(h: HeapF32, x: number, y: number, n: number, p: readonly number[]): void;
    backward(h: HeapF32, x: number, dy: number, dx: number, n: number, p: readonly number[]): void;
  };
}

/** Row-wise over the last dimension of length `cols` (softmax family). */
export interface Rowwise extends Common {
  readonly kind: "rowwise";
  readonly reference: {
    forward(row: readonly number[]): number[];
    /** dx and the scale each element's error is measured against (cancellation-prone). */
    backward(row: readonly number[], dy: readonly number[]): { dx: number[]; scale: number[] };
  };
  readonly js: {
    forward(h: HeapF32, x: number, y: number, rows: number, cols: number): void;
    backward(h: HeapF32, x: number, dy: number, dx: number, rows: number, cols: number): void;
  };
}

/** PReLU: a slope tensor (1 shared, or one per feature of the last dimension). */
export interface Slope extends Common {
  readonly kind: "slope";
  readonly defaultSlope: number;
  readonly reference: {
    forward(x: number, a: number): number;
    derivative(x: number, a: number): number;
    /** ∂y/∂a at x. */
    slopeDerivative(x: number, a: number): number;
  };
  readonly js: {
    forward(h: HeapF32, x: number, y: number, n: number, slope: number, cols: number): void;
    backward(h: HeapF32, x: number, dy: number, dx: number, n: number, slope: number, cols: number, dslope: number): void;
  };
}

export type Activation = Elementwise | Rowwise | Slope;

const finite = (v: number): string | undefined => (Number.isFinite(v) ? undefined : "a finite number");
const positive = (v: number): string | undefined =>
  Number.isFinite(v) && v > 0 ? undefined : "a finite number > 0";
const notNaN = (v: number): string | undefined => (Number.isNaN(v) ? "a number (not NaN)" : undefined);

/** The row-wise references' common start: the row maximum m, e^(x − m) and their sum, in float64. */
function shiftedExps(row: readonly number[]): { m: number; e: number[]; s: number } {
  const m = Math.max(...row);
  const e = row.map((v) => Math.exp(v - m));
  return { m, e, s: e.reduce((a, b) => a + b, 0) };
}

export const ACTIVATIONS = [
  {
    name: "sigmoid",
    file: "sigmoid",
    kind: "elementwise",
    summary: "σ(x) = 1/(1 + e^−x)",
    params: [],
    ulps: { forward: 3, backward: 4 },
    domain: [-30, 30],
    reference: {
      forward: (x) => 1 / (1 + Math.exp(-x)),
      // e/(1 + e)² with e = e^(−|x|): σ(1 − σ) would round to 0 in the tails even in float64.
      derivative: (x) => {
        const e = Math.exp(-Math.abs(x));
        return e / ((1 + e) * (1 + e));
      },
    },
    js: {
      forward(h, x, y, n) {
        for (let i = 0; i < n; i++) h[y + i] = sigmoid64(h[x + i]);
      },
      backward(h, x, dy, dx, n) {
        for (let i = 0; i < n; i++) {
          const e = Math.exp(-Math.abs(h[x + i]));
          h[dx + i] = (h[dy + i] * e) / ((1 + e) * (1 + e));
        }
      },
    },
  },
  {
    name: "tanh",
    file: "tanh",
    kind: "elementwise",
    summary: "tanh(x) = (e^x − e^−x)/(e^x + e^−x)",
    params: [],
    ulps: { forward: 3, backward: 4 },
    domain: [-12, 12],
    reference: {
      forward: (x) => Math.tanh(x),
      derivative: (x) => {
        const c = Math.cosh(x);
        return 1 / (c * c);
      },
    },
    js: {
      forward(h, x, y, n) {
        for (let i = 0; i < n; i++) h[y + i] = Math.tanh(h[x + i]);
      },
      backward(h, x, dy, dx, n) {
        for (let i = 0; i < n; i++) {
          const e = Math.exp(-2 * Math.abs(h[x + i]));
          h[dx + i] = (h[dy + i] * 4 * e) / ((1 + e) * (1 + e));
        }
      },
    },
  },
  {
    name: "relu",
    file: "relu",
    kind: "elementwise",
    summary: "max(0, x)",
    params: [],
    ulps: { forward: 0, backward: 0 },
    domain: [-10, 10],
    reference: {
      forward: (x) => (Number.isNaN(x) ? NaN : x > 0 ? x : 0),
      derivative: (x) => (Number.isNaN(x) ? NaN : x > 0 ? 1 : 0),
    },
    js: {
      forward(h, x, y, n) {
        for (let i = 0; i < n; i++) {
          const v = h[x + i];
          h[y + i] = v > 0 ? v : v !== v ? v : 0;
        }
      },
      backward(h, x, dy, dx, n) {
        for (let i = 0; i < n; i++) {
          const v = h[x + i];
          h[dx + i] = v > 0 ? h[dy + i] : v !== v ? v : 0;
        }
      },
    },
  },
  {
    name: "leakyRelu",
    file: "leaky_relu",
    kind: "elementwise",
    summary: "x for x > 0, slope·x otherwise",
    params: [{ name: "slope", default: 0.01, check: finite }],
    ulps: { forward: 0, backward: 0 },
    domain: [-10, 10],
    reference: {
      forward: (x, [a]) => (x > 0 ? x : a * x),
      derivative: (x, [a]) => (Number.isNaN(x) ? NaN : x > 0 ? 1 : a),
    },
    js: {
      forward(h, x, y, n, [a]) {
        for (let i = 0; i < n; i++) {
          const v = h[x + i];
          h[y + i] = v > 0 ? v : a * v;
        }
      },
      backward(h, x, dy, dx, n, [a]) {
        for (let i = 0; i < n; i++) {
          const v = h[x + i];
          h[dx + i] = v > 0 ? h[dy + i] : v !== v ? v : a * h[dy + i];
        }
      },
    },
  },
  {
    name: "prelu",
    file: "prelu",
    kind: "slope",
    summary: "x for x > 0, a·x otherwise; a learnable, shared or per feature",
    params: [],
    defaultSlope: 0.25,
    ulps: { forward: 0, backward: 0 },
    domain: [-10, 10],
    reference: {
      forward: (x, a) => (x > 0 ? x : a * x),
      derivative: (x, a) => (Number.isNaN(x) ? NaN : x > 0 ? 1 : a),
      slopeDerivative: (x) => (x > 0 ? 0 : x),
    },
    js: {
      forward(h, x, y, n, s, cols) {
        for (let i = 0; i < n; i++) {
          const v = h[x + i];
          h[y + i] = v > 0 ? v : h[s + (i % cols)] * v;
        }
      },
      backward(h, x, dy, dx, n, s, cols, ds) {
        const sums = new Float64Array(cols);
        for (let i = 0; i < n; i++) {
          const v = h[x + i];
          const g = h[dy + i];
          const j = i % cols;
          if (!(v > 0)) sums[j] += v * g;
          h[dx + i] = v > 0 ? g : v !== v ? v : h[s + j] * g;
        }
        for (let j = 0; j < cols; j++) h[ds + j] = sums[j];
      },
    },
  },
  {
    name: "elu",
    file: "elu",
    kind: "elementwise",
    summary: "x for x > 0, alpha·(e^x − 1) otherwise",
    params: [{ name: "alpha", default: 1, check: finite }],
    ulps: { forward: 2, backward: 4 },
    domain: [-20, 5],
    reference: {
      forward: (x, [a]) => (x > 0 ? x : a * Math.expm1(x)),
      derivative: (x, [a]) => (Number.isNaN(x) ? NaN : x > 0 ? 1 : a * Math.exp(x)),
    },
    js: {
      forward(h, x, y, n, [a]) {
        for (let i = 0; i < n; i++) {
          const v = h[x + i];
          h[y + i] = v > 0 ? v : a * Math.expm1(v);
        }
      },
      backward(h, x, dy, dx, n, [a]) {
        for (let i = 0; i < n; i++) {
          const v = h[x + i];
          h[dx + i] = v > 0 ? h[dy + i] : h[dy + i] * a * Math.exp(v);
        }
      },
    },
  },
  {
    name: "softplus",
    file: "softplus",
    kind: "elementwise",
    summary: "log(1 + e^(βx))/β, x above the threshold",
    params: [
      { name: "beta", default: 1, check: positive },
      { name: "threshold", default: 20, check: notNaN },
    ],
    ulps: { forward: 4, backward: 3 },
    domain: [-30, 30],
    reference: {
      // The threshold is compared with βx as formed in float32 (PyTorch's definition); the
      // function itself is exact.
      forward: (x, [b, t]) => (Math.fround(b * x) > t ? x : softplus64(b * x) / b),
      derivative: (x, [b, t]) => (Math.fround(b * x) > t ? 1 : sigmoid64(b * x)),
    },
    js: {
      forward(h, x, y, n, [b, t]) {
        for (let i = 0; i < n; i++) {
          const v = h[x + i];
          const z = b * v;
          h[y + i] = Math.fround(z) > t ? v : softplus64(z) / b;
        }
      },
      backward(h, x, dy, dx, n, [b, t]) {
        for (let i = 0; i < n; i++) {
          const z = b * h[x + i];
          h[dx + i] = Math.fround(z) > t ? h[dy + i] : h[dy + i] * sigmoid64(z);
        }
      },
    },
  },
  {
    name: "softmax",
    file: "softmax",
    kind: "rowwise",
    summary: "e^(x_j − max)/Σ e^(x_k − max) over each row",
    params: [],
    ulps: { forward: 3, backward: 4 },
    domain: [-20, 20],
    reference: {
      forward(row) {
        const { e, s } = shiftedExps(row);
        return e.map((v) => v / s);
      },
      backward(row, dy) {
        const { e, s } = shiftedExps(row);
        const y = e.map((v) => v / s);
        const dot = y.reduce((acc, v, k) => acc + v * dy[k], 0);
        const absDot = y.reduce((acc, v, k) => acc + Math.abs(v * dy[k]), 0);
        return {
          dx: y.map((v, j) => v * (dy[j] - dot)),
          scale: y.map((v, j) => Math.abs(v) * (Math.abs(dy[j]) + absDot)),
        };
      },
    },
    js: {
      forward(h, x, y, rows, cols) {
        for (let r = 0; r < rows; r++) {
          const o = r * cols;
          const m = rowMax(h, x + o, cols);
          let s = 0;
          for (let j = 0; j < cols; j++) {
            const e = Math.exp(h[x + o + j] - m);
            h[y + o + j] = e;
            s += e;
          }
          const inv = 1 / s;
          for (let j = 0; j < cols; j++) h[y + o + j] *= inv;
        }
      },
      backward(h, x, dy, dx, rows, cols) {
        for (let r = 0; r < rows; r++) {
          const o = r * cols;
          const m = rowMax(h, x + o, cols);
          let s = 0;
          let t = 0;
          for (let j = 0; j < cols; j++) {
            const e = Math.exp(h[x + o + j] - m);
            s += e;
            t += e * h[dy + o + j];
          }
          const dot = t / s;
          for (let j = 0; j < cols; j++) {
            const p = Math.exp(h[x + o + j] - m) / s;
            h[dx + o + j] = p * (h[dy + o + j] - dot);
          }
        }
      },
    },
  },
  {
    name: "logSoftmax",
    file: "log_softmax",
    kind: "rowwise",
    summary: "x_j − max − log Σ e^(x_k − max) over each row",
    params: [],
    ulps: { forward: 3, backward: 4 },
    domain: [-20, 20],
    reference: {
      forward(row) {
        const { m, s } = shiftedExps(row);
        return row.map((v) => v - m - Math.log(s));
      },
      backward(row, dy) {
        const { e, s } = shiftedExps(row);
        const sum = dy.reduce((a, b) => a + b, 0);
        const absSum = dy.reduce((a, b) => a + Math.abs(b), 0);
        return {
          dx: e.map((v, j) => dy[j] - (v / s) * sum),
          scale: e.map((v, j) => Math.abs(dy[j]) + (v / s) * absSum),
        };
      },
    },
    js: {
      forward(h, x, y, rows, cols) {
        for (let r = 0; r < rows; r++) {
          const o = r * cols;
          const m = rowMax(h, x + o, cols);
          const logSum = Math.log1p(rowSumExp(h, x + o, cols, m) - 1);
          for (let j = 0; j < cols; j++) h[y + o + j] = h[x + o + j] - m - logSum;
        }
      },
      backward(h, x, dy, dx, rows, cols) {
        for (let r = 0; r < rows; r++) {
          const o = r * cols;
          const m = rowMax(h, x + o, cols);
          let s = 0;
          let sum = 0;
          for (let j = 0; j < cols; j++) {
            s += Math.exp(h[x + o + j] - m);
            sum += h[dy + o + j];
          }
          const k = sum / s;
          for (let j = 0; j < cols; j++) h[dx + o + j] = h[dy + o + j] - Math.exp(h[x + o + j] - m) * k;
        }
      },
    },
  },
] as const satisfies readonly Activation[];

export type ActivationName = (typeof ACTIVATIONS)[number]["name"];

/** The WASM export names an activation implies. */
export function kernelNames(a: Activation): { forward: string; backward: string } {
  return { forward: `${a.name}_f32`, backward: `${a.name}_grad_f32` };
}
