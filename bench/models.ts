// The model cases of the benchmarks: one full-batch gradient-descent epoch of linear and of
// logistic regression (N = 100,000 rows; d = 32 and 256), one mini-batch epoch of a Sequential
// network, the closed-form least-squares fit (100,000 × 32), and whole fit() calls, each measured
// side by side with the other implementations of the same work, interleaved (bench/timing.ts,
// measureAsync), on seeded data.
//
// How each side is measured:
// - descent (wasm-relaxed where the engine runs it, wasm-simd, wasm, js: one runtime each,
//   single-threaded as createRuntime's default; and "threads", a runtime of the default backend
//   with threads: "auto", training on worker threads where the machine has more than one core):
//   the ratios are the default backend's ("descent"). An epoch is the median interval between
//   consecutive onEpoch calls of `await model.fit(X, y, { epochs, onEpoch })`, so data upload and
//   standardisation are outside it (the epoch cases also pass standardize: false, so that the
//   weights can be compared with the others'); a whole fit is the fit() call, from the user's
//   Float32Array to the trained model.
// - plain: the loop a JavaScript developer would write over Float32Arrays, one pass over X per
//   epoch (prediction and gradient row by row), float64 accumulators.
// - tfjs-wasm, tfjs-cpu (TensorFlow.js 4.22): tensors created once, then per epoch inside tf.tidy
//   z = X·w + b, the loss, the explicit gradients Xᵀ(z − y)·2/n (or Xᵀ(σ(z) − y)/n) and
//   w.assign(...), with a dataSync() of the loss so that no work is deferred; whole fits and the
//   Sequential epoch through tfjs-layers' model.fit, as a tfjs user writes them.
// - ml.js: ml-logistic-regression (an epoch = train() with numSteps = K, divided by K; it trains one
//   classifier per class, so two for two classes, and has no intercept) and
//   ml-regression-multivariate-linear for the closed form, on its native number[][] input built
//   outside the timing (with its default options, which include statistics, and without them).
import {
  LinearRegression, LogisticRegression, Sequential, dense, type Matrix, type Runtime,
} from "../src/index.ts";
import { mulberry32 } from "../src/random.ts";
import { BACKENDS, relativeDifference, type Backend } from "./cases.ts";
import { loadMl, tfImpl, type Ml, type Tf, type TfBackend, type Tfjs } from "./external.ts";
import type * as TF from "@tensorflow/tfjs-core";
import { measureAsync, type AsyncContender, type Stats } from "./timing.ts";
import { ensureBytes, type Baselines } from "./baselines.ts";
import { onnxPredictCase } from "./onnx.ts";

export const MODEL_IMPLS = [
  "wasm-relaxed", "wasm-simd", "2 threads", "threads", "wasm", "js", "plain", "tfjs-wasm", "tfjs-cpu", "ml.js", "ml.js (statistics: false)",
  "memory.copy", "onnxruntime-node", "onnxruntime-web",
] as const;
export type ModelImpl = (typeof MODEL_IMPLS)[number];

export interface ModelCase {
  readonly id: string;
  readonly section: "training epochs" | "closed form" | "whole fits" | "inference";
  /** What one timed unit is. */
  readonly unit: "epoch" | "fit" | "predict";
  /** The problem in words. */
  readonly shape: string;
  readonly rows: number;
  readonly cols: number;
  bind(ctx: ModelContext): Promise<BoundModelCase>;
}

export interface ModelContext {
  readonly runtimes: Readonly<Partial<Record<Backend, Runtime>>>;
  /** The default runtime's backend: the reference of the ratios, and the one --quick keeps. */
  readonly descent: Backend;
  /** A runtime of the descent backend training on worker threads (createRuntime({ threads: "auto" })), when the machine has cores for it. */
  readonly threaded: Runtime | undefined;
  /** A runtime of the descent backend with two threads (the "2 threads" contender of the threads cases), when there is one. */
  readonly twoThreads?: Runtime;
  readonly tfjs: Tfjs | undefined;
  readonly quick: boolean;
  /** The hand-assembled baseline module: an epoch case times memory.copy over X's bytes beside the epochs. */
  readonly baselines: Baselines | undefined;
}

export interface ModelContender extends AsyncContender {
  readonly name: ModelImpl;
  /**
   * The trained weights (then the bias) after a short, fixed run from the same start, for the
   * agreement check; undefined where the contender does not compute the same thing.
   */
  weights?(): Promise<Float64Array>;
  dispose?(): void;
}

export interface BoundModelCase {
  readonly contenders: readonly ModelContender[];
  /** Words on how the contenders were set up (printed with the case). */
  readonly note: string;
  /** Timing: rounds of one sample each, and untimed rounds first. */
  readonly rounds: number;
  readonly warmupRounds: number;
}

export interface ModelImplResult {
  /** Median seconds per unit (epoch or fit). */
  readonly median: number;
  readonly iqrPct: number;
  readonly units: number;
  /** Relative difference of the weights from the reference's (descent's js backend, else plain). */
  readonly relDiff: number | undefined;
}

// ---------------------------------------------------------------------------- data

interface Problem {
  readonly X: Matrix;
  /** Rows as number[][] (ml.js's input), built on demand. */
  rowsArray(): number[][];
  /** A linear target with noise. */
  readonly y: Float32Array;
  /** Binary labels 0/1 from the same linear score. */
  readonly labels: Float32Array;
}

const problems = new Map<string, Problem>();

/** Seeded standard-normal features, a linear target and binary labels from it (cached per shape). */
export function problem(rows: number, cols: number): Problem {
  const key = `${rows}x${cols}`;
  const have = problems.get(key);
  if (have !== undefined) return have;
  const r = mulberry32(rows * 977 + cols);
  const gauss = (): number => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  const data = new Float32Array(rows * cols);
  for (let i = 0; i < data.length; i++) data[i] = gauss();
  const w = Float64Array.from({ length: cols }, () => gauss() / Math.sqrt(cols));
  const y = new Float32Array(rows);
  const labels = new Float32Array(rows);
  for (let i = 0; i < rows; i++) {
    let s = 0.3;
    for (let j = 0; j < cols; j++) s += w[j] * data[i * cols + j];
    y[i] = s + 0.5 * gauss();
    labels[i] = s + 0.5 * gauss() > 0 ? 1 : 0;
  }
  let rowsCache: number[][] | undefined;
  const p: Problem = {
    X: { data, rows, cols },
    y,
    labels,
    rowsArray: () => (rowsCache ??= Array.from({ length: rows }, (_, i) => Array.from(data.subarray(i * cols, (i + 1) * cols)))),
  };
  problems.set(key, p);
  return p;
}

/** Drops the cached problems (their arrays are large). */
export function forgetProblems(): void {
  problems.clear();
}

// ---------------------------------------------------------------------------- helpers

const now = (): number => performance.now();
/** Seconds between consecutive stamps (ms). */
const intervals = (stamps: readonly number[]): number[] => stamps.slice(1).map((t, i) => (t - stamps[i]) / 1000);

type Task = "linear" | "logistic";
const LR = 0.01;
/** Epochs of the short run whose weights are compared. */
const AGREEMENT_EPOCHS = 3;

function weightsOf(model: LinearRegression | LogisticRegression | Sequential): Float64Array {
  const layer = model.layers[0];
  const w = layer.w.data;
  const out = new Float64Array(w.length + 1);
  out.set(w);
  out[w.length] = layer.b.data[0];
  return out;
}

/** descent's regression, on one runtime, for the epoch cases: plain SGD, full batch, raw features. */
function descentEpochs(task: Task, p: Problem, rt: Runtime, name: ModelImpl, epochs: number): ModelContender {
  const make = (): LinearRegression | LogisticRegression =>
    task === "linear"
      ? new LinearRegression({ solver: "gd", optimizer: "sgd", lr: LR, standardize: false, runtime: rt })
      : new LogisticRegression({ solver: "gd", optimizer: "sgd", lr: LR, standardize: false, runtime: rt });
  const target = task === "linear" ? p.y : p.labels;
  return {
    name,
    sample: async () => {
      const model = make();
      const stamps: number[] = [];
      try {
        await model.fit(p.X, target, { epochs, onEpoch: () => void stamps.push(now()) });
      } finally {
        model.dispose();
      }
      return intervals(stamps);
    },
    weights: async () => {
      const model = make();
      try {
        await model.fit(p.X, target, { epochs: AGREEMENT_EPOCHS });
        return weightsOf(model);
      } finally {
        model.dispose();
      }
    },
  };
}

/** The hand-written epoch: one pass over X, prediction and gradient together, then the step. */
function plainEpochs(task: Task, p: Problem, epochs: number): ModelContender {
  const { data: X, rows, cols } = p.X;
  const t = task === "linear" ? p.y : p.labels;
  const w = new Float32Array(cols);
  const g = new Float64Array(cols);
  let b = 0;
  const epoch = (): number => {
    g.fill(0);
    let gb = 0;
    let loss = 0;
    for (let i = 0; i < rows; i++) {
      const o = i * cols;
      let z = b;
      for (let j = 0; j < cols; j++) z += X[o + j] * w[j];
      let r: number;
      if (task === "linear") {
        r = z - t[i];
        loss += r * r;
      } else {
        r = 1 / (1 + Math.exp(-z)) - t[i];
        loss += Math.max(z, 0) - z * t[i] + Math.log1p(Math.exp(-Math.abs(z)));
      }
      gb += r;
      for (let j = 0; j < cols; j++) g[j] += r * X[o + j];
    }
    const scale = task === "linear" ? 2 / rows : 1 / rows;
    for (let j = 0; j < cols; j++) w[j] -= LR * scale * g[j];
    b -= LR * scale * gb;
    return loss / rows;
  };
  const reset = (): void => {
    w.fill(0);
    b = 0;
  };
  return {
    name: "plain",
    sample: async () => {
      reset();
      const stamps = [now()];
      for (let e = 0; e < epochs; e++) {
        epoch();
        stamps.push(now());
      }
      return intervals(stamps);
    },
    weights: async () => {
      reset();
      for (let e = 0; e < AGREEMENT_EPOCHS; e++) epoch();
      const out = new Float64Array(cols + 1);
      out.set(w);
      out[cols] = b;
      return out;
    },
  };
}

/** TensorFlow.js's epoch: explicit gradients in tf.tidy, variables updated with assign. */
function tfjsEpochs(task: Task, p: Problem, tfjs: Tfjs, backend: TfBackend, epochs: number): ModelContender {
  const { tf } = tfjs;
  tfjs.use(backend);
  const { rows, cols } = p.X;
  const X = tf.tensor2d(p.X.data, [rows, cols]);
  const y = tf.tensor2d(task === "linear" ? p.y : p.labels, [rows, 1]);
  const w = tf.variable(tf.zeros([cols, 1]));
  const b = tf.variable(tf.scalar(0));
  const scale = task === "linear" ? 2 / rows : 1 / rows;
  const epoch = (): number =>
    tf.tidy(() => {
      const z = tf.add(tf.matMul(X, w), b);
      let r: TF.Tensor;
      let loss: TF.Tensor;
      if (task === "linear") {
        r = tf.sub(z, y);
        loss = tf.mean(tf.square(r));
      } else {
        r = tf.sub(tf.sigmoid(z), y);
        loss = tf.losses.sigmoidCrossEntropy(y, z);
      }
      const gw = tf.mul(tf.matMul(X, r, true, false), scale);
      const gb = tf.mul(tf.sum(r), scale);
      w.assign(tf.sub(w, tf.mul(gw, LR)));
      b.assign(tf.sub(b, tf.mul(gb, LR)));
      return loss.dataSync()[0];
    });
  const reset = (): void => {
    tf.tidy(() => {
      w.assign(tf.zeros([cols, 1]));
      b.assign(tf.scalar(0));
    });
  };
  return {
    name: tfImpl(backend),
    enter: () => tfjs.use(backend),
    sample: async () => {
      reset();
      const stamps = [now()];
      for (let e = 0; e < epochs; e++) {
        epoch();
        stamps.push(now());
      }
      return intervals(stamps);
    },
    weights: async () => {
      tfjs.use(backend);
      reset();
      for (let e = 0; e < AGREEMENT_EPOCHS; e++) epoch();
      const out = new Float64Array(cols + 1);
      out.set(w.dataSync());
      out[cols] = b.dataSync()[0];
      return out;
    },
    dispose: () => {
      tfjs.use(backend);
      for (const t of [X, y, w, b]) t.dispose();
    },
  };
}

/**
 * memory.copy of half of X's bytes (so that its traffic, read plus written, equals one read of X),
 * `epochs` times: the speed an epoch that only streams X once could reach.
 */
function copyEpochs(b: Baselines, p: Problem, epochs: number): ModelContender {
  const bytes = p.X.data.byteLength / 2;
  const size = Math.ceil(bytes / 64) * 64;
  ensureBytes(b, 2 * size + 64);
  new Uint8Array(b.memory.buffer).fill(7, 0, 2 * size + 64);
  return {
    name: "memory.copy",
    sample: async () => {
      const stamps = [now()];
      for (let e = 0; e < epochs; e++) {
        b.copy(size, 0, bytes);
        stamps.push(now());
      }
      return intervals(stamps);
    },
  };
}

/** ml-logistic-regression: numSteps = K full-batch steps per sample, one unit = their mean. */
function mlLogisticEpochs(ml: Ml, p: Problem, epochs: number): ModelContender {
  const X = ml.matrix(p.rowsArray());
  const Y = ml.columnVector(Array.from(p.labels));
  return {
    name: "ml.js",
    sample: async () => {
      const model = ml.logistic({ numSteps: epochs, learningRate: LR / p.X.rows });
      const t0 = now();
      model.train(X, Y);
      return [(now() - t0) / 1000 / epochs];
    },
  };
}

// ---------------------------------------------------------------------------- tfjs-layers

type Layers = typeof import("@tensorflow/tfjs-layers");
let layersModule: Promise<Layers> | undefined;
const loadLayers = (): Promise<Layers> => (layersModule ??= import("@tensorflow/tfjs-layers"));

interface LayersSpec {
  /** Hidden layer widths (relu), then one linear or sigmoid output. */
  readonly hidden: readonly number[];
  readonly output: "linear" | "sigmoid";
  readonly loss: "meanSquaredError" | "binaryCrossentropy";
}

function layersModel(tl: Layers, tf: Tf, spec: LayersSpec, cols: number): import("@tensorflow/tfjs-layers").Sequential {
  const model = tl.sequential();
  spec.hidden.forEach((units, i) =>
    model.add(tl.layers.dense({ units, activation: "relu", ...(i === 0 ? { inputShape: [cols] } : {}) })));
  model.add(tl.layers.dense({ units: 1, activation: spec.output, ...(spec.hidden.length === 0 ? { inputShape: [cols] } : {}) }));
  model.compile({ optimizer: tf.train.sgd(LR), loss: spec.loss });
  return model;
}

/** tfjs-layers' model.fit: epochs timed between onEpochEnd calls, or the whole call. */
async function layersContender(
  tfjs: Tfjs, backend: TfBackend, spec: LayersSpec, X: Matrix, t: Float32Array,
  how: { unit: "epoch" | "fit"; epochs: number; batchSize: number },
): Promise<ModelContender> {
  const tl = await loadLayers();
  const { tf } = tfjs;
  tfjs.use(backend);
  // The epoch case keeps its tensors; a whole fit makes them from the arrays inside the timing.
  const kept = how.unit === "epoch"
    ? { x: tf.tensor2d(X.data, [X.rows, X.cols]), y: tf.tensor2d(t, [X.rows, 1]) }
    : undefined;
  return {
    name: tfImpl(backend),
    enter: () => tfjs.use(backend),
    sample: async () => {
      const stamps: number[] = [];
      const t0 = now();
      const x = kept?.x ?? tf.tensor2d(X.data, [X.rows, X.cols]);
      const y = kept?.y ?? tf.tensor2d(t, [X.rows, 1]);
      const model = layersModel(tl, tf, spec, X.cols);
      try {
        await model.fit(x, y, {
          epochs: how.epochs, batchSize: how.batchSize, shuffle: how.unit === "epoch", verbose: 0,
          callbacks: { onEpochEnd: async () => void stamps.push(now()) },
        });
      } finally {
        model.dispose();
        if (kept === undefined) {
          x.dispose();
          y.dispose();
        }
      }
      return how.unit === "epoch" ? intervals(stamps) : [(now() - t0) / 1000];
    },
    dispose: () => {
      tfjs.use(backend);
      kept?.x.dispose();
      kept?.y.dispose();
    },
  };
}

// ---------------------------------------------------------------------------- the cases

/**
 * --quick keeps what the targets and the agreement check need: descent's default backend,
 * TensorFlow.js wasm, and the reference (plain, or descent's js backend for the closed form, with ml.js).
 */
const QUICK: readonly ModelImpl[] = ["tfjs-wasm", "plain"];
const want = (ctx: ModelContext, name: ModelImpl, alsoQuick: readonly ModelImpl[] = []): boolean =>
  !ctx.quick || name === ctx.descent || QUICK.includes(name) || alsoQuick.includes(name);
const tfBackends = (ctx: ModelContext): TfBackend[] => (["wasm", "cpu"] as const).filter((b) => want(ctx, tfImpl(b)));
const descentBackends = (ctx: ModelContext, alsoQuick: readonly ModelImpl[] = []): Backend[] =>
  BACKENDS.filter((b) => ctx.runtimes[b] !== undefined && want(ctx, b, alsoQuick));
const runtimeOf = (ctx: ModelContext, b: Backend): Runtime => {
  const rt = ctx.runtimes[b];
  if (rt === undefined) throw new Error(`bench: no ${b} runtime in this run`);
  return rt;
};
/** descent's runtimes to train on, by contender name: the backends, with the default one on threads after it (not in --quick). */
function descentRuntimes(ctx: ModelContext): [ModelImpl, Runtime][] {
  const list: [ModelImpl, Runtime][] = descentBackends(ctx).map((b) => [b, runtimeOf(ctx, b)]);
  const at = list.findIndex(([name]) => name === ctx.descent);
  if (ctx.threaded !== undefined && !ctx.quick) list.splice(at + 1, 0, ["threads", ctx.threaded]);
  return list;
}

function epochCase(task: Task, cols: number): ModelCase {
  const rows = 100_000;
  return {
    id: `${task === "linear" ? "LinearRegression" : "LogisticRegression"} epoch d=${cols}`,
    section: "training epochs",
    unit: "epoch",
    shape: `${rows.toLocaleString("en-US")} × ${cols}, full batch, SGD lr ${LR}`,
    rows,
    cols,
    bind: async (ctx) => {
      const p = problem(rows, cols);
      const epochs = ctx.quick ? 4 : cols > 64 ? 6 : 12;
      const contenders: ModelContender[] = descentRuntimes(ctx).map(([name, rt]) => descentEpochs(task, p, rt, name, epochs));
      contenders.push(plainEpochs(task, p, epochs));
      if (ctx.tfjs !== undefined) for (const b of tfBackends(ctx)) contenders.push(tfjsEpochs(task, p, ctx.tfjs, b, epochs));
      if (task === "logistic" && want(ctx, "ml.js")) contenders.push(mlLogisticEpochs(await loadMl(), p, 4));
      const copy = ctx.baselines !== undefined && want(ctx, "memory.copy");
      if (copy && ctx.baselines !== undefined) contenders.push(copyEpochs(ctx.baselines, p, epochs));
      return {
        contenders,
        note: `${epochs} epochs per sample (${epochs - 1} intervals)` +
          (contenders.some((k) => k.name === "ml.js") ? "; ml.js trains two one-vs-rest classifiers and no intercept" : "") +
          (copy ? "; memory.copy: half of X's bytes, i.e. as much traffic as one read of X" : ""),
        rounds: ctx.quick ? 1 : 3,
        warmupRounds: 1,
      };
    },
  };
}

function sequentialEpochCase(): ModelCase {
  const rows = 10_000;
  const cols = 32;
  const hidden = 64;
  const batchSize = 32;
  return {
    id: `Sequential epoch ${cols}→${hidden}→1`,
    section: "training epochs",
    unit: "epoch",
    shape: `${rows.toLocaleString("en-US")} × ${cols}, dense ${hidden} relu → 1, mse, batches of ${batchSize}, SGD lr ${LR}`,
    rows,
    cols,
    bind: async (ctx) => {
      const p = problem(rows, cols);
      const epochs = ctx.quick ? 3 : 5;
      const contenders: ModelContender[] = descentRuntimes(ctx).map(([name, rt]) => ({
        name,
        sample: async () => {
          const net = new Sequential([dense({ units: hidden, activation: "relu" }), dense({ units: 1 })], {
            loss: "mse", optimizer: "sgd", lr: LR, batchSize, standardize: false, seed: 1, runtime: rt,
          });
          const stamps: number[] = [];
          try {
            await net.fit(p.X, p.y, { epochs, onEpoch: () => void stamps.push(now()) });
          } finally {
            net.dispose();
          }
          return intervals(stamps);
        },
      }));
      if (ctx.tfjs !== undefined) {
        for (const b of tfBackends(ctx)) {
          contenders.push(await layersContender(ctx.tfjs, b, { hidden: [hidden], output: "linear", loss: "meanSquaredError" },
            p.X, p.y, { unit: "epoch", epochs, batchSize }));
        }
      }
      return { contenders, note: `${epochs} epochs per sample; tfjs: tfjs-layers model.fit (shuffled, as descent)`, rounds: ctx.quick ? 1 : 3, warmupRounds: 1 };
    },
  };
}

function closedFormCase(): ModelCase {
  const rows = 100_000;
  const cols = 32;
  return {
    id: `LinearRegression closed form ${rows / 1000}k×${cols}`,
    section: "closed form",
    unit: "fit",
    shape: `${rows.toLocaleString("en-US")} × ${cols}, least squares with intercept`,
    rows,
    cols,
    bind: async (ctx) => {
      const p = problem(rows, cols);
      const ml = await loadMl();
      const xRows = p.rowsArray();
      const yRows = Array.from(p.y, (v) => [v]);
      const fitDescent = async (rt: Runtime): Promise<LinearRegression> => new LinearRegression({ solver: "normal", runtime: rt }).fit(p.X, p.y);
      const contenders: ModelContender[] = descentBackends(ctx, ["js"]).map((b) => ({
        name: b,
        sample: async () => {
          const t0 = now();
          const model = await fitDescent(runtimeOf(ctx, b));
          const s = (now() - t0) / 1000;
          model.dispose();
          return [s];
        },
        weights: async () => {
          const model = await fitDescent(runtimeOf(ctx, b));
          const out = new Float64Array(cols + 1);
          out.set(model.coef);
          out[cols] = model.intercept;
          model.dispose();
          return out;
        },
      }));
      for (const statistics of ctx.quick ? [true] : [true, false]) {
        const options = statistics ? undefined : { statistics: false };
        contenders.push({
          name: statistics ? "ml.js" : "ml.js (statistics: false)",
          sample: async () => {
            const t0 = now();
            ml.linear(xRows, yRows, options);
            return [(now() - t0) / 1000];
          },
          weights: async () => Float64Array.from(ml.linear(xRows, yRows, options).weights, (r) => r[0]),
        });
      }
      return {
        contenders,
        note: "descent: solver \"normal\" (float64 Gram pass + Cholesky, standardised inside); ml.js: new MLR(Xrows, Yrows) on number[][] built outside the timing",
        rounds: ctx.quick ? 1 : 5,
        warmupRounds: 1,
      };
    },
  };
}

function wholeFitCase(kind: "linear" | "logistic" | "sequential", quick: boolean): ModelCase {
  // --quick: the same code paths on a tenth of the data and a few epochs.
  const rows = (kind === "sequential" ? 10_000 : 100_000) / (quick ? 10 : 1);
  const cols = 32;
  const epochs = kind === "sequential" ? 5 : quick ? 5 : 20;
  const batchSize = kind === "sequential" ? 32 : rows;
  const hidden = kind === "sequential" ? [64] : [];
  const name = kind === "linear" ? "LinearRegression" : kind === "logistic" ? "LogisticRegression" : "Sequential";
  return {
    id: `${name} whole fit`,
    section: "whole fits",
    unit: "fit",
    shape: `${rows.toLocaleString("en-US")} × ${cols}${kind === "sequential" ? `, dense 64 relu → 1, batches of ${batchSize}` : ", full batch"}, SGD lr ${LR}, ${epochs} epochs`,
    rows,
    cols,
    bind: async (ctx) => {
      const p = problem(rows, cols);
      const t = kind === "logistic" ? p.labels : p.y;
      const make = (rt: Runtime): LinearRegression | LogisticRegression | Sequential =>
        kind === "linear" ? new LinearRegression({ solver: "gd", optimizer: "sgd", lr: LR, epochs, runtime: rt })
        : kind === "logistic" ? new LogisticRegression({ solver: "gd", optimizer: "sgd", lr: LR, epochs, runtime: rt })
        : new Sequential([dense({ units: 64, activation: "relu" }), dense({ units: 1 })],
          { loss: "mse", optimizer: "sgd", lr: LR, epochs, batchSize, seed: 1, runtime: rt });
      const contenders: ModelContender[] = descentRuntimes(ctx).map(([name, rt]) => ({
        name,
        sample: async () => {
          const t0 = now();
          const model = await make(rt).fit(p.X, t);
          const s = (now() - t0) / 1000;
          model.dispose();
          return [s];
        },
      }));
      if (ctx.tfjs !== undefined) {
        const spec: LayersSpec = kind === "logistic"
          ? { hidden, output: "sigmoid", loss: "binaryCrossentropy" }
          : { hidden, output: "linear", loss: "meanSquaredError" };
        for (const b of tfBackends(ctx)) {
          contenders.push(await layersContender(ctx.tfjs, b, spec, p.X, t, { unit: "fit", epochs, batchSize }));
        }
      }
      if (kind === "logistic" && want(ctx, "ml.js")) {
        const ml = await loadMl();
        const X = ml.matrix(p.rowsArray());
        const Y = ml.columnVector(Array.from(p.labels));
        contenders.push({
          name: "ml.js",
          sample: async () => {
            const t0 = now();
            ml.logistic({ numSteps: epochs, learningRate: LR / rows }).train(X, Y);
            return [(now() - t0) / 1000];
          },
        });
      }
      return {
        contenders,
        note: "descent: fit() with its defaults (standardisation on), from Float32Arrays; tfjs: tensors made, model built and compiled, model.fit, all timed",
        rounds: ctx.quick ? 1 : 3,
        warmupRounds: ctx.quick ? 0 : 1,
      };
    },
  };
}

// ---------------------------------------------------------------------------- issue #11's cases

/** Seeded class labels 0…classes−1: the argmax of `classes` random linear scores of a row, plus noise. */
function classLabels(p: Problem, classes: number, seed: number): number[] {
  const { data, rows, cols } = p.X;
  const r = mulberry32(seed);
  const W = Float64Array.from({ length: classes * cols }, () => (r() - 0.5) / Math.sqrt(cols));
  const y: number[] = new Array<number>(rows);
  for (let i = 0; i < rows; i++) {
    let best = 0, bestScore = -Infinity;
    for (let c = 0; c < classes; c++) {
      let s = (r() - 0.5) * 0.5;
      for (let j = 0; j < cols; j++) s += W[c * cols + j] * data[i * cols + j];
      if (s > bestScore) [best, bestScore] = [c, s];
    }
    y[i] = best;
  }
  return y;
}

/** descent's runtimes for the threads cases: the default backend on 1 thread, on 2 ("2 threads") and on "auto" ("threads"). */
function threadRuntimes(ctx: ModelContext): [ModelImpl, Runtime][] {
  const list: [ModelImpl, Runtime][] = [[ctx.descent, runtimeOf(ctx, ctx.descent)]];
  if (ctx.twoThreads !== undefined) list.push(["2 threads", ctx.twoThreads]);
  if (ctx.threaded !== undefined) list.push(["threads", ctx.threaded]);
  return list;
}

/**
 * The network of issue #11: 8,192 rows of 784 features → 256 relu → 128 relu → 10 softmax,
 * categorical cross-entropy, Adam lr 1e-3, batches of 128; one epoch on 1, 2 and "auto" threads,
 * against tfjs-layers' model.fit on the wasm backend (the same layers, loss, optimizer and batch).
 */
function networkEpochCase(): ModelCase {
  const rows = 8192, cols = 784, classes = 10, batchSize = 128, lr = 1e-3;
  return {
    id: `Sequential epoch ${cols}→256→128→${classes}`,
    section: "training epochs",
    unit: "epoch",
    shape: `${rows.toLocaleString("en-US")} × ${cols}, dense 256 relu → 128 relu → ${classes} softmax, categorical cross-entropy, Adam lr ${lr}, batches of ${batchSize}`,
    rows,
    cols,
    bind: async (ctx) => {
      const p = problem(rows, cols);
      const y = classLabels(p, classes, 11);
      const epochs = ctx.quick ? 2 : 3;
      const contenders: ModelContender[] = threadRuntimes(ctx).map(([name, rt]) => ({
        name,
        sample: async () => {
          const net = new Sequential([
            dense({ units: 256, activation: "relu" }), dense({ units: 128, activation: "relu" }), dense({ units: classes, activation: "softmax" }),
          ], { loss: "categoricalCrossentropy", optimizer: "adam", lr, batchSize, standardize: false, seed: 1, runtime: rt });
          const stamps: number[] = [];
          try {
            await net.fit(p.X, y, { epochs, onEpoch: () => void stamps.push(now()) });
          } finally {
            net.dispose();
          }
          return intervals(stamps);
        },
      }));
      if (ctx.tfjs !== undefined && want(ctx, "tfjs-wasm")) {
        const tfjs = ctx.tfjs;
        const { tf } = tfjs;
        const tl = await loadLayers();
        tfjs.use("wasm");
        const oneHot = new Float32Array(rows * classes);
        y.forEach((c, i) => void (oneHot[i * classes + c] = 1));
        const x = tf.tensor2d(p.X.data, [rows, cols]);
        const t = tf.tensor2d(oneHot, [rows, classes]);
        contenders.push({
          name: "tfjs-wasm",
          enter: () => tfjs.use("wasm"),
          sample: async () => {
            const model = tl.sequential();
            model.add(tl.layers.dense({ units: 256, activation: "relu", inputShape: [cols] }));
            model.add(tl.layers.dense({ units: 128, activation: "relu" }));
            model.add(tl.layers.dense({ units: classes, activation: "softmax" }));
            model.compile({ optimizer: tf.train.adam(lr), loss: "categoricalCrossentropy" });
            const stamps: number[] = [];
            try {
              await model.fit(x, t, {
                epochs, batchSize, shuffle: true, verbose: 0, callbacks: { onEpochEnd: async () => void stamps.push(now()) },
              });
            } finally {
              model.dispose();
            }
            return intervals(stamps);
          },
          dispose: () => {
            tfjs.use("wasm");
            x.dispose();
            t.dispose();
          },
        });
      }
      return {
        contenders,
        note: `${epochs} epochs per sample (the first, with the data's upload, not timed); "2 threads" and "threads" (auto) train the same network on the runtime's worker threads; tfjs: tfjs-layers model.fit, shuffled, as descent`,
        rounds: ctx.quick ? 1 : 3,
        warmupRounds: ctx.quick ? 0 : 1,
      };
    },
  };
}

/** Multinomial logistic regression by L-BFGS on 100,000 × 32 with 10 classes: a whole fit of a fixed number of iterations on 1, 2 and "auto" threads. */
function multinomialCase(): ModelCase {
  const rows = 100_000, cols = 32, classes = 10, iterations = 30;
  return {
    id: `LogisticRegression multinomial L-BFGS ${rows / 1000}k×${cols}`,
    section: "whole fits",
    unit: "fit",
    shape: `${rows.toLocaleString("en-US")} × ${cols}, ${classes} classes, L-BFGS, ${iterations} iterations (tol 0)`,
    rows,
    cols,
    bind: async (ctx) => {
      const p = problem(rows, cols);
      const y = classLabels(p, classes, 7);
      const contenders: ModelContender[] = threadRuntimes(ctx).map(([name, rt]) => ({
        name,
        sample: async () => {
          const t0 = now();
          const model = await new LogisticRegression({ solver: "lbfgs", maxIter: iterations, tol: 0, runtime: rt }).fit(p.X, y);
          const s = (now() - t0) / 1000;
          model.dispose();
          return [s];
        },
      }));
      return {
        contenders,
        note: "descent: fit() from Float32Arrays with its defaults (standardisation on); \"2 threads\" and \"threads\" (auto): the same fit on the runtime's worker threads",
        rounds: ctx.quick ? 1 : 5,
        warmupRounds: 1,
      };
    },
  };
}

/** Every model case, in report order (--quick shrinks the whole fits). */
export function modelCases(quick = false): ModelCase[] {
  return [
    epochCase("linear", 32), epochCase("linear", 256), epochCase("logistic", 32), epochCase("logistic", 256),
    sequentialEpochCase(), networkEpochCase(), closedFormCase(),
    wholeFitCase("linear", quick), wholeFitCase("logistic", quick), wholeFitCase("sequential", quick), multinomialCase(),
    onnxPredictCase(quick),
  ];
}

/** Relative difference of two weight vectors, against the larger magnitude of the reference. */
export function weightDifference(got: Float64Array, ref: Float64Array): number {
  return relativeDifference(got, ref);
}

/** Runs one model case: agreement first, then the interleaved timing. */
export async function runModelCase(
  c: ModelCase, ctx: ModelContext,
): Promise<{ impls: Partial<Record<ModelImpl, ModelImplResult>>; note: string }> {
  const bound = await c.bind(ctx);
  try {
    const weights = new Map<ModelImpl, Float64Array>();
    for (const k of bound.contenders) {
      if (k.weights === undefined) continue;
      k.enter?.();
      weights.set(k.name, await k.weights());
    }
    const ref = weights.get("js") ?? weights.get("plain");
    const stats: Stats[] = await measureAsync(bound.contenders, { rounds: bound.rounds, warmupRounds: bound.warmupRounds });
    const impls: Partial<Record<ModelImpl, ModelImplResult>> = {};
    bound.contenders.forEach((k, i) => {
      const w = weights.get(k.name);
      impls[k.name] = {
        median: stats[i].median,
        iqrPct: stats[i].iqrPct,
        units: stats[i].samples.length,
        relDiff: w === undefined || ref === undefined ? undefined : weightDifference(w, ref),
      };
    });
    return { impls, note: bound.note };
  } finally {
    for (const k of bound.contenders) k.dispose?.();
  }
}
