// The benchmark cases: what is measured, on which data, through which entry points. The
// activation cases are derived from the registry (src/registry.ts), so a new activation is
// benchmarked without touching this file; the losses, updates and linear algebra follow the
// kernel signatures of src/ops-js.ts.
//
// A case describes its buffers and its argument list once, in the kernel's own order (buffer
// names where the kernel takes a pointer, numbers for scalars). From that one description,
// bind() makes every contender: the pointer-level kernel of each backend (data copied into that
// runtime's memory once, here, outside anything timed), the plain loop of bench/plain.ts over
// ordinary Float32Arrays, for activations the typed API on tensors of the default runtime
// ("descent": the backend createRuntime() picks here), at the large sizes the kernel split over a
// runtime with two threads as that runtime splits it, and, when TensorFlow.js is loaded, its
// formulation of the same work on each of its two backends (bench/tfjs-ops.ts). The model cases
// (training epochs, whole fits) are in bench/models.ts.
import { ACTIVATIONS, type Activation, type ActivationName, type Backend, type Runtime, type Tensor } from "../src/index.ts";
import type { Split } from "../src/runtime.ts";
import { PLAIN, type PlainArg, type PlainKernel } from "./plain.ts";
import type { Contender } from "./timing.ts";
import { mulberry32 } from "../src/random.ts";
import { tfjsContender, type Tfjs } from "./tfjs-ops.ts";

// ---------------------------------------------------------------------------- seeded inputs

export type Rng = () => number;

/** Seeded inputs, reproducible run to run. */
export const rng: (seed: number) => Rng = mulberry32;

export function uniform(r: Rng, length: number, lo: number, hi: number): Float32Array {
  const a = new Float32Array(length);
  for (let i = 0; i < length; i++) a[i] = lo + (hi - lo) * r();
  return a;
}

function integers(r: Rng, length: number, below: number): Int32Array {
  const a = new Int32Array(length);
  for (let i = 0; i < length; i++) a[i] = Math.floor(r() * below);
  return a;
}

/** A string hash, so each case gets its own but stable seed. */
function seedOf(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

// ---------------------------------------------------------------------------- case table

export type { Backend };

/** descent's backends, best first (those this engine cannot run are left out of a run). */
export const BACKENDS: readonly Backend[] = ["wasm-relaxed", "wasm-simd", "wasm", "js"];

/**
 * The implementations measured side by side, in the order they are reported: descent's backends
 * at the pointer level, the default backend on a runtime with two threads ("2 threads", at
 * THREAD_SIZES), the plain loop, the typed API on the default runtime's tensors ("api"), TensorFlow.js.
 */
export const IMPLS = ["wasm-relaxed", "wasm-simd", "wasm", "js", "2 threads", "plain", "api", "tfjs-wasm", "tfjs-cpu"] as const;
export type ImplName = (typeof IMPLS)[number];

/** The sizes at which the "2 threads" contender runs (above SPLIT_MIN_ELEMENTS, where the runtime splits). */
export const THREAD_SIZES: readonly number[] = [1_048_576, 4_000_000];

interface BufferSpec {
  readonly data: Float32Array | Int32Array;
  readonly shape?: readonly number[];
  /** How the kernel uses it: read (default), written only, or read and written (in place). For the memory traffic. */
  readonly io?: "in" | "out" | "inout";
}

/** One more kernel call after the case's own (a case of several kernels, such as a loss and its gradient). */
export interface FollowingCall {
  readonly kernel: string;
  readonly args: readonly (string | number)[];
}

/** One case at one size: concrete buffers and arguments. */
export interface Workload {
  /** Elements the throughput is counted in (n, rounded to whole rows where the case has rows). */
  readonly elements: number;
  /** The problem's shape in words, for the reader of the output. */
  readonly shape: string;
  readonly buffers: Readonly<Record<string, BufferSpec>>;
  /** The kernel's arguments: a buffer's name where it takes a pointer, else the scalar. */
  readonly args: readonly (string | number)[];
  /** The buffer holding the result, or undefined when the kernel returns it. */
  readonly out: string | undefined;
  /** Kernels called after the first, in the same call of every contender (the first one's scalar is the result's). */
  readonly then?: readonly FollowingCall[];
  /** The typed-API call equivalent to the kernel call, over tensors holding the same buffers. */
  readonly api?: (rt: Runtime, t: Readonly<Record<string, Tensor>>) => () => unknown;
  /**
   * How a threaded runtime divides this kernel's work (as src/runtime.ts splits it: activations but
   * PReLU, and the updates); undefined for kernels that always run on one thread.
   */
  readonly split?: Split;
}

export interface Case {
  /** Unique and filterable: the kernel name, plus the shape parameter where there are several. */
  readonly id: string;
  readonly kernel: string;
  readonly section: "activations" | "losses" | "updates" | "linear algebra";
  /** Kind of activation (for the targets), when the case is one. */
  readonly activation?: { readonly name: string; readonly kind: Activation["kind"]; readonly direction: "forward" | "backward" };
  /** Nominal floating-point operations per element, where the work has a textbook count (for "% of peak"). */
  readonly flopsPerElement?: number;
  readonly plain: PlainKernel;
  /** True when no plain loop exists and the registry's float64 reference stands in for one. */
  readonly plainIsReference: boolean;
  workload(n: number): Workload;
}

/** Row length of the row-wise activations and of the softmax cross-entropy (ImageNet-sized). */
export const SOFTMAX_COLS = 1000;
/** Features of PReLU's per-feature slope. */
export const PRELU_FEATURES = 64;
/** matmul: A is [n/64, 64], B is [64, 64]: a batch of n/64 rows through a 64 → 64 dense layer. */
export const MATMUL_K = 64;
export const MATMUL_N = 64;

/** Whole rows of `cols` closest to n elements (at least one row). */
const rowsFor = (n: number, cols: number): number => Math.max(1, Math.round(n / cols));

function activationCases(): Case[] {
  const cases: Case[] = [];
  for (const a of ACTIVATIONS as readonly Activation[]) {
    for (const dir of ["forward", "backward"] as const) {
      const kernel = dir === "forward" ? `${a.name}_f32` : `${a.name}_grad_f32`;
      const own = PLAIN[kernel];
      cases.push({
        id: kernel,
        kernel,
        section: "activations",
        activation: { name: a.name, kind: a.kind, direction: dir },
        plain: own ?? referenceLoop(a, dir),
        plainIsReference: own === undefined,
        workload: (n) => activationWorkload(a, dir, n, rng(seedOf(`${kernel}/${n}`))),
      });
    }
  }
  return cases;
}

function activationWorkload(a: Activation, dir: "forward" | "backward", n: number, r: Rng): Workload {
  const op = (rt: Runtime) => rt.activations[a.name as ActivationName];
  const [lo, hi] = a.domain;
  if (a.kind === "elementwise") {
    const p = a.params.map((q) => q.default);
    const x = { data: uniform(r, n, lo, hi) };
    if (dir === "forward") {
      return {
        elements: n, shape: `[${n}]`, out: "y", args: ["x", "y", n, ...p], split: { count: 2, pointers: [0, 1] },
        buffers: { x, y: { data: new Float32Array(n), io: "out" } },
        api: (rt, t) => { const f = op(rt); const o = { out: t.y }; return () => f.forward(t.x, o); },
      };
    }
    return {
      elements: n, shape: `[${n}]`, out: "dx", args: ["x", "dy", "dx", n, ...p], split: { count: 3, pointers: [0, 1, 2] },
      buffers: { x, dy: { data: uniform(r, n, -1, 1) }, dx: { data: new Float32Array(n), io: "out" } },
      api: (rt, t) => { const f = op(rt); const o = { out: t.dx }; return () => f.backward(t.x, t.dy, o); },
    };
  }
  if (a.kind === "rowwise") {
    // Rows of SOFTMAX_COLS; below that, one row of n (so that the smallest sizes stay distinct).
    const cols = Math.min(SOFTMAX_COLS, n);
    const rows = rowsFor(n, cols);
    const len = rows * cols;
    const shape = [rows, cols];
    const x = { data: uniform(r, len, lo, hi), shape };
    const words = `${rows} row${rows === 1 ? "" : "s"} × ${cols}`;
    if (dir === "forward") {
      return {
        elements: len, shape: words, out: "y", args: ["x", "y", rows, cols], split: { count: 2, pointers: [0, 1], width: 3 },
        buffers: { x, y: { data: new Float32Array(len), shape, io: "out" } },
        api: (rt, t) => { const f = op(rt); const o = { out: t.y }; return () => f.forward(t.x, o); },
      };
    }
    return {
      elements: len, shape: words, out: "dx", args: ["x", "dy", "dx", rows, cols], split: { count: 3, pointers: [0, 1, 2], width: 4 },
      buffers: { x, dy: { data: uniform(r, len, -1, 1), shape }, dx: { data: new Float32Array(len), shape, io: "out" } },
      api: (rt, t) => { const f = op(rt); const o = { out: t.dx }; return () => f.backward(t.x, t.dy, o); },
    };
  }
  const cols = Math.min(PRELU_FEATURES, n);
  const rows = rowsFor(n, cols);
  const len = rows * cols;
  const shape = [rows, cols];
  const words = `[${rows}, ${cols}], one slope per feature`;
  const x = { data: uniform(r, len, lo, hi), shape };
  const slope = { data: uniform(r, cols, 0.05, 0.45) };
  if (dir === "forward") {
    return {
      elements: len, shape: words, out: "y", args: ["x", "y", len, "slope", cols],
      buffers: { x, y: { data: new Float32Array(len), shape, io: "out" }, slope },
      api: (rt, t) => { const f = op(rt); const o = { out: t.y, slope: t.slope }; return () => f.forward(t.x, o); },
    };
  }
  return {
    elements: len, shape: words, out: "dx", args: ["x", "dy", "dx", len, "slope", cols, "dslope"],
    buffers: {
      x, dy: { data: uniform(r, len, -1, 1), shape }, dx: { data: new Float32Array(len), shape, io: "out" },
      slope, dslope: { data: new Float32Array(cols), io: "out" },
    },
    api: (rt, t) => {
      const f = op(rt);
      const o = { out: t.dx, slope: t.slope, dslope: t.dslope };
      return () => f.backward(t.x, t.dy, o);
    },
  };
}

/**
 * The stand-in for a missing plain loop: the registry's float64 reference, called per element
 * (per row for row-wise ones), with the kernel's arguments.
 */
function referenceLoop(a: Activation, dir: "forward" | "backward"): PlainKernel {
  if (a.kind === "elementwise") {
    const ref = a.reference;
    if (dir === "forward") {
      return (...args) => {
        const [x, y, n, ...p] = args as [Float32Array, Float32Array, number, ...number[]];
        for (let i = 0; i < n; i++) y[i] = ref.forward(x[i], p);
      };
    }
    return (...args) => {
      const [x, dy, dx, n, ...p] = args as [Float32Array, Float32Array, Float32Array, number, ...number[]];
      for (let i = 0; i < n; i++) dx[i] = dy[i] * ref.derivative(x[i], p);
    };
  }
  if (a.kind === "rowwise") {
    const ref = a.reference;
    if (dir === "forward") {
      return (...args) => {
        const [x, y, rows, cols] = args as [Float32Array, Float32Array, number, number];
        for (let o = 0; o < rows * cols; o += cols) y.set(ref.forward(Array.from(x.subarray(o, o + cols))), o);
      };
    }
    return (...args) => {
      const [x, dy, dx, rows, cols] = args as [Float32Array, Float32Array, Float32Array, number, number];
      for (let o = 0; o < rows * cols; o += cols) {
        const row = (v: Float32Array): number[] => Array.from(v.subarray(o, o + cols));
        dx.set(ref.backward(row(x), row(dy)).dx, o);
      }
    };
  }
  const ref = a.reference;
  if (dir === "forward") {
    return (...args) => {
      const [x, y, n, s, cols] = args as [Float32Array, Float32Array, number, Float32Array, number];
      for (let i = 0; i < n; i++) y[i] = ref.forward(x[i], s[i % cols]);
    };
  }
  return (...args) => {
    const [x, dy, dx, n, s, cols, ds] =
      args as [Float32Array, Float32Array, Float32Array, number, Float32Array, number, Float32Array];
    ds.fill(0);
    for (let i = 0; i < n; i++) {
      const sl = s[i % cols];
      dx[i] = dy[i] * ref.derivative(x[i], sl);
      ds[i % cols] += dy[i] * ref.slopeDerivative(x[i], sl);
    }
  };
}

/** A non-activation case: its plain loop must exist (there is no reference to fall back on). */
function opCase(
  id: string, kernel: string, section: Case["section"], workload: (n: number, r: Rng) => Workload, flopsPerElement?: number,
): Case {
  const plain = PLAIN[kernel];
  if (plain === undefined) throw new Error(`bench/plain.ts has no loop for ${kernel}`);
  return { id, kernel, section, plain, plainIsReference: false, flopsPerElement, workload: (n) => workload(n, rng(seedOf(`${id}/${n}`))) };
}

const f32 = (data: Float32Array, shape?: readonly number[]): BufferSpec => ({ data, shape });
/** An output buffer (written, not read). */
const zeros = (n: number): BufferSpec => ({ data: new Float32Array(n), io: "out" });
/** State updated in place (read and written). */
const state = (data: Float32Array): BufferSpec => ({ data, io: "inout" });
const flat = (n: number): string => `[${n}]`;

function lossCases(): Case[] {
  const sce = (n: number, r: Rng) => {
    const cols = Math.min(SOFTMAX_COLS, n);
    const rows = rowsFor(n, cols);
    const len = rows * cols;
    return { rows, cols, len, z: f32(uniform(r, len, -10, 10)), labels: { data: integers(r, rows, cols) } };
  };
  return [
    opCase("mse_f32", "mse_f32", "losses", (n, r) => ({
      elements: n, shape: flat(n), out: undefined, args: ["p", "t", n],
      buffers: { p: f32(uniform(r, n, -1, 1)), t: f32(uniform(r, n, -1, 1)) },
    })),
    opCase("mse_grad_f32", "mse_grad_f32", "losses", (n, r) => ({
      elements: n, shape: flat(n), out: "g", args: ["p", "t", "g", n],
      buffers: { p: f32(uniform(r, n, -1, 1)), t: f32(uniform(r, n, -1, 1)), g: zeros(n) },
    })),
    // The loss and its gradient, as a training step needs them: in one pass (mseWithGrad_f32),
    // and as the two calls it replaces (descent, plain); tfjs forms the difference once and both results.
    opCase("mseWithGrad_f32", "mseWithGrad_f32", "losses", (n, r) => ({
      elements: n, shape: flat(n), out: "g", args: ["p", "t", "g", n],
      buffers: { p: f32(uniform(r, n, -1, 1)), t: f32(uniform(r, n, -1, 1)), g: zeros(n) },
    })),
    opCase("mse+grad", "mse_f32", "losses", (n, r) => ({
      elements: n, shape: flat(n), out: "g", args: ["p", "t", n], then: [{ kernel: "mse_grad_f32", args: ["p", "t", "g", n] }],
      buffers: { p: f32(uniform(r, n, -1, 1)), t: f32(uniform(r, n, -1, 1)), g: zeros(n) },
    })),
    opCase("bceWithLogits_f32", "bceWithLogits_f32", "losses", (n, r) => ({
      elements: n, shape: flat(n), out: undefined, args: ["z", "t", n],
      buffers: { z: f32(uniform(r, n, -10, 10)), t: f32(uniform(r, n, 0, 1)) },
    })),
    opCase("bceWithLogits_grad_f32", "bceWithLogits_grad_f32", "losses", (n, r) => ({
      elements: n, shape: flat(n), out: "g", args: ["z", "t", "g", n],
      buffers: { z: f32(uniform(r, n, -10, 10)), t: f32(uniform(r, n, 0, 1)), g: zeros(n) },
    })),
    opCase("softmaxCrossEntropy_f32", "softmaxCrossEntropy_f32", "losses", (n, r) => {
      const { rows, cols, len, z, labels } = sce(n, r);
      return {
        elements: len, shape: `${rows} × ${cols} logits`, out: undefined,
        args: ["z", "labels", rows, cols], buffers: { z, labels },
      };
    }),
    opCase("softmaxCrossEntropy_grad_f32", "softmaxCrossEntropy_grad_f32", "losses", (n, r) => {
      const { rows, cols, len, z, labels } = sce(n, r);
      return {
        elements: len, shape: `${rows} × ${cols} logits`, out: "g",
        args: ["z", "labels", "g", rows, cols], buffers: { z, labels, g: zeros(len) },
      };
    }),
  ];
}

function updateCases(): Case[] {
  // Repeated in-place updates drift the weights, but with these rates they stay far from
  // overflow for any number of calls a benchmark makes, so the arithmetic stays representative.
  return [
    opCase("sgd_f32", "sgd_f32", "updates", (n, r) => ({
      elements: n, shape: flat(n), out: "w", args: ["w", "g", n, 0.01], split: { count: 2, pointers: [0, 1] },
      buffers: { w: state(uniform(r, n, -1, 1)), g: f32(uniform(r, n, -1, 1)) },
    }), 2),
    opCase("momentum_f32", "momentum_f32", "updates", (n, r) => ({
      elements: n, shape: flat(n), out: "w", args: ["w", "g", "v", n, 0.01, 0.9, 0], split: { count: 3, pointers: [0, 1, 2] },
      buffers: { w: state(uniform(r, n, -1, 1)), g: f32(uniform(r, n, -1, 1)), v: state(new Float32Array(n)) },
    }), 4),
    // Step 1, so that the first call agrees with TensorFlow.js's Adam (which counts its own steps).
    opCase("adam_f32", "adam_f32", "updates", (n, r) => ({
      elements: n, shape: flat(n), out: "w", args: ["w", "g", "m", "v", n, 0.001, 0.9, 0.999, 1e-8, 1],
      split: { count: 4, pointers: [0, 1, 2, 3] },
      buffers: {
        w: state(uniform(r, n, -1, 1)), g: f32(uniform(r, n, -1, 1)), m: state(new Float32Array(n)), v: state(new Float32Array(n)),
      },
    })),
  ];
}

function linalgCases(): Case[] {
  const cases = [
    opCase("dot_f32", "dot_f32", "linear algebra", (n, r) => ({
      elements: n, shape: flat(n), out: undefined, args: ["a", "b", n],
      buffers: { a: f32(uniform(r, n, -1, 1)), b: f32(uniform(r, n, -1, 1)) },
    }), 2),
    opCase("axpy_f32", "axpy_f32", "linear algebra", (n, r) => ({
      elements: n, shape: flat(n), out: "y", args: [n, 0.001, "x", "y"],
      buffers: { x: f32(uniform(r, n, -1, 1)), y: state(uniform(r, n, -1, 1)) },
    }), 2),
  ];
  for (const kernel of ["gemv_f32", "gemvT_f32"]) {
    for (const cols of [32, 256]) {
      const transposed = kernel === "gemvT_f32";
      cases.push(opCase(`${kernel} cols=${cols}`, kernel, "linear algebra", (n, r) => {
        const rows = rowsFor(n, cols);
        return {
          elements: rows * cols, shape: `A [${rows}, ${cols}]`, out: "y", args: ["A", "x", "y", rows, cols],
          buffers: {
            A: f32(uniform(r, rows * cols, -1, 1)),
            x: f32(uniform(r, transposed ? rows : cols, -1, 1)),
            y: zeros(transposed ? cols : rows),
          },
        };
      }, 2));
    }
  }
  // The three layouts of a dense layer's work: forward X·W, and backward Xᵀ·dZ (the weight
  // gradient, A transposed) and dZ·Wᵀ (the input gradient, B transposed). Throughput counts the
  // elements of the batch operand, each with 64 multiply-adds.
  const layouts = [
    ["matmul_f32", 0, 0, `[m, ${MATMUL_K}]·[${MATMUL_K}, ${MATMUL_N}]`],
    ["matmul_f32 Aᵀ·B", 1, 0, `[${MATMUL_K}, m]ᵀ·[m, ${MATMUL_N}]`],
    ["matmul_f32 A·Bᵀ", 0, 1, `[m, ${MATMUL_K}]·[${MATMUL_N}, ${MATMUL_K}]ᵀ`],
  ] as const;
  for (const [id, transA, transB, shape] of layouts) {
    cases.push(opCase(id, "matmul_f32", "linear algebra", (n, r) => {
      const rows = rowsFor(n, MATMUL_K);
      // Aᵀ·B contracts over the batch: A is [rows, 64] stored, op(A) = Aᵀ is [64, rows].
      const [m, k] = transA ? [MATMUL_K, rows] : [rows, MATMUL_K];
      return {
        elements: rows * MATMUL_K, shape: shape.replace("m", String(rows)), out: "C",
        args: ["A", "B", "C", m, k, MATMUL_N, transA, transB, "panel"],
        buffers: {
          A: f32(uniform(r, m * k, -1, 1)),
          B: f32(uniform(r, k * MATMUL_N, -1, 1)),
          C: zeros(m * MATMUL_N),
          // The kernel's scratch for one packed panel of B (8·k floats), as the typed API stages it.
          panel: zeros(8 * k),
        },
      };
    }, 2 * MATMUL_N));
  }
  // The same three layouts at the shapes of issue #11's network (batches of 128 through 784 → 256
  // → 128): fixed problems, whatever the size asked (so measured once, at the first size). The
  // elements are op(A)'s, each with n multiply-adds.
  for (const [id, m, k, n, transA, transB] of NETWORK_MATMULS) {
    cases.push(opCase(id, "matmul_f32", "linear algebra", (_n, r) => ({
      elements: m * k, shape: `${transA ? `[${k}, ${m}]ᵀ` : `[${m}, ${k}]`}·${transB ? `[${n}, ${k}]ᵀ` : `[${k}, ${n}]`}`, out: "C",
      args: ["A", "B", "C", m, k, n, transA, transB, "panel"],
      buffers: { A: f32(uniform(r, m * k, -1, 1)), B: f32(uniform(r, k * n, -1, 1)), C: zeros(m * n), panel: zeros(8 * k) },
    }), 2 * n));
  }
  return cases;
}

/**
 * The matmuls of one training step of issue #11's network's first two layers, batch 128:
 * [id, m, k, n, transA, transB] of op(A)[m, k]·op(B)[k, n]: forward X·W, the weight gradient Xᵀ·dZ
 * and the input gradient dZ·Wᵀ.
 */
export const NETWORK_MATMULS: readonly (readonly [string, number, number, number, 0 | 1, 0 | 1])[] = [
  ["matmul_f32 128×784·784×256", 128, 784, 256, 0, 0],
  ["matmul_f32 (128×784)ᵀ·128×256", 784, 128, 256, 1, 0],
  ["matmul_f32 128×256·(784×256)ᵀ", 128, 256, 784, 0, 1],
  ["matmul_f32 128×256·256×128", 128, 256, 128, 0, 0],
  ["matmul_f32 (128×256)ᵀ·128×128", 256, 128, 128, 1, 0],
  ["matmul_f32 128×128·(256×128)ᵀ", 128, 128, 256, 0, 1],
];

/** Every case, in report order. */
export function allCases(): Case[] {
  return [...activationCases(), ...lossCases(), ...updateCases(), ...linalgCases()];
}

// ---------------------------------------------------------------------------- binding

/** A contender plus what the driver needs to check it and clean up after it. */
export interface BoundContender extends Contender {
  readonly name: ImplName;
  /** The result of the last call: the output buffer (a live view) or the returned scalar. */
  result(): Float32Array | number;
}

export interface BoundCase {
  readonly contenders: readonly BoundContender[];
  /** Frees every tensor this case allocated in the runtimes. */
  dispose(): void;
}

/** descent's runtimes for a case: one per backend this engine runs, and which of them is "descent". */
export interface DescentRuntimes {
  readonly runtimes: Readonly<Partial<Record<Backend, Runtime>>>;
  /** The default runtime's backend (bestBackend()): the one the ratios and the targets call descent. */
  readonly descent: Backend;
  /** A runtime of the descent backend with two threads, for the "2 threads" contender (bound only when given). */
  readonly threaded?: Runtime;
}

/** Kernels return a scalar (losses, dot) or nothing; only a number is worth folding into the sink. */
function scalarOf(v: unknown): number {
  return typeof v === "number" ? v : 0;
}

function peekOf(view: () => Float32Array): () => number {
  return () => {
    const d = view();
    return d.length === 0 ? 0 : d[0] + d[d.length >> 1] + d[d.length - 1];
  };
}

/**
 * Places the workload's data in each runtime (once) and in plain arrays, and returns the
 * contenders: every runtime of `d.runtimes` (the js backend's is the agreement check's reference,
 * so it must be there), the plain loop, the typed API on the descent runtime, "2 threads" where
 * `d.threaded` is given and the kernel splits, and TensorFlow.js where it has the op.
 */
export function bind(
  c: Case, w: Workload, d: DescentRuntimes, tfjs?: Tfjs, tfjsBackends: readonly ("wasm" | "cpu")[] = ["wasm", "cpu"],
): BoundCase {
  const owned: Tensor[] = [];
  const disposers: (() => void)[] = [];
  const contenders: BoundContender[] = [];
  /** The workload's buffers as tensors of one runtime. */
  const place = (rt: Runtime): Record<string, Tensor> => {
    const tensors: Record<string, Tensor> = {};
    for (const [name, spec] of Object.entries(w.buffers)) {
      if (spec.data instanceof Int32Array) {
        // Labels: an int32 block; runtime.tensor only writes float32, so fill it through the i32 view.
        const t = rt.tensor(spec.data.length);
        rt.heap.i32.set(spec.data, t.ptr >> 2);
        tensors[name] = t;
      } else {
        tensors[name] = rt.tensor(spec.data, spec.shape);
      }
      owned.push(tensors[name]);
    }
    return tensors;
  };
  /** The pointer-level call of the case on one runtime (`kernelOf` gives the function for a kernel name). */
  const pointerContender = (name: ImplName, rt: Runtime, kernelOf: (kernel: string) => ((...a: number[]) => unknown) | undefined): BoundContender => {
    const tensors = place(rt);
    const bindCall = (kernelName: string, args: Workload["args"]): (() => unknown) => {
      const kernel = kernelOf(kernelName);
      if (kernel === undefined) throw new Error(`the ${rt.label} has no kernel ${kernelName}`);
      const ptrs = args.map((a) => (typeof a === "string" ? tensors[a].ptr : a));
      // A bound function (not a closure over an array spread) keeps the per-call cost to a plain call.
      return kernel.bind(undefined, ...ptrs);
    };
    const first = bindCall(c.kernel, w.args);
    const rest = (w.then ?? []).map((f) => bindCall(f.kernel, f.args));
    const call = rest.length === 0 ? first : () => {
      const r = first();
      for (const f of rest) f();
      return r;
    };
    let last: unknown;
    const out = w.out === undefined ? undefined : tensors[w.out];
    return {
      name,
      run: () => scalarOf((last = call())),
      peek: out === undefined ? undefined : peekOf(() => out.data),
      result: () => (out === undefined ? scalarOf(last) : out.data),
    };
  };

  for (const backend of BACKENDS) {
    const rt = d.runtimes[backend];
    if (rt === undefined) continue;
    contenders.push(pointerContender(backend, rt, (k) => rt.kernels[k] as ((...a: number[]) => unknown) | undefined));
  }

  // The descent backend on two threads: the same kernel through the runtime's own split (so
  // above rt.splitMinElements it runs on both threads, below it on the caller's alone).
  const split = w.split;
  if (d.threaded !== undefined && split !== undefined && (w.then ?? []).length === 0) {
    const rt = d.threaded;
    contenders.push(pointerContender("2 threads", rt, (k) => (k === c.kernel ? rt.splitKernel(k, split) : undefined)));
  }

  // Plain loops over their own copies of the same data.
  const arrays: Record<string, Float32Array | Int32Array> = {};
  for (const [name, spec] of Object.entries(w.buffers)) arrays[name] = spec.data.slice();
  const plainArgsOf = (args: Workload["args"]): PlainArg[] => args.map((a) => (typeof a === "string" ? arrays[a] : a));
  const plainFirst = c.plain.bind(undefined, ...plainArgsOf(w.args));
  const plainRest = (w.then ?? []).map((f) => {
    const loop = PLAIN[f.kernel];
    if (loop === undefined) throw new Error(`bench/plain.ts has no loop for ${f.kernel}`);
    return loop.bind(undefined, ...plainArgsOf(f.args));
  });
  const plainCall = plainRest.length === 0 ? plainFirst : () => {
    const r = plainFirst();
    for (const f of plainRest) f();
    return r;
  };
  const plainOut = w.out === undefined ? undefined : (arrays[w.out] as Float32Array);
  let plainLast: unknown;
  contenders.push({
    name: "plain",
    run: () => scalarOf((plainLast = plainCall())),
    peek: plainOut === undefined ? undefined : peekOf(() => plainOut),
    result: () => plainOut ?? scalarOf(plainLast),
  });

  // The typed API on the descent runtime's tensors: same data, same kernel, plus validation and
  // dispatch. It gets tensors of its own: sharing the pointer level's would let whichever runs
  // second find them in the last-level cache, which at 4·10⁶ elements skews the comparison by ~20 %.
  const apiRt = d.runtimes[d.descent];
  if (w.api !== undefined && apiRt !== undefined) {
    const t = place(apiRt);
    const apiCall = w.api(apiRt, t);
    const out = w.out === undefined ? undefined : t[w.out];
    let last: unknown;
    contenders.push({
      name: "api",
      run: () => scalarOf((last = apiCall())),
      peek: out === undefined ? undefined : peekOf(() => out.data),
      result: () => (out === undefined ? scalarOf(last) : out.data),
    });
  }

  // TensorFlow.js on its backends, where it has the op.
  if (tfjs !== undefined) {
    for (const backend of tfjsBackends) {
      const t = tfjsContender(tfjs, backend, c, w);
      if (t === undefined) continue;
      contenders.push(t);
      disposers.push(t.dispose);
    }
  }

  return {
    contenders,
    dispose: () => {
      for (const t of owned) t.dispose();
      for (const dispose of disposers) dispose();
    },
  };
}

/**
 * Bytes the work moves through memory, counting each buffer once per direction (read, written,
 * or both for in-place state): the yardstick for "% of memory.copy".
 */
export function trafficBytes(w: Workload): number {
  let bytes = 0;
  for (const spec of Object.values(w.buffers)) bytes += spec.data.byteLength * (spec.io === "inout" ? 2 : 1);
  return bytes;
}

/**
 * How far `got` is from `ref`, relative to the size of `ref` (for arrays, to its largest
 * magnitude, so one near-zero element does not blow the measure up). Used to catch a wrongly
 * bound case, not to test accuracy.
 */
export function relativeDifference(got: ArrayLike<number> | number, ref: ArrayLike<number> | number): number {
  if (typeof got === "number" || typeof ref === "number") {
    const g = typeof got === "number" ? got : NaN;
    const r = typeof ref === "number" ? ref : NaN;
    return Math.abs(g - r) / Math.max(Math.abs(r), 1e-30);
  }
  if (got.length !== ref.length) return Infinity;
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < ref.length; i++) {
    const d = Math.abs(got[i] - ref[i]);
    // NaN anywhere counts as a total mismatch.
    diff = d > diff || d !== d ? (d !== d ? Infinity : d) : diff;
    scale = Math.max(scale, Math.abs(ref[i]));
  }
  return diff / Math.max(scale, 1e-30);
}
