// The part every model shares: turning user data into standardised float32 tensors in WASM
// memory (features, regression targets, class labels), predict / predictProba / score over the
// network, fit as a transaction (one at a time; a fit that throws or rejects puts back everything
// it changed and frees everything it allocated), disposal, and the saved-model format (JSON with
// a format version and a checksum, validated field by field before anything is allocated).
import { LabelEncoder, StandardScaler, toMatrix, toVector, type Matrix, type MatrixLike } from "../data/index.ts";
import { INSPECT } from "../format.ts";
import type { Runtime } from "../runtime.ts";
import type { Tensor } from "../tensor.ts";
import {
  FIT_KEYS, bool, checkKeys, describe, earlyStoppingOption, num, r2, runtimeOption, signalOption, type FitOptions, type History,
  type Label, type OptimizerConfig, type Targets,
} from "./common.ts";
import { trainFromBatches, type BatchModel, type BatchPlan, type BatchSource, type FitBatchesOptions } from "./batches.ts";
import { activationSpec, dense, specToJSON, type ActivationSpec, type DenseConfig, type DenseLayer } from "./layers.ts";
import { LOSSES, Network, train, type Batchable, type LossName } from "./network.ts";
import { summaryText, type SummaryLayer } from "./summary.ts";
import { toONNX } from "../onnx/export.ts";

export type ModelKind = "LinearRegression" | "LogisticRegression" | "Sequential";
export type Task = "regression" | "classification";
export type { Label };

export const FORMAT = "descent-model";
export const FORMAT_VERSION = 1;

export interface LayerJSON {
  units: number;
  inputs: number;
  activation: unknown;
  init: string;
  slopes: string;
  slopeInit: number;
  w: number[];
  b: number[];
  slope?: number[];
}

export interface ModelJSON {
  format: typeof FORMAT;
  version: number;
  model: ModelKind;
  options: Record<string, unknown>;
  loss: LossName;
  features?: { mean: number[]; scale: number[] };
  target?: { mean: number[]; scale: number[] };
  classes?: Label[];
  layers: LayerJSON[];
  checksum: string;
}

interface Standardization {
  mean: Float64Array;
  scale: Float64Array;
}

/** Everything a fit may change, kept so that a fit that fails can put it back. */
interface FitState {
  readonly net: Network | undefined;
  readonly features: Standardization | undefined;
  readonly target: Standardization | undefined;
  readonly encoder: LabelEncoder | undefined;
  readonly history: History;
  readonly report: Record<string, unknown>;
}

/** Makes an unfitted model of one kind from saved options (each model file registers its own). */
type Factory = (options: Record<string, unknown>, layers: DenseConfig[]) => Model;
const FACTORIES = new Map<ModelKind, Factory>();

export function registerModel(kind: ModelKind, factory: Factory): void {
  FACTORIES.set(kind, factory);
}

/** What it takes to make the same model elsewhere (another thread): JSON-safe. */
export interface Blueprint {
  kind: ModelKind;
  options: Record<string, unknown>;
  layers: DenseConfig[];
  /** The trained state, when there is one (Sequential's fit continues from it). */
  state?: ModelJSON;
}

/** A new model from a blueprint, on `runtime` (the default runtime when undefined). */
export function fromBlueprint(b: Blueprint, runtime?: unknown): Model {
  const factory = FACTORIES.get(b.kind);
  if (factory === undefined) throw new TypeError(`descent: unknown model kind ${describe(b.kind)}`);
  const model = factory({ ...b.options, ...(runtime !== undefined ? { runtime } : {}) }, b.layers);
  if (b.state !== undefined) model.restoreFrom(b.state);
  return model;
}

export abstract class Model {
  abstract readonly kind: ModelKind;
  readonly runtime: Runtime;
  /** Loss per epoch (or solver iteration) of the last fit, and the validation loss when given. */
  history: History = { loss: [], valLoss: [] };
  protected net: Network | undefined;
  protected features: Standardization | undefined;
  protected target: Standardization | undefined;
  protected encoder: LabelEncoder | undefined;
  protected readonly standardize: boolean;
  /** The l2 coefficient of the training objective (each model sets it from its options). */
  protected l2 = 0;
  /** Threads for training: at most the runtime's (see createRuntime's `threads`). */
  readonly threads: number;
  /** Options as given (JSON-safe), saved with the model. */
  protected readonly saved: Record<string, unknown>;
  #disposed = false;
  /** The fit in progress: aborting it (dispose does) makes the fit reject at its next check. */
  #running: AbortController | undefined;
  /** The network the fit in progress would put back: nothing may free it before the fit ends. */
  #held: Network | undefined;

  protected constructor(fn: string, o: Record<string, unknown>) {
    this.runtime = runtimeOption(fn, o.runtime);
    this.standardize = bool(fn, "standardize", o.standardize, true);
    const available = this.runtime.threads;
    this.threads = o.threads === "auto" ? available : Math.min(available, num(fn, "threads", o.threads, available, { min: 1, integer: true }));
    const saved: Record<string, unknown> = {};
    // The runtime and thread count belong to where a model runs, not to the model.
    for (const [k, v] of Object.entries(o)) if (k !== "runtime" && k !== "threads" && v !== undefined) saved[k] = v;
    this.saved = saved;
  }

  abstract get task(): Task;
  /** One line: the model, its shape or solver, and its optimizer. */
  abstract describe(): string;
  /** Trains on X (rows × features) and y; see each model. */
  abstract fit(X: MatrixLike, y: Targets, options?: FitOptions): Promise<this>;
  protected abstract get lossName(): LossName;

  /**
   * Trains from batches of { X, y } that need not fit in memory together: `source` is a function
   * returning them (called once per pass) or an iterable that can be iterated again. The runtime
   * holds one batch at a time; a first pass gathers the standardisation statistics and the
   * classes, then each model trains as its solver does (see src/models/batches.ts). A fitBatches
   * that fails leaves the model as it was, as fit.
   */
  async fitBatches(source: BatchSource, options?: FitBatchesOptions): Promise<this> {
    return this.transaction("fitBatches", options, (signal) =>
      // The trainer sets the model's protected state, declared by BatchModel, inside this transaction.
      trainFromBatches(this as unknown as BatchModel, this.batchPlan(), source, options, signal));
  }

  /** @internal How this model trains from batches (its solver, settings and network). */
  protected abstract batchPlan(): BatchPlan;

  /**
   * The class labels, sorted: the order of predictProba's columns. A classifier that is not
   * trained yet has none to give and throws; a regression model has none (undefined).
   */
  get classes(): readonly Label[] | undefined {
    if (this.task === "regression") return undefined;
    this.live("classes");
    if (this.encoder === undefined) throw new TypeError(`descent: ${this.kind}.classes: the model is not trained yet: call fit() first`);
    return this.encoder.classes;
  }

  /**
   * One line: the kind, the shape (inputs → units of each layer), what it trains with and whether
   * it is trained, as `Sequential(4 → 16 → 3, loss categoricalCrossentropy, trained)`. Before the
   * first fit the input width is "?" (X decides it).
   */
  toString(): string {
    if (this.#disposed) return `${this.kind}(disposed)`;
    const layers = this.summaryLayers();
    const units = layers.map((l) => l.units);
    const shape = layers.length > 0 && units.every((u) => u !== undefined)
      ? [layers[0].inputs ?? "?", ...units].join(" → ")
      : undefined;
    const parts = [shape, ...this.traits(), this.net === undefined ? "not trained" : "trained"].filter((p) => p !== undefined);
    return `${this.kind}(${parts.join(", ")})`;
  }

  /** What console.log and util.inspect show: the line of toString(). */
  [INSPECT](): string {
    return this.toString();
  }

  /**
   * A table of the layers, as Keras's model.summary(): type, units, activation, output shape and
   * parameters (weights, biases and PReLU slopes), with the total. A string, to print or log.
   */
  summary(): string {
    this.live("summary");
    return summaryText(this.toString(), this.summaryLayers());
  }

  /** @internal What toString and summary show besides the shape (the solver, the loss). */
  protected abstract traits(): (string | undefined)[];

  /** @internal The layers the summary lists: the trained network's, or what is known before fit. */
  protected summaryLayers(): SummaryLayer[] {
    return (this.net?.layers ?? []).map((l) => ({ inputs: l.inputs, units: l.units, activation: l.config.activation, slopes: l.config.slopes }));
  }

  /** The network's layers (for inspection: weights are live tensors in WASM memory). */
  get layers(): readonly DenseLayer[] {
    return this.network("layers").layers;
  }

  protected live(fn: string): void {
    if (this.#disposed) throw new TypeError(`descent: ${this.kind}.${fn}: the model was disposed`);
  }

  /** True while a fit (or trainInWorker) is running on this model. */
  get fitting(): boolean {
    return this.#running !== undefined;
  }

  /**
   * @internal Runs `body` as the model's one fit in progress, as a transaction: a second fit
   * while it runs is refused at once; an already aborted signal refuses before any work; when
   * `body` throws or rejects (bad data, a refused option, cancellation, divergence, a full memory,
   * dispose() during the fit), everything it changed is put back, so the model predicts bit for
   * bit as before, and every network it built is freed. On success the network it replaced is
   * freed. `body` gets the user's signal combined with the model's own (which dispose() aborts),
   * and must never mutate the network it finds in place: it trains a new one or a clone.
   */
  async transaction(fn: string, options: unknown, body: (signal: AbortSignal) => Promise<void>): Promise<this> {
    this.live(fn);
    const where = `${this.kind}.${fn}`;
    if (this.#running !== undefined) {
      throw new TypeError(`descent: ${where}: fit is already running on this model; await it (or abort its signal) before starting another`);
    }
    if (this.runtime.closed) throw this.runtime.closedError(where);
    const user = signalOption(where, typeof options === "object" && options !== null ? (options as { signal?: unknown }).signal : undefined);
    if (user?.aborted) throw user.reason;
    const own = new AbortController();
    const signal = user === undefined ? own.signal : AbortSignal.any([user, own.signal]);
    const before: FitState = {
      net: this.net, features: this.features, target: this.target, encoder: this.encoder, history: this.history, report: this.fitReport(),
    };
    this.#running = own;
    this.#held = before.net;
    let failure: unknown;
    let failed = false;
    try {
      await body(signal);
      // The last guard of "never NaN": whatever the solver, a model only commits finite weights.
      if (this.net !== undefined && !this.net.finite()) {
        throw new RangeError(`descent: ${where}: training produced non-finite weights; the model is left as it was before this fit`);
      }
    } catch (err) {
      failed = true;
      failure = err;
    } finally {
      this.#running = undefined;
      this.#held = undefined;
    }
    if (failed) {
      if (this.net !== before.net) this.net?.dispose();
      this.net = before.net;
      this.features = before.features;
      this.target = before.target;
      this.encoder = before.encoder;
      this.history = before.history;
      this.applyFitReport(before.report);
    } else if (this.net !== before.net) before.net?.dispose();
    if (this.#disposed) {
      // dispose() during the fit left the freeing to this point, where nothing runs on the network.
      this.net?.dispose();
      this.net = undefined;
    }
    if (failed) throw failure;
    this.live(fn);
    return this;
  }

  protected network(fn: string): Network {
    this.live(fn);
    if (this.net === undefined) throw new TypeError(`descent: ${this.kind}.${fn}: the model is not trained yet: call fit() first`);
    return this.net;
  }

  /** Standardised features as a [rows, cols] tensor (the caller disposes it). */
  protected uploadX(m: Matrix, fn: string): Tensor {
    const net = this.net;
    if (net !== undefined && m.cols !== net.layers[0].inputs) {
      throw new RangeError(`descent: ${this.kind}.${fn}: X has ${m.cols} columns but the model was trained on ${net.layers[0].inputs}`);
    }
    const t = this.runtime.zeros([m.rows, m.cols]);
    const out = t.data;
    const s = this.features;
    if (s === undefined) out.set(m.data);
    else {
      const { cols, data } = m;
      for (let i = 0; i < data.length; i++) {
        const j = i % cols;
        out[i] = (data[i] - s.mean[j]) / s.scale[j];
      }
    }
    return t;
  }

  protected fitFeatures(m: Matrix): void {
    if (!this.standardize) {
      this.features = undefined;
      return;
    }
    const scaler = new StandardScaler().fit(m);
    this.features = { mean: scaler.mean as Float64Array, scale: scaler.scale as Float64Array };
  }

  /** Regression targets (a vector or a rows × outputs matrix) as standardised float32 values. */
  protected regressionTargets(y: unknown, rows: number, fn: string, fitStats: boolean): { values: Float32Array; outputs: number } {
    let values: Float32Array;
    let outputs: number;
    if (typeof y === "object" && y !== null && !ArrayBuffer.isView(y) && (!Array.isArray(y) || Array.isArray(y[0]))) {
      const m = toMatrix(y, `${this.kind}.${fn}`, "y");
      if (m.rows !== rows) throw new RangeError(`descent: ${this.kind}.${fn}: y has ${m.rows} rows but X has ${rows}`);
      values = m.data;
      outputs = m.cols;
    } else {
      values = toVector(y, `${this.kind}.${fn}`, "y", rows);
      outputs = 1;
    }
    if (fitStats) {
      if (this.standardize) {
        const scaler = new StandardScaler().fit({ data: values, rows, cols: outputs });
        this.target = { mean: scaler.mean as Float64Array, scale: scaler.scale as Float64Array };
      } else this.target = undefined;
    }
    const t = this.target;
    if (t === undefined) return { values, outputs };
    const out = new Float32Array(values.length);
    for (let i = 0; i < values.length; i++) out[i] = (values[i] - t.mean[i % outputs]) / t.scale[i % outputs];
    return { values: out, outputs };
  }

  /** Class labels as codes; fitting learns the classes (at least two). */
  protected classCodes(y: unknown, rows: number, fn: string, fitClasses: boolean): Int32Array {
    if (!Array.isArray(y) && !ArrayBuffer.isView(y)) {
      throw new TypeError(`descent: ${this.kind}.${fn}: y must be an array of class labels (strings or numbers), received ${describe(y)}`);
    }
    const labels = y as unknown as readonly Label[];
    if (labels.length !== rows) throw new RangeError(`descent: ${this.kind}.${fn}: y has ${labels.length} labels but X has ${rows} rows`);
    if (fitClasses) {
      const enc = new LabelEncoder().fit(labels);
      if (enc.classes.length < 2) {
        throw new RangeError(
          `descent: ${this.kind}.${fn}: y has a single class (${JSON.stringify(enc.classes[0])}); a classifier needs at least two`,
        );
      }
      this.encoder = enc;
    }
    return (this.encoder as LabelEncoder).transform(labels);
  }

  /** Targets in WASM memory in the layout the loss reads, and the bytes per row. */
  protected uploadTargets(y: unknown, rows: number, fn: string, fitStats: boolean): { tensor: Tensor; rowBytes: number; outputs: number } {
    const rt = this.runtime;
    if (this.task === "regression") {
      const { values, outputs } = this.regressionTargets(y, rows, fn, fitStats);
      return { tensor: rt.tensor(values, [rows, outputs]), rowBytes: outputs * 4, outputs };
    }
    const codes = this.classCodes(y, rows, fn, fitStats);
    const k = (this.encoder as LabelEncoder).classes.length;
    if (this.lossName === "binaryCrossentropy") {
      if (k !== 2) {
        throw new RangeError(`descent: ${this.kind}.${fn}: binaryCrossentropy needs two classes, y has ${k}; use categoricalCrossentropy`);
      }
      return { tensor: rt.tensor(Float32Array.from(codes), [rows, 1]), rowBytes: 4, outputs: 1 };
    }
    const t = rt.zeros([rows]);
    new Int32Array(t.data.buffer, t.ptr, rows).set(codes);
    return { tensor: t, rowBytes: 4, outputs: k };
  }

  /**
   * The shared part of fit (inside transaction()): checks, data upload, validation data, the epoch
   * loop. With `continueTraining` (Sequential) a model fitted before on data of the same width
   * trains a clone of its network from the current weights and keeps its standardisation and
   * classes; otherwise a new network is built.
   */
  protected async fitNetwork(
    fn: string, X: unknown, y: unknown, options: FitOptions | undefined, signal: AbortSignal,
    build: (inputs: number, outputs: number) => Network,
    defaults: { epochs: number; batchSize: number | undefined; optimizer: OptimizerConfig; seed: number; l2: number },
    continueTraining: boolean,
  ): Promise<void> {
    const fo = checkKeys(`${this.kind}.fit`, options, FIT_KEYS);
    const f = `${this.kind}.fit`;
    const epochs = num(f, "epochs", fo.epochs, defaults.epochs, { min: 1, integer: true });
    const batchSize = fo.batchSize === undefined ? defaults.batchSize : num(f, "batchSize", fo.batchSize, 0, { min: 1, integer: true });
    const earlyStopping = earlyStoppingOption(f, fo.earlyStopping);
    if (fo.onEpoch !== undefined && typeof fo.onEpoch !== "function") {
      throw new TypeError(`descent: ${f}: onEpoch must be a function, received ${describe(fo.onEpoch)}`);
    }
    const m = toMatrix(X, f, "X");
    const previous = this.net;
    const continuing = continueTraining && previous !== undefined && previous.layers[0].inputs === m.cols;
    // The previous network stays with the transaction (to put back or free); this fit never touches it.
    if (!continuing) this.net = undefined;
    const prepared = this.prepare(m, y, fn, fo.validationData, continuing);
    try {
      this.net = continuing ? (previous as Network).clone() : build(m.cols, prepared.outputs);
      this.net.l2 = defaults.l2;
      this.net.threads = this.threads;
      this.history = { loss: [], valLoss: [] };
      await train(this.net, prepared.train, prepared.validation, {
        epochs, batchSize, optimizer: defaults.optimizer, seed: defaults.seed, earlyStopping,
        onEpoch: fo.onEpoch as FitOptions["onEpoch"], signal, targetRowBytes: prepared.rowBytes,
      }, this.history);
    } finally {
      prepared.dispose();
      this.net?.dropWorkspaces();
    }
  }

  /** Fits the standardisation, then uploads training and validation data. */
  protected prepare(m: Matrix, y: unknown, fn: string, validationData: unknown, keepStats: boolean): {
    train: Batchable; validation: Batchable | undefined; rowBytes: number; outputs: number; dispose(): void;
  } {
    if (!keepStats) this.fitFeatures(m);
    const x = this.uploadX(m, fn);
    const tensors: Tensor[] = [x];
    try {
      const yt = this.uploadTargets(y, m.rows, fn, !keepStats);
      tensors.push(yt.tensor);
      let validation: Batchable | undefined;
      if (validationData !== undefined) {
        const v = checkKeys(`${this.kind}.fit (validationData)`, validationData, ["X", "y"]);
        const vm = toMatrix(v.X, `${this.kind}.fit`, "validationData.X");
        if (vm.cols !== m.cols) {
          throw new RangeError(`descent: ${this.kind}.fit: validationData.X has ${vm.cols} columns but X has ${m.cols}`);
        }
        const vx = this.uploadX(vm, fn);
        tensors.push(vx);
        const vy = this.uploadTargets(v.y, vm.rows, fn, false);
        tensors.push(vy.tensor);
        validation = { x: vx, y: vy.tensor, rows: vm.rows };
      }
      return {
        train: { x, y: yt.tensor, rows: m.rows }, validation, rowBytes: yt.rowBytes, outputs: yt.outputs,
        dispose: () => tensors.forEach((t) => t.dispose()),
      };
    } catch (err) {
      tensors.forEach((t) => t.dispose());
      throw err;
    }
  }

  /** The output layer's values for X: activations (regression, unstandardised) or logits. */
  protected outputs(X: unknown, fn: string, logits: boolean): { values: Float32Array; rows: number; cols: number } {
    const net = this.network(fn);
    const m = toMatrix(X, `${this.kind}.${fn}`, "X");
    const x = this.uploadX(m, fn);
    try {
      const out = net.forward(x.ptr, m.rows);
      const values = (logits ? out.z : out.a).toArray();
      const cols = net.outputs;
      const t = this.target;
      if (!logits && t !== undefined) {
        for (let i = 0; i < values.length; i++) values[i] = values[i] * t.scale[i % cols] + t.mean[i % cols];
      }
      return { values, rows: m.rows, cols };
    } finally {
      x.dispose();
      net.dropWorkspaces();
    }
  }

  /** Regression: the predicted values (rows × outputs). Classification: the predicted labels. */
  predict(X: MatrixLike): Float32Array | Label[] {
    if (this.task === "regression") return this.outputs(X, "predict", false).values;
    const proba = this.predictProba(X);
    const k = (this.encoder as LabelEncoder).classes.length;
    const codes = new Int32Array(proba.length / k);
    for (let r = 0; r < codes.length; r++) {
      let best = 0;
      for (let j = 1; j < k; j++) if (proba[r * k + j] > proba[r * k + best]) best = j;
      codes[r] = best;
    }
    return (this.encoder as LabelEncoder).inverseTransform(codes);
  }

  /** Class probabilities, rows × classes (columns in the order of `classes`). */
  predictProba(X: MatrixLike): Float32Array {
    if (this.task !== "classification") throw new TypeError(`descent: ${this.kind}.predictProba: a regression model has no class probabilities`);
    const { values, rows, cols } = this.outputs(X, "predictProba", true);
    const rt = this.runtime;
    if (this.lossName === "binaryCrossentropy") {
      const p = rt.activations.sigmoid.forward(values);
      const out = new Float32Array(rows * 2);
      for (let r = 0; r < rows; r++) {
        out[2 * r] = 1 - p[r];
        out[2 * r + 1] = p[r];
      }
      return out;
    }
    return rt.activations.softmax.forward(values, { cols });
  }

  /** R² (regression, averaged over outputs as scikit-learn does) or accuracy (classification). */
  score(X: MatrixLike, y: Targets): number {
    const pred = this.predict(X);
    if (this.task === "classification") {
      const m = toMatrix(X, `${this.kind}.score`, "X");
      if (!Array.isArray(y) && !ArrayBuffer.isView(y)) throw new TypeError(`descent: ${this.kind}.score: y must be an array of labels, received ${describe(y)}`);
      const labels = y as unknown as ArrayLike<Label>;
      if (labels.length !== m.rows) throw new RangeError(`descent: ${this.kind}.score: y has ${labels.length} labels but X has ${m.rows} rows`);
      let hits = 0;
      for (let i = 0; i < labels.length; i++) if ((pred as Label[])[i] === labels[i]) hits++;
      return hits / labels.length;
    }
    const p = pred as Float32Array;
    const cols = (this.net as Network).outputs;
    const rows = p.length / cols;
    const target = cols === 1 ? toVector(y, `${this.kind}.score`, "y", rows) : toMatrix(y, `${this.kind}.score`, "y").data;
    if (target.length !== p.length) throw new RangeError(`descent: ${this.kind}.score: y has ${target.length / cols} rows but X has ${rows}`);
    let total = 0;
    for (let j = 0; j < cols; j++) {
      const pj = new Float64Array(rows);
      const tj = new Float64Array(rows);
      for (let r = 0; r < rows; r++) {
        pj[r] = p[r * cols + j];
        tj[r] = target[r * cols + j];
      }
      total += r2(pj, tj);
    }
    return total / cols;
  }

  /**
   * The training objective on (X, y) at the current weights, and its gradient for every layer,
   * as the optimizer sees them (features and targets standardised as in fit). For inspection and
   * gradient checking.
   */
  gradients(X: MatrixLike, y: Targets): { loss: number; layers: { w: Float32Array; b: Float32Array; slope?: Float32Array }[] } {
    const net = this.network("gradients");
    const m = toMatrix(X, `${this.kind}.gradients`, "X");
    const x = this.uploadX(m, "gradients");
    let yt: Tensor | undefined;
    try {
      yt = this.uploadTargets(y, m.rows, "gradients", false).tensor;
      const loss = net.lossAndGradients(x.ptr, yt.ptr, m.rows, true) + net.penalty();
      return {
        loss,
        layers: net.layers.map((l) => ({
          w: l.dw.toArray(), b: l.db.toArray(), ...(l.dslope ? { slope: l.dslope.toArray() } : {}),
        })),
      };
    } finally {
      x.dispose();
      yt?.dispose();
      net.dropWorkspaces();
    }
  }

  /**
   * Frees the weights and optimizer state in WASM memory. Using the model afterwards throws. During
   * a fit, the fit rejects at its next check (between epochs or iterations) and frees everything.
   */
  dispose(): void {
    this.#disposed = true;
    if (this.#running !== undefined) {
      this.#running.abort(new TypeError(`descent: ${this.kind}.fit: the model was disposed during fit; the fit was abandoned and its memory freed`));
      return;
    }
    this.net?.dispose();
    this.net = undefined;
  }

  toJSON(): ModelJSON {
    const net = this.network("toJSON");
    const body: Omit<ModelJSON, "checksum"> = {
      format: FORMAT,
      version: FORMAT_VERSION,
      model: this.kind,
      options: this.saved,
      loss: net.loss,
      ...(this.features ? { features: { mean: [...this.features.mean], scale: [...this.features.scale] } } : {}),
      ...(this.target ? { target: { mean: [...this.target.mean], scale: [...this.target.scale] } } : {}),
      ...(this.encoder ? { classes: [...this.encoder.classes] } : {}),
      layers: net.layers.map((l) => ({
        units: l.units,
        inputs: l.inputs,
        activation: Array.isArray(l.config.activation)
          ? (l.config.activation as readonly (ActivationSpec | undefined)[]).map(specToJSON)
          : specToJSON(l.config.activation as ActivationSpec | undefined),
        init: l.config.init,
        slopes: l.config.slopes,
        slopeInit: l.config.slopeInit,
        w: [...l.w.data],
        b: [...l.b.data],
        ...(l.slope ? { slope: [...l.slope.data] } : {}),
      })),
    };
    return { ...body, checksum: checksum(body) };
  }

  /**
   * The trained model as an ONNX file (ai.onnx opset 17): input `X` (float32 [N, features]),
   * output `prediction` (what predict gives) and, for classifiers, `probabilities` (what
   * predictProba gives). Runs in ONNX Runtime and other ONNX tools; see docs/onnx.md.
   */
  toONNX(): Uint8Array {
    // Checked here so that the message names toONNX, not the toJSON it is written from.
    this.network("toONNX");
    return toONNX(this.toJSON());
  }

  /**
   * A model saved by toJSON() (the object or its JSON text), checked field by field; throws when
   * the file holds another kind of model than the class it is called on.
   */
  static fromJSON<T extends Model>(this: abstract new (...args: never[]) => T, json: unknown, options?: { runtime?: Runtime }): T {
    const model = loadModel(json, options);
    if (!(model instanceof this)) {
      const kind = model.kind;
      model.dispose();
      throw new TypeError(`descent: ${this.name}.fromJSON: the file holds a ${kind}, not a ${this.name}; use loadModel() for any kind`);
    }
    return model;
  }

  /** @internal The model's kind, options and layers, and its trained state if any (for trainInWorker). */
  blueprint(): Blueprint {
    this.live("blueprint");
    const layers = (this as unknown as { configs?: readonly DenseConfig[] }).configs ?? [];
    return {
      kind: this.kind, options: { ...this.saved }, layers: layers.map((l) => ({ ...l })),
      ...(this.net !== undefined ? { state: this.toJSON() } : {}),
    };
  }

  /** @internal What fit learned besides the weights (solver choice, convergence), for trainInWorker. */
  fitReport(): Record<string, unknown> {
    return {};
  }

  /** @internal Takes back what fitReport gave, after training elsewhere. */
  applyFitReport(_report: Record<string, unknown>): void {}

  /** @internal Restores the state written by toJSON (already validated by loadModel). */
  restoreFrom(json: ModelJSON): void {
    this.features = json.features ? { mean: Float64Array.from(json.features.mean), scale: Float64Array.from(json.features.scale) } : undefined;
    this.target = json.target ? { mean: Float64Array.from(json.target.mean), scale: Float64Array.from(json.target.scale) } : undefined;
    this.encoder = json.classes ? LabelEncoder.fromJSON(json.classes) : undefined;
    const configs = json.layers.map(layerConfig);
    // With the model's own l2, so that gradients() and a further fit see the objective it trains.
    const net = new Network(this.runtime, configs, json.layers[0].inputs, json.loss, this.l2, 0);
    net.threads = this.threads;
    net.layers.forEach((layer, i) => {
      const l = json.layers[i];
      layer.w.data.set(l.w);
      layer.b.data.set(l.b);
      if (layer.slope !== undefined) layer.slope.data.set(l.slope as number[]);
    });
    // The network it replaces is freed, unless a fit in progress would put it back.
    if (this.net !== this.#held) this.net?.dispose();
    this.net = net;
  }
}

function layerConfig(l: LayerJSON, i: number): DenseConfig {
  const where = `layers[${i}].activation`;
  const activation = Array.isArray(l.activation)
    ? l.activation.map((a, j) => activationSpec("loadModel", a, `${where}[${j}]`))
    : activationSpec("loadModel", l.activation, where);
  return { type: "dense", units: l.units, activation, init: l.init as DenseConfig["init"], slopes: l.slopes as DenseConfig["slopes"], slopeInit: l.slopeInit };
}

/** FNV-1a (32-bit) over the JSON text of the body: detects edited or truncated model files. */
export function checksum(body: unknown): string {
  const text = JSON.stringify(body);
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}

const bad = (what: string): never => {
  throw new RangeError(`descent: loadModel: ${what}`);
};

/** How deep a model file nests: the top object, layers, a layer, its per-neuron activations, one activation's parameters. */
const MAX_DEPTH = 6;
const TOP_KEYS = ["format", "version", "model", "options", "loss", "features", "target", "classes", "layers", "checksum"];
const LAYER_KEYS = ["units", "inputs", "activation", "init", "slopes", "slopeInit", "w", "b", "slope"];

/**
 * Refuses a file that nests deeper than any model file does, before anything recursive (the
 * checksum's JSON.stringify) runs on it: a 10,000-deep array would overflow the stack there.
 * Walks with an explicit stack for the same reason.
 */
function checkDepth(root: unknown): void {
  const stack: [unknown, number, string][] = [[root, 0, "the file"]];
  while (stack.length > 0) {
    const [v, depth, where] = stack.pop() as [unknown, number, string];
    if (typeof v !== "object" || v === null) continue;
    if (depth >= MAX_DEPTH) bad(`${where} nests arrays or objects deeper than a model file does (${MAX_DEPTH} levels)`);
    if (Array.isArray(v)) {
      // Arrays of numbers (weights) are the bulk of a file: only their containers are walked.
      for (let i = 0; i < v.length; i++) if (typeof v[i] === "object" && v[i] !== null) stack.push([v[i], depth + 1, `${where}[${i}]`]);
    } else {
      for (const [k, x] of Object.entries(v)) if (typeof x === "object" && x !== null) stack.push([x, depth + 1, depth === 0 ? k : `${where}.${k}`]);
    }
  }
}

/** Keys of a plain object, refusing anything else and keys outside `known`. */
function record(v: unknown, where: string, known: readonly string[]): Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) bad(`${where} must be an object, received ${describe(v)}`);
  for (const k of Object.keys(v as object)) if (!known.includes(k)) bad(`${where} has an unknown field ${JSON.stringify(k)} (known: ${known.join(", ")})`);
  return v as Record<string, unknown>;
}

/**
 * `length` numbers that stay finite as float32 (weights are float32 in memory: 1e39 would load as
 * Infinity), checked before any allocation; `positive` asks for values > 0 after rounding too.
 */
function numbers(v: unknown, length: number, where: string, positive = false): number[] {
  if (!Array.isArray(v)) return bad(`${where} must be an array of ${length} numbers, received ${describe(v)}`);
  if (v.length !== length) return bad(`${where} must have ${length} numbers, received ${v.length}`);
  for (let i = 0; i < v.length; i++) {
    const x: unknown = v[i];
    if (typeof x !== "number" || !Number.isFinite(Math.fround(x))) {
      bad(`${where}[${i}] must be a number that float32 holds as finite (|x| < 3.4e38), received ${describe(x)}`);
    }
    if (positive && !(Math.fround(x as number) > 0)) bad(`${where}[${i}] must be > 0, received ${describe(x)}`);
  }
  return v as number[];
}

/** A standardisation block { mean, scale } for `width` columns, or undefined. */
function standardization(v: unknown, width: number, where: string): void {
  if (v === undefined) return;
  const o = record(v, where, ["mean", "scale"]);
  numbers(o.mean, width, `${where}.mean`);
  numbers(o.scale, width, `${where}.scale`, true);
}

/**
 * Recreates a model from model.toJSON() (an object, or its JSON text). A model file is untrusted
 * input: its nesting, format, version, checksum and every field (type, length against the model's
 * own shapes, finiteness in float32, agreement between fields) are checked before any memory is
 * allocated, and every problem is a `descent: loadModel:` error.
 */
export function loadModel(json: unknown, options?: { runtime?: Runtime }): Model {
  const o = checkKeys("loadModel", options, ["runtime"]);
  let j = json;
  if (typeof j === "string") {
    try {
      j = JSON.parse(j);
    } catch (err) {
      bad(`the text is not JSON (${(err as Error).message})`);
    }
  }
  if (typeof j !== "object" || j === null || Array.isArray(j)) {
    throw new TypeError(`descent: loadModel: expected a saved model (object or JSON text), received ${describe(j)}`);
  }
  checkDepth(j);
  const m = j as Partial<ModelJSON> & Record<string, unknown>;
  if (m.format !== FORMAT) bad(`this is not a descent model file (format is ${describe(m.format)}, expected "${FORMAT}")`);
  if (m.version !== FORMAT_VERSION) {
    bad(typeof m.version === "number" && m.version > FORMAT_VERSION
      ? `the file has format version ${m.version}, newer than this descent reads (${FORMAT_VERSION}): upgrade descent`
      : `unsupported format version ${describe(m.version)} (this descent reads version ${FORMAT_VERSION})`);
  }
  const { checksum: sum, ...body } = m;
  if (typeof sum !== "string" || sum !== checksum(body)) bad(`the checksum does not match: the file was edited or corrupted after it was saved`);
  record(m, "the file", TOP_KEYS);
  if (!["LinearRegression", "LogisticRegression", "Sequential"].includes(m.model as string)) bad(`unknown model type ${describe(m.model)}`);
  if (!LOSSES.includes(m.loss as never)) bad(`unknown loss ${describe(m.loss)}`);
  const saved = record(m.options ?? {}, "options", Object.keys(m.options ?? {}));
  // The loss must be the one the model's own options give: Sequential's loss option (a file
  // without one comes from 0.1.0, whose default was mse; later versions always save it), mse for
  // LinearRegression, and for LogisticRegression (checked with the classes) binary exactly when
  // there are two classes.
  const lossFor = (expected: unknown): void => {
    if (m.loss !== expected) bad(`the loss is ${describe(m.loss)} but a ${m.model as string} with these options trains with ${describe(expected)}`);
  };
  if (m.model === "Sequential") lossFor(saved.loss ?? "mse");
  else if (m.model === "LinearRegression") lossFor("mse");
  else if (m.loss === "mse") lossFor("binaryCrossentropy or categoricalCrossentropy");
  if (!Array.isArray(m.layers) || m.layers.length === 0) bad("layers must be a non-empty array");
  const layers = m.layers as ModelJSON["layers"];
  const configs: DenseConfig[] = [];
  let inputs: unknown = (layers[0] as Partial<LayerJSON> | undefined)?.inputs;
  if (!Number.isInteger(inputs) || (inputs as number) < 1) bad(`layers[0].inputs must be a positive integer, received ${describe(inputs)}`);
  layers.forEach((l, i) => {
    record(l, `layers[${i}]`, LAYER_KEYS);
    if (l.inputs !== inputs) bad(`layers[${i}].inputs is ${describe(l.inputs)} but the layer before it has ${describe(inputs)} units`);
    let config: DenseConfig;
    try {
      config = dense({ units: l.units, activation: l.activation as never, init: l.init as never, slopes: l.slopes as never, slopeInit: l.slopeInit });
    } catch (err) {
      return bad(`layers[${i}]: ${(err as Error).message.replace(/^descent: dense: /, "")}`);
    }
    // The weights' length is checked against the layer's shape before it is read as a size.
    numbers(l.w, (inputs as number) * config.units, `layers[${i}].w`);
    numbers(l.b, config.units, `layers[${i}].b`);
    const acts = Array.isArray(config.activation) ? config.activation : [config.activation];
    if (acts.some((a) => a?.name === "prelu")) numbers(l.slope, config.slopes === "neuron" ? config.units : 1, `layers[${i}].slope`);
    else if (l.slope !== undefined) bad(`layers[${i}].slope is given but the layer has no PReLU`);
    configs.push(config);
    inputs = config.units;
  });
  const first = layers[0].inputs;
  const last = layers[layers.length - 1].units;
  standardization(m.features, first, "features");
  const classification = m.loss !== "mse";
  if (classification) {
    if (m.target !== undefined) bad("a classifier has no target standardisation, but the file has a target field");
    if (!Array.isArray(m.classes) || m.classes.length < 2) bad("a classifier needs classes: an array of at least two labels");
    const k = (m.classes as unknown[]).length;
    if (m.model === "LogisticRegression") lossFor(k === 2 ? "binaryCrossentropy" : "categoricalCrossentropy");
    if (m.loss === "binaryCrossentropy" ? k !== 2 || last !== 1 : k !== last) bad(`${k} classes do not fit an output layer of ${last} unit(s)`);
    try {
      LabelEncoder.fromJSON(m.classes);
    } catch (err) {
      bad((err as Error).message.replace(/^descent: [\w.]+: /, ""));
    }
  } else {
    if (m.classes !== undefined) bad("a regression model has no classes, but the file has a classes field");
    standardization(m.target, last, "target");
  }
  const opts = {
    ...saved, ...(m.model === "Sequential" ? { loss: m.loss } : {}), ...(o.runtime !== undefined ? { runtime: o.runtime } : {}),
  };
  let model: Model;
  try {
    model = (FACTORIES.get(m.model as ModelKind) as Factory)(opts, configs);
  } catch (err) {
    return bad(`options: ${(err as Error).message.replace(/^descent: \w+: /, "")}`);
  }
  model.restoreFrom(m as ModelJSON);
  return model;
}
