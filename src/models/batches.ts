// fitBatches: training from a source of { X, y } batches that need not fit in memory together.
// The runtime only ever holds one batch (and the network), so memory is bounded by the largest
// batch, not by the data. A source is read in passes: a first pass for the standardisation
// statistics and the class labels (exact, float64, as fit computes them), then one pass per epoch
// or per solver evaluation. Per algorithm:
//   normal     LinearRegression's closed form: XᵀX and Xᵀy summed batch by batch (float64), one pass;
//   fullBatch  gradient descent whose every step is the full-batch gradient, summed over a pass;
//   lbfgs      LogisticRegression's L-BFGS, each evaluation (line search included) one pass;
//   miniBatch  a step per batchSize rows drawn through a seeded shuffle buffer (Sequential, and
//              the regressions' gd with a batchSize).
// Every check names the batch (counting from 0), and the row and column where it applies.
// See docs/streaming.md for the design.
import { LabelEncoder, readLabels } from "../data/labels.ts";
import { columnMoments } from "../data/scaler.ts";
import { toMatrix, toVector, type Matrix, type MatrixLike } from "../data/matrix.ts";
import { mulberry32 } from "../random.ts";
import type { Runtime } from "../runtime.ts";
import type { Tensor } from "../tensor.ts";
import {
  checkKeys, createYielder, describe, earlyStoppingOption, num, type EarlyStopping, type EpochInfo, type History, type Label,
  type Targets, type TrainingSettings,
} from "./common.ts";
import { EpochTracker, type Network, type LossName } from "./network.ts";
import { lbfgs, normalSolution } from "./solve.ts";

/** One batch of rows: features (rows × features) and their targets, typed as fit's X and y. */
export interface Batch<Y = Targets> {
  readonly X: MatrixLike;
  readonly y: Y;
}

/** Batches, sync or async. */
export type BatchIterable<Y = Targets> = AsyncIterable<Batch<Y>> | Iterable<Batch<Y>>;

/**
 * Where fitBatches reads its data: a function returning the batches (called once per pass: it may
 * reopen a file or refetch a URL), or an iterable that can be iterated again (an array of batches,
 * an object whose [Symbol.asyncIterator]() starts over). A one-shot iterator (a generator object, a
 * ReadableStream) serves a single pass: it is refused when a second one is needed.
 */
export type BatchSource<Y = Targets> = BatchIterable<Y> | (() => BatchIterable<Y> | PromiseLike<BatchIterable<Y>>);

/** Passed to `onBatch` after every batch of every pass. */
export interface BatchInfo {
  /** 1-based count of the passes over the source in this fit. */
  readonly pass: number;
  /** "statistics": the first pass (means, scales, classes); "train": a pass that trains. */
  readonly phase: "statistics" | "train";
  /** The epoch (or L-BFGS iteration) the pass belongs to; 0 for the statistics pass. */
  readonly epoch: number;
  /** 0-based index of the batch in its pass. */
  readonly batch: number;
  /** Rows of this batch. */
  readonly rows: number;
  /** Rows read in this pass so far, this batch included. */
  readonly rowsSeen: number;
  /** Rows of a whole pass, known once the first pass ended (undefined during it). */
  readonly totalRows: number | undefined;
}

/** fitBatches' options: fit's, minus what a stream cannot give, plus the stream's own. */
export interface FitBatchesOptions<Y = Targets> {
  /** Passes that train (gradient descent; default the model's epochs). */
  epochs?: number;
  /** Rows per optimizer step, drawn from the shuffle buffer (mini-batch training; default the model's). */
  batchSize?: number;
  /** Called after every epoch (or L-BFGS iteration); returning false stops training there, keeping what was learned. */
  onEpoch?: (info: EpochInfo) => void | boolean;
  /** Called after every batch of every pass (progress in rows). */
  onBatch?: (info: BatchInfo) => void;
  /** Data the loss is also reported on after every epoch (held in memory, so keep it small). */
  validationData?: { X: MatrixLike; y: Y };
  earlyStopping?: boolean | EarlyStopping;
  /** Aborting stops training at the next batch; fitBatches() then rejects with the signal's reason. */
  signal?: AbortSignal;
  /**
   * Mini-batch training: rows held in a buffer from which each step's rows are drawn at random
   * (seeded by the model's seed), as tf.data's shuffle(n) does; 0 keeps the source's order.
   * Default: max(1024, 8 × batchSize).
   */
  shuffleBuffer?: number;
  /**
   * Classifiers: the class labels. By default they are gathered in the first pass; given, a label
   * outside them is refused, and without standardisation no first pass is needed.
   */
  classes?: readonly Label[];
}

export const FIT_BATCHES_KEYS = [
  "epochs", "batchSize", "onEpoch", "onBatch", "validationData", "earlyStopping", "signal", "shuffleBuffer", "classes",
] as const;

type Standardization = { mean: Float64Array; scale: Float64Array };

/**
 * @internal A model as fitBatches trains it: the protected state of src/models/model.ts (which
 * hands itself over as this type), so that the fit's transaction can put it all back.
 */
export interface BatchModel {
  readonly kind: string;
  readonly task: "regression" | "classification";
  readonly runtime: Runtime;
  readonly threads: number;
  readonly standardize: boolean;
  readonly lossName: LossName;
  net: Network | undefined;
  features: Standardization | undefined;
  target: Standardization | undefined;
  encoder: LabelEncoder | undefined;
  history: History;
  uploadX(m: Matrix, fn: string): Tensor;
  uploadTargets(y: unknown, rows: number, fn: string, fitStats: boolean): { tensor: Tensor; rowBytes: number; outputs: number };
}

export type BatchAlgorithm = "normal" | "fullBatch" | "miniBatch" | "lbfgs";

/** @internal How one model trains from batches (each model file makes its own). */
export interface BatchPlan {
  /** The algorithm, once the width of X is known (LinearRegression's "auto" decides by it). */
  algorithm(cols: number): BatchAlgorithm;
  training: TrainingSettings;
  /** A new network for inputs → outputs (outputs: classes, or target columns). */
  build(inputs: number, outputs: number): Network;
  /** Sequential: a fitted network of the same width trains on from its weights, statistics and classes. */
  continueTraining: boolean;
  /** Classifiers whose loss depends on the classes (LogisticRegression: binary for two). */
  classesKnown?(count: number): void;
  lbfgs?: { maxIter: number; tol: number; done(iterations: number, reason: string): void };
  /** The closed form's result (LinearRegression). */
  commitNormal?(cols: number, mean: Float64Array, w: Float64Array, scale: Float64Array): void;
}

/** A batch read and checked: X, and its targets as float32 values (regression) or labels. */
interface ReadBatch {
  readonly m: Matrix;
  readonly values?: Float32Array;
  readonly labels?: Label[];
  readonly index: number;
}

/**
 * The source, read pass after pass: opens it, checks every batch (shape, finite values, targets
 * against X, the same width and target kind as the first batch), counts rows, checks for abort and
 * yields to the event loop between batches, and tells onBatch.
 */
class Passes {
  passes = 0;
  /** Rows and batches of the first complete pass. */
  total: number | undefined;
  cols: number | undefined;
  outputs: number | undefined;
  labelKind: "string" | "number" | undefined;
  /** Where the expected width comes from, for messages. */
  #widthFrom = "batch 0";
  #oneShot = false;
  readonly #yieldNow = createYielder();

  constructor(
    readonly fn: string, readonly source: unknown, readonly task: "regression" | "classification", readonly signal: AbortSignal,
    readonly rt: Runtime, readonly onBatch: ((info: BatchInfo) => void) | undefined,
  ) {
    const ok = typeof source === "function" || iterableOf(source) !== undefined;
    if (!ok) {
      throw new TypeError(
        `descent: ${fn}: source must be an iterable or async iterable of { X, y } batches (an array of batches, say), ` +
        `or a function returning one (called once per pass), received ${describe(source)}`,
      );
    }
  }

  /** The width and target columns every batch must have, known before the first batch. */
  expect(cols: number, outputs: number, from: string): void {
    this.cols = cols;
    if (this.task === "regression") this.outputs = outputs;
    this.#widthFrom = from;
  }

  async #open(): Promise<AsyncIterator<unknown> | Iterator<unknown>> {
    const fn = this.fn;
    let it: unknown = this.source;
    if (typeof it === "function") {
      it = await (it as () => unknown)();
      if (iterableOf(it) === undefined) {
        throw new TypeError(`descent: ${fn}: the source function must return an iterable or async iterable of { X, y } batches, received ${describe(it)} (pass ${this.passes})`);
      }
    } else if (this.passes > 1 && this.#oneShot) {
      throw this.#oneShotError();
    }
    const make = iterableOf(it) as () => AsyncIterator<unknown> | Iterator<unknown>;
    let iterator: AsyncIterator<unknown> | Iterator<unknown>;
    try {
      iterator = make.call(it);
    } catch (err) {
      // A ReadableStream that is locked or was read says so here.
      if (this.passes > 1) throw this.#oneShotError((err as Error).message);
      throw err;
    }
    // An iterator that is its own iterable (a generator object) cannot start over.
    if (this.passes === 1 && typeof this.source !== "function" && (iterator as unknown) === it) this.#oneShot = true;
    return iterator;
  }

  #oneShotError(why?: string): TypeError {
    return new TypeError(
      `descent: ${this.fn}: the source is a one-shot iterator (a generator object, a stream) that was used up by pass ${this.passes - 1}, ` +
      `but this fit needs another pass${why === undefined ? "" : ` (${why})`}: pass a function that returns new batches each time, ` +
      `as () => batches(), or an array of batches`,
    );
  }

  /** One pass over the source: each batch read and checked. */
  async *pass(phase: BatchInfo["phase"], epoch: number): AsyncGenerator<ReadBatch> {
    this.passes++;
    const fn = this.fn;
    const iterator = await this.#open();
    let index = 0;
    let seen = 0;
    let finished = false;
    try {
      for (;;) {
        if (this.signal.aborted) throw this.signal.reason;
        if (this.rt.closed) throw this.rt.closedError(fn);
        const step = await iterator.next();
        if (step.done === true) {
          finished = true;
          break;
        }
        const b = this.#check(step.value, index);
        seen += b.m.rows;
        yield b;
        this.onBatch?.({ pass: this.passes, phase, epoch, batch: index, rows: b.m.rows, rowsSeen: seen, totalRows: this.total });
        index++;
        // Sync iterables never reach the event loop by themselves.
        await this.#yieldNow();
      }
    } finally {
      // Stops the source (closes a file, cancels a stream) when the pass ends early.
      if (!finished) await iterator.return?.();
    }
    if (this.signal.aborted) throw this.signal.reason;
    if (index === 0) {
      throw new RangeError(this.passes === 1
        ? `descent: ${fn}: the source gave no batches`
        : `descent: ${fn}: the source gave no batches on pass ${this.passes} (it gave ${this.total} rows on pass 1): ` +
          `a one-shot iterator, such as a stream or a generator object, cannot be read again; pass a function that returns new batches each time`);
    }
    if (this.total === undefined) this.total = seen;
    else if (seen !== this.total) {
      throw new RangeError(`descent: ${fn}: pass ${this.passes} gave ${seen} rows but pass 1 gave ${this.total}: the source must give the same rows on every pass`);
    }
  }

  #check(b: unknown, i: number): ReadBatch {
    const fn = this.fn;
    if (typeof b !== "object" || b === null || !("X" in b) || !("y" in b)) {
      throw new TypeError(`descent: ${fn}: batch ${i} must be an object { X, y }, received ${describe(b)}`);
    }
    const { X, y } = b as { X: unknown; y: unknown };
    const m = toMatrix(X, fn, `batch ${i}: X`);
    if (this.cols === undefined) this.cols = m.cols;
    else if (m.cols !== this.cols) throw new RangeError(`descent: ${fn}: batch ${i} has ${m.cols} columns, expected ${this.cols} (as ${this.#widthFrom})`);
    if (this.task === "classification") {
      if (!Array.isArray(y) && !ArrayBuffer.isView(y)) {
        throw new TypeError(`descent: ${fn}: batch ${i}: y must be an array of class labels (strings or numbers), received ${describe(y)}`);
      }
      const { values, kind } = readLabels(y, fn, `batch ${i}: y`);
      if (values.length !== m.rows) throw new RangeError(`descent: ${fn}: batch ${i}: y has ${values.length} labels but X has ${m.rows} rows`);
      if (this.labelKind === undefined) this.labelKind = kind;
      else if (kind !== this.labelKind) {
        throw new TypeError(`descent: ${fn}: batch ${i}: y holds ${kind}s but batch 0 held ${this.labelKind}s (labels must be all strings or all numbers)`);
      }
      return { m, labels: values, index: i };
    }
    let values: Float32Array;
    let outputs: number;
    if (typeof y === "object" && y !== null && !ArrayBuffer.isView(y) && (!Array.isArray(y) || Array.isArray(y[0]))) {
      const t = toMatrix(y, fn, `batch ${i}: y`);
      if (t.rows !== m.rows) throw new RangeError(`descent: ${fn}: batch ${i}: y has ${t.rows} rows but X has ${m.rows}`);
      values = t.data;
      outputs = t.cols;
    } else {
      values = toVector(y, fn, `batch ${i}: y`, m.rows);
      outputs = 1;
    }
    if (this.outputs === undefined) this.outputs = outputs;
    else if (outputs !== this.outputs) throw new RangeError(`descent: ${fn}: batch ${i}: y has ${outputs} column(s), expected ${this.outputs} (as ${this.#widthFrom})`);
    return { m, values, index: i };
  }
}

/** The iterator factory of an iterable or async iterable, or undefined. */
function iterableOf(v: unknown): (() => unknown) | undefined {
  if (typeof v !== "object" || v === null) return undefined;
  const o = v as { [Symbol.asyncIterator]?: unknown; [Symbol.iterator]?: unknown };
  const f = o[Symbol.asyncIterator] ?? o[Symbol.iterator];
  return typeof f === "function" ? (f as () => unknown) : undefined;
}

/** Per-column count, mean, M2 (Chan et al.'s parallel merge of batch statistics), min and max, in float64. */
class ColumnStats {
  n = 0;
  readonly mean: Float64Array;
  readonly m2: Float64Array;
  readonly min: Float64Array;
  readonly max: Float64Array;

  constructor(readonly cols: number) {
    this.mean = new Float64Array(cols);
    this.m2 = new Float64Array(cols);
    this.min = new Float64Array(cols).fill(Infinity);
    this.max = new Float64Array(cols).fill(-Infinity);
  }

  add(data: Float32Array, rows: number): void {
    const cols = this.cols;
    // Each batch's moments in two passes (as StandardScaler), merged exactly across batches.
    const { mean: bm, m2: b2, min, max } = columnMoments(data, rows, cols);
    for (let j = 0; j < cols; j++) {
      if (min[j] < this.min[j]) this.min[j] = min[j];
      if (max[j] > this.max[j]) this.max[j] = max[j];
    }
    const n = this.n + rows;
    for (let j = 0; j < cols; j++) {
      const delta = bm[j] - this.mean[j];
      this.mean[j] += (delta * rows) / n;
      this.m2[j] += b2[j] + (delta * delta * this.n * rows) / n;
    }
    this.n = n;
  }

  /** Population standard deviations, 1 for a constant column (StandardScaler's rule). */
  result(): Standardization {
    const scale = new Float64Array(this.cols);
    for (let j = 0; j < this.cols; j++) scale[j] = this.min[j] === this.max[j] ? 1 : Math.sqrt(this.m2[j] / this.n);
    return { mean: this.mean.slice(), scale };
  }
}

/** A batch standardised and encoded as the network reads it: features, and targets (float32 values, or class codes). */
interface Encoded {
  x: Float32Array;
  y: Float32Array | Int32Array;
  rows: number;
}

/**
 * Trains `model` from `source` as `plan` says; runs inside the model's fit transaction (which puts
 * everything back if this throws), so it may set the model's state as it goes.
 */
export async function trainFromBatches(
  model: BatchModel, plan: BatchPlan, source: unknown, options: unknown, signal: AbortSignal,
): Promise<void> {
  const fn = `${model.kind}.fitBatches`;
  const fo = checkKeys(fn, options, FIT_BATCHES_KEYS) as FitBatchesOptions<unknown> & Record<string, unknown>;
  for (const k of ["onEpoch", "onBatch"] as const) {
    if (fo[k] !== undefined && typeof fo[k] !== "function") throw new TypeError(`descent: ${fn}: ${k} must be a function, received ${describe(fo[k])}`);
  }
  const epochs = num(fn, "epochs", fo.epochs, plan.training.epochs, { min: 1, integer: true });
  const batchSize = fo.batchSize === undefined ? plan.training.batchSize : num(fn, "batchSize", fo.batchSize, 0, { min: 1, integer: true });
  const earlyStopping = earlyStoppingOption(fn, fo.earlyStopping);
  const rt = model.runtime;
  const classification = model.task === "classification";
  if (fo.classes !== undefined) {
    if (!classification) throw new TypeError(`descent: ${fn}: option "classes" is for classifiers; this model is a regression`);
    readLabels(fo.classes, fn, "classes");
    if (new Set(fo.classes).size < 2) throw new RangeError(`descent: ${fn}: classes must hold at least two distinct labels`);
  }
  const passes = new Passes(fn, source, model.task, signal, rt, fo.onBatch);

  const previous = model.net;
  // Sequential trains on from its weights, statistics and classes when it was fitted on data of the
  // same width: then no statistics pass is needed, and the width is the network's.
  const continuing = plan.continueTraining && previous !== undefined;
  if (continuing && fo.classes !== undefined) {
    throw new TypeError(`descent: ${fn}: option "classes" cannot change the classes of a model that trains on from its weights`);
  }
  model.history = { loss: [], valLoss: [] };
  let cols: number;
  let algorithm: BatchAlgorithm;
  if (continuing) {
    cols = previous.layers[0].inputs;
    passes.expect(cols, previous.outputs, "the model was trained on");
    algorithm = plan.algorithm(cols);
  } else {
    // ---- The first pass: the standardisation statistics and the classes, exact (float64, merged
    // batch by batch), and for the closed form the Gram matrix too, which is then all it needs.
    const features = model.standardize ? new Deferred((c) => new ColumnStats(c)) : undefined;
    const targets = model.standardize && !classification ? new Deferred((c) => new ColumnStats(c)) : undefined;
    const labels = new Set<Label>();
    let gram: GramSums | undefined;
    let chosen: BatchAlgorithm | undefined;
    for await (const b of passes.pass("statistics", 0)) {
      if (chosen === undefined) {
        // LinearRegression's "auto" decides by the width, known from the first batch.
        chosen = plan.algorithm(b.m.cols);
        if (chosen === "normal") gram = new GramSums(rt, b);
      }
      features?.get(b.m.cols).add(b.m.data, b.m.rows);
      targets?.get(passes.outputs as number).add(b.values as Float32Array, b.m.rows);
      if (classification) for (const l of b.labels as Label[]) labels.add(l);
      gram?.add(b);
    }
    cols = passes.cols as number;
    algorithm = chosen as BatchAlgorithm;
    if (gram !== undefined) {
      for (const k of ["epochs", "batchSize", "earlyStopping", "validationData", "shuffleBuffer"] as const) {
        if (fo[k] !== undefined) throw new TypeError(`descent: ${fn}: option "${k}" needs solver "gd" (this fit uses the closed form)`);
      }
      const { rows, mean, shift, g } = gram.result();
      const { w, scale } = normalSolution(rows, cols, mean, shift, g, plan.training.l2, model.standardize, fn);
      (plan.commitNormal as NonNullable<BatchPlan["commitNormal"]>)(cols, mean, w, scale);
      return;
    }
    model.features = features?.value?.result();
    model.target = targets?.value?.result();
    if (classification) {
      if (fo.classes !== undefined) {
        model.encoder = new LabelEncoder().fit(fo.classes as string[]);
      } else {
        if (labels.size < 2) {
          throw new RangeError(`descent: ${fn}: the batches hold a single class (${JSON.stringify([...labels][0])}); a classifier needs at least two`);
        }
        model.encoder = new LabelEncoder().fit([...labels] as string[]);
      }
    }
  }
  if (classification) plan.classesKnown?.((model.encoder as LabelEncoder).classes.length);

  // ---- The network: a new one on the batches' width, or a clone of the one trained before.
  const k = classification ? (model.encoder as LabelEncoder).classes.length : (passes.outputs as number);
  if (model.lossName === "binaryCrossentropy" && k !== 2) {
    throw new RangeError(`descent: ${fn}: binaryCrossentropy needs two classes, the batches hold ${k}; use categoricalCrossentropy`);
  }
  // The previous network stays with the transaction (to put back or free); this fit never touches it.
  model.net = undefined;
  const net = continuing ? (previous as Network).clone() : plan.build(cols, model.lossName === "binaryCrossentropy" ? 1 : k);
  model.net = net;
  net.l2 = plan.training.l2;
  net.threads = model.threads;

  const encoder = model.encoder;
  const codes = encoder === undefined ? undefined : new Map(encoder.classes.map((c, i) => [c, i]));
  const encode = (b: ReadBatch): Encoded => {
    const { m } = b;
    const x = standardized(m, model.features);
    if (codes !== undefined) {
      const labels = b.labels as Label[];
      const y = new Int32Array(m.rows);
      for (let r = 0; r < m.rows; r++) {
        const c = codes.get(labels[r]);
        if (c === undefined) {
          throw new RangeError(
            `descent: ${fn}: batch ${b.index}: y[${r}] is ${JSON.stringify(labels[r])}, not one of the ${codes.size} classes ` +
            `(${fo.classes !== undefined ? "given in options.classes" : continuing ? "the model was trained on" : "of the first pass: the source changed between passes"})`,
          );
        }
        y[r] = c;
      }
      return { x, y, rows: m.rows };
    }
    const v = b.values as Float32Array;
    const t = model.target;
    if (t === undefined) return { x, y: v, rows: m.rows };
    const o = v.length / m.rows;
    const y = new Float32Array(v.length);
    for (let i = 0; i < v.length; i++) y[i] = (v[i] - t.mean[i % o]) / t.scale[i % o];
    return { x, y, rows: m.rows };
  };
  const binary = model.lossName === "binaryCrossentropy";
  const rowFloats = model.lossName === "mse" ? net.outputs : 1;

  // Validation data: small, in memory, standardised with the statistics above.
  let validation: { x: Tensor; y: Tensor; rows: number } | undefined;
  const tensors: Tensor[] = [];
  try {
    if (fo.validationData !== undefined) {
      if (algorithm === "normal") throw new TypeError(`descent: ${fn}: option "validationData" needs solver "gd" (this fit uses the closed form)`);
      const v = checkKeys(`${fn} (validationData)`, fo.validationData, ["X", "y"]);
      const vm = toMatrix(v.X, fn, "validationData.X");
      if (vm.cols !== cols) throw new RangeError(`descent: ${fn}: validationData.X has ${vm.cols} columns but the batches have ${cols}`);
      const vx = model.uploadX(vm, "fitBatches");
      tensors.push(vx);
      const vy = model.uploadTargets(v.y, vm.rows, "fitBatches", false);
      tensors.push(vy.tensor);
      validation = { x: vx, y: vy.tensor, rows: vm.rows };
    }
    const valLoss = (): number | undefined =>
      validation === undefined ? undefined : net.lossAndGradients(validation.x.ptr, validation.y.ptr, validation.rows, false);

    /** Puts an encoded batch into WASM memory, runs `use` on it, frees it. */
    const withBatch = <T>(e: Encoded, use: (x: number, y: number) => T): T => {
      const xt = rt.tensor(e.x, [e.rows, cols]);
      try {
        const yt = rt.zeros([Math.max(1, e.y.length)]);
        try {
          writeTargets(yt, e.y, binary);
          return use(xt.ptr, yt.ptr);
        } finally {
          yt.dispose();
        }
      } finally {
        xt.dispose();
      }
    };

    /** The full-batch objective and gradient at the current weights: one pass, each batch weighted by its rows. */
    const fullPass = async (epoch: number): Promise<number> => {
      const params = net.params();
      const sums = params.map((p) => new Float64Array(p.grad.length));
      let loss = 0;
      let rows = 0;
      for await (const b of passes.pass("train", epoch)) {
        const e = encode(b);
        const l = withBatch(e, (x, y) => net.lossAndGradients(x, y, e.rows, true));
        loss += l * e.rows;
        rows += e.rows;
        params.forEach((p, i) => {
          const g = p.grad.data;
          const s = sums[i];
          for (let j = 0; j < s.length; j++) s[j] += g[j] * e.rows;
        });
      }
      // Each batch's gradient holds l2·W once; weighted by rows / N they add up to it once.
      params.forEach((p, i) => {
        const g = p.grad.data;
        const s = sums[i];
        for (let j = 0; j < s.length; j++) g[j] = s[j] / rows;
      });
      return loss / rows + net.penalty();
    };

    if (algorithm === "lbfgs") {
      const lb = plan.lbfgs as NonNullable<BatchPlan["lbfgs"]>;
      for (const key of ["batchSize", "earlyStopping", "epochs", "shuffleBuffer"] as const) {
        if (fo[key] !== undefined) throw new TypeError(`descent: ${fn}: option "${key}" needs solver "gd" (lbfgs runs until it converges, at most maxIter iterations)`);
      }
      const layer = net.layers[0];
      const nw = layer.w.length;
      const theta = new Float64Array(nw + layer.b.length);
      let iteration = 0;
      const started = performance.now();
      const result = await lbfgs(async (at, grad) => {
        layer.w.data.set(at.subarray(0, nw));
        layer.b.data.set(at.subarray(nw));
        const f = await fullPass(iteration + 1);
        grad.set(layer.dw.data);
        grad.set(layer.db.data, nw);
        return f;
      }, theta, {
        maxIter: lb.maxIter, gtol: lb.tol, ftol: 1e-12, memory: 10, pause: createYielder(),
        onIteration: (it, f) => {
          iteration = it;
          if (signal.aborted || rt.closed) return false;
          model.history.loss.push(f);
          layer.w.data.set(theta.subarray(0, nw));
          layer.b.data.set(theta.subarray(nw));
          const v = valLoss();
          if (v !== undefined) model.history.valLoss.push(v);
          const seconds = (performance.now() - started) / 1000;
          return fo.onEpoch?.({
            epoch: it, epochs: lb.maxIter, loss: f, ...(v !== undefined ? { valLoss: v } : {}), seconds,
            samplesPerSecond: seconds > 0 ? ((passes.total ?? 0) * (passes.passes - 1)) / seconds : 0,
          });
        },
      });
      if (signal.aborted) throw signal.reason;
      if (rt.closed) throw rt.closedError(fn);
      layer.w.data.set(theta.subarray(0, nw));
      layer.b.data.set(theta.subarray(nw));
      lb.done(result.iterations, result.reason);
      return;
    }

    const full = algorithm === "fullBatch" && (batchSize === undefined);
    if (full && fo.shuffleBuffer !== undefined) throw new TypeError(`descent: ${fn}: option "shuffleBuffer" needs mini-batches (a batchSize)`);
    const step = Math.max(1, batchSize ?? 32);
    const bufferRows = num(fn, "shuffleBuffer", fo.shuffleBuffer, Math.max(1024, 8 * step), { min: 0, integer: true });
    const tracker = new EpochTracker(net, plan.training.optimizer.lr, epochs, earlyStopping, fo.onEpoch, model.history);
    const random = mulberry32(plan.training.seed ^ 0x5eed);
    // One mini-batch in WASM memory, filled for each step (freed with the other tensors below).
    const bx = full ? undefined : rt.zeros([step, cols]);
    if (bx !== undefined) tensors.push(bx);
    const by = full ? undefined : rt.zeros([step * rowFloats]);
    if (by !== undefined) tensors.push(by);
    for (let epoch = 1; epoch <= epochs; epoch++) {
      if (signal.aborted) throw signal.reason;
      if (rt.closed) throw rt.closedError(fn);
      let total: number;
      if (bx === undefined || by === undefined) {
        total = await fullPass(epoch);
        net.step(plan.training.optimizer);
      } else {
        total = await miniBatchPass(passes, epoch, encode, net, plan.training, random, bufferRows, step, cols, rowFloats, classification, binary, bx, by);
      }
      if (tracker.end(epoch, total, valLoss(), passes.total ?? 0)) break;
    }
  } finally {
    for (const t of tensors) t.dispose();
    net.dropWorkspaces();
  }
}

/** Made on first use, when the width it needs is known. */
class Deferred<T> {
  value: T | undefined;
  constructor(readonly make: (width: number) => T) {}
  get(width: number): T {
    this.value ??= this.make(width);
    return this.value;
  }
}

/**
 * The closed form's sums, batch by batch: column sums and the Gram matrix Σ u·uᵀ of
 * u = [x − s | y − s_y] (float64, by the kernels fit uses), added in float64. Every batch is
 * centred on the same shift s, the first batch's means rounded to float32 (fit centres on the
 * data's means): close enough to the data's means that the sums keep their digits, and
 * normalSolution corrects for the difference exactly.
 */
class GramSums {
  readonly cols: number;
  readonly gram: Float64Array;
  readonly sums: Float64Array;
  readonly shift: Float32Array;
  rows = 0;

  constructor(readonly rt: Runtime, first: ReadBatch) {
    const { m, values } = first;
    const cols = m.cols;
    this.cols = cols;
    const w1 = cols + 1;
    this.gram = new Float64Array(w1 * w1);
    this.sums = new Float64Array(w1);
    const mean = new Float64Array(w1);
    for (let i = 0; i < m.rows; i++) for (let j = 0; j < cols; j++) mean[j] += m.data[i * cols + j];
    for (let i = 0; i < m.rows; i++) mean[cols] += (values as Float32Array)[i];
    this.shift = Float32Array.from(mean, (v) => v / m.rows);
  }

  add(b: ReadBatch): void {
    const { rt, cols } = this;
    const { m } = b;
    const w1 = cols + 1;
    const tensors: Tensor[] = [];
    try {
      const make = (t: Tensor): Tensor => {
        tensors.push(t);
        return t;
      };
      const x = make(rt.tensor(m.data, [m.rows, cols]));
      const y = make(rt.tensor(b.values as Float32Array));
      const s = make(rt.tensor(this.shift));
      const sums = make(rt.zeros([2 * w1])); // w1 float64
      const g = make(rt.zeros([2 * w1 * w1]));
      const scratch = make(rt.zeros([2 * 4 * w1]));
      const k = rt.kernels;
      k.colSums64_f64(x.ptr, m.rows, cols, sums.ptr);
      k.colSums64_f64(y.ptr, m.rows, 1, sums.ptr + cols * 8);
      k.gram64_f64(x.ptr, y.ptr, s.ptr, m.rows, cols, g.ptr, scratch.ptr);
      const f64 = rt.heap.f64;
      for (let j = 0; j < w1; j++) this.sums[j] += f64[(sums.ptr >> 3) + j];
      for (let j = 0; j < w1 * w1; j++) this.gram[j] += f64[(g.ptr >> 3) + j];
      this.rows += m.rows;
    } finally {
      for (const t of tensors) t.dispose();
    }
  }

  result(): { rows: number; mean: Float64Array; shift: Float32Array; g: Float64Array } {
    return { rows: this.rows, mean: this.sums.map((v) => v / this.rows), shift: this.shift, g: this.gram };
  }
}

/** (x − mean) / scale in float64, rounded once (as fit's upload). */
function standardized(m: Matrix, s: Standardization | undefined): Float32Array {
  if (s === undefined) return m.data;
  const { cols, data } = m;
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const j = i % cols;
    out[i] = (data[i] - s.mean[j]) / s.scale[j];
  }
  return out;
}

/** Targets in the layout the loss reads: float32 values, float32 0/1 (binary) or int32 class indices. */
function writeTargets(t: Tensor, y: Float32Array | Int32Array, binary: boolean, at = 0): void {
  const data = t.data;
  if (y instanceof Float32Array) data.set(y, at);
  else if (binary) for (let i = 0; i < y.length; i++) data[at + i] = y[i];
  else new Int32Array(data.buffer, data.byteOffset, data.length).set(y, at);
}

/**
 * One epoch of mini-batches: rows pass through a shuffle buffer of `bufferRows` rows (once it is
 * full, each incoming row takes the place of a row drawn at random, which joins the current
 * mini-batch; at the end of the pass the buffer is emptied in a random order). Returns the epoch's
 * loss: the mean of the step objectives weighted by their rows, as fit's epoch loop.
 */
async function miniBatchPass(
  passes: Passes, epoch: number, encode: (b: ReadBatch) => Encoded, net: Network, training: TrainingSettings,
  random: () => number, bufferRows: number, step: number, cols: number, rowFloats: number, classCodes: boolean, binary: boolean,
  bx: Tensor, by: Tensor,
): Promise<number> {
  let fill = 0;
  let total = 0;
  let rows = 0;
  // Staged in JS and copied into WASM memory once per step; class codes stay int32 until then.
  const sx = new Float32Array(step * cols);
  const sy: Float32Array | Int32Array = classCodes ? new Int32Array(step) : new Float32Array(step * rowFloats);
  const flush = (): void => {
    if (fill === 0) return;
    bx.data.set(fill === step ? sx : sx.subarray(0, fill * cols));
    writeTargets(by, sy.subarray(0, fill * rowFloats), binary);
    total += (net.lossAndGradients(bx.ptr, by.ptr, fill, true) + net.penalty()) * fill;
    net.step(training.optimizer);
    rows += fill;
    fill = 0;
  };
  let buffer: { x: Float32Array; y: Float32Array | Int32Array } | undefined;
  let held = 0;
  const take = (x: Float32Array, xo: number, y: Float32Array | Int32Array, yo: number): void => {
    sx.set(x.subarray(xo * cols, (xo + 1) * cols), fill * cols);
    for (let j = 0; j < rowFloats; j++) sy[fill * rowFloats + j] = y[yo * rowFloats + j];
    fill++;
    if (fill === step) flush();
  };
  for await (const b of passes.pass("train", epoch)) {
    const e = encode(b);
    if (bufferRows === 0) {
      for (let r = 0; r < e.rows; r++) take(e.x, r, e.y, r);
      continue;
    }
    buffer ??= { x: new Float32Array(bufferRows * cols), y: classCodes ? new Int32Array(bufferRows) : new Float32Array(bufferRows * rowFloats) };
    const bxs = buffer.x;
    const bys = buffer.y;
    for (let r = 0; r < e.rows; r++) {
      if (held < bufferRows) {
        bxs.set(e.x.subarray(r * cols, (r + 1) * cols), held * cols);
        for (let j = 0; j < rowFloats; j++) bys[held * rowFloats + j] = e.y[r * rowFloats + j];
        held++;
        continue;
      }
      const slot = Math.floor(random() * bufferRows);
      take(bxs, slot, bys, slot);
      bxs.set(e.x.subarray(r * cols, (r + 1) * cols), slot * cols);
      for (let j = 0; j < rowFloats; j++) bys[slot * rowFloats + j] = e.y[r * rowFloats + j];
    }
  }
  if (buffer !== undefined) {
    // The rows still held leave in a random order (Fisher–Yates over their slots).
    const order = new Int32Array(held).map((_, i) => i);
    for (let i = held - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      const t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    for (const slot of order) take(buffer.x, slot, buffer.y, slot);
  }
  flush();
  return total / rows;
}

