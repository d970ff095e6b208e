// LinearRegression: least squares by the closed form (normal equations in float64) or by
// gradient descent on a one-layer network, behind one API; "auto" picks by problem size.
import { toMatrix, toVector } from "../data/index.ts";
import {
  FIT_KEYS, OPTIMIZER_KEYS, checkKeys, num, oneOf, optimizerOption, type FitOptions, type OptimizerConfig,
} from "./common.ts";
import { dense } from "./layers.ts";
import { Model, registerModel, type Task } from "./model.ts";
import { Network, type LossName } from "./network.ts";
import { solveSymmetric } from "./solve.ts";

export type LinearSolver = "auto" | "normal" | "gd";

export interface LinearRegressionOptions {
  /** "auto" (default): "normal" up to AUTO_NORMAL_MAX_FEATURES features, else "gd". */
  solver?: LinearSolver;
  optimizer?: "sgd" | "momentum" | "adam";
  lr?: number;
  momentum?: number;
  nesterov?: boolean;
  beta1?: number;
  beta2?: number;
  eps?: number;
  /** Gradient-descent epochs (default 1000). */
  epochs?: number;
  /** Mini-batch size for "gd" (default: the whole set). */
  batchSize?: number;
  /** (l2/2)·‖w‖² added to the mean squared error (ridge); the bias is not penalised. */
  l2?: number;
  seed?: number;
  /** Standardise features and target inside the model (default true); coefficients are reported in the original units. */
  standardize?: boolean;
  runtime?: unknown;
  /** Threads for training: a number up to the runtime's, or "auto" for all of them (the default). */
  threads?: number | "auto";
}

/** Above this many features the normal equations' d³ solve and d² memory give way to gradient descent. */
export const AUTO_NORMAL_MAX_FEATURES = 2000;

const KEYS = ["solver", ...OPTIMIZER_KEYS, "epochs", "batchSize", "l2", "seed", "standardize", "threads", "runtime"] as const;

export class LinearRegression extends Model {
  readonly kind = "LinearRegression";
  readonly solver: LinearSolver;
  /** The solver the last fit used ("normal" or "gd"), and why. */
  solverUsed: "normal" | "gd" | undefined;
  solverReason = "";
  readonly #optimizer: OptimizerConfig;
  readonly #epochs: number;
  readonly #batchSize: number | undefined;
  readonly #l2: number;
  readonly #seed: number;

  constructor(options?: LinearRegressionOptions) {
    const fn = "LinearRegression";
    const o = checkKeys(fn, options, KEYS);
    super(fn, o);
    this.solver = oneOf(fn, "solver", o.solver, ["auto", "normal", "gd"], "auto");
    this.#optimizer = optimizerOption(fn, o, "adam");
    if (o.lr === undefined && this.#optimizer.name === "adam") this.#optimizer.lr = 0.01;
    this.#epochs = num(fn, "epochs", o.epochs, 1000, { min: 1, integer: true });
    this.#batchSize = o.batchSize === undefined ? undefined : num(fn, "batchSize", o.batchSize, 0, { min: 1, integer: true });
    this.#l2 = num(fn, "l2", o.l2, 0, { min: 0 });
    this.#seed = num(fn, "seed", o.seed, 0, { integer: true });
  }

  get task(): Task {
    return "regression";
  }

  protected get lossName(): LossName {
    return "mse";
  }

  /** Weights in the original feature units (after fit). */
  get coef(): Float64Array {
    const net = this.network("coef");
    const w = net.layers[0].w.data;
    const out = new Float64Array(w.length);
    for (let j = 0; j < w.length; j++) {
      out[j] = (w[j] * (this.target?.scale[0] ?? 1)) / (this.features?.scale[j] ?? 1);
    }
    return out;
  }

  /** The bias in the original units (after fit). */
  get intercept(): number {
    const net = this.network("intercept");
    const coef = this.coef;
    let b = net.layers[0].b.data[0] * (this.target?.scale[0] ?? 1) + (this.target?.mean[0] ?? 0);
    if (this.features) for (let j = 0; j < coef.length; j++) b -= coef[j] * this.features.mean[j];
    return b;
  }

  async fit(X: unknown, y: unknown, options?: FitOptions): Promise<this> {
    this.live("fit");
    const m = toMatrix(X, "LinearRegression.fit", "X");
    const solver = this.solver === "auto" ? (m.cols <= AUTO_NORMAL_MAX_FEATURES ? "normal" : "gd") : this.solver;
    this.solverUsed = solver;
    this.solverReason = this.solver !== "auto" ? `solver "${solver}" as asked`
      : solver === "normal" ? `auto: ${m.cols} features ≤ ${AUTO_NORMAL_MAX_FEATURES}, so the exact closed form (one pass over X, a ${m.cols + 1}² float64 solve)`
      : `auto: ${m.cols} features > ${AUTO_NORMAL_MAX_FEATURES}, so gradient descent (the closed form's d² memory and d³ solve would dominate)`;
    const build = (inputs: number): Network =>
      new Network(this.runtime, [dense({ units: 1, init: "zeros" })], inputs, "mse", this.#l2, this.#seed);
    if (solver === "gd") {
      await this.fitNetwork("fit", m, y, options, build,
        { epochs: this.#epochs, batchSize: this.#batchSize, optimizer: this.#optimizer, seed: this.#seed, l2: this.#l2 });
      return this;
    }
    const fo = checkKeys("LinearRegression.fit", options, FIT_KEYS);
    for (const k of ["epochs", "batchSize", "earlyStopping", "validationData"] as const) {
      if (fo[k] !== undefined) throw new TypeError(`descent: LinearRegression.fit: option "${k}" needs solver "gd" (this fit uses the closed form)`);
    }
    this.fitNormal(m, y, build);
    return this;
  }

  /**
   * The closed form. Standardised features and target are written next to a column of ones,
   * [X | 1 | y]; one float64 Gram pass (a WASM kernel) gives XᵀX, Xᵀ1, Xᵀy, n, Σy. The centred
   * system (XcᵀXc + (n·l2/2)·I)·w = Xcᵀyc is solved in float64 and the bias recovered from means.
   */
  private fitNormal(m: { data: Float32Array; rows: number; cols: number }, y: unknown, build: (inputs: number) => Network): void {
    const fn = "fit";
    const rt = this.runtime;
    const { rows, cols } = m;
    toVector(y, "LinearRegression.fit", "y", rows);
    this.fitFeatures(m);
    const { values } = this.regressionTargets(y, rows, fn, true);
    const width = cols + 2;
    const aug = rt.zeros([rows, width]);
    const gram = rt.zeros([width * width * 2]);
    try {
      const a = aug.data;
      const f = this.features;
      for (let r = 0; r < rows; r++) {
        const o = r * width;
        const src = r * cols;
        for (let j = 0; j < cols; j++) a[o + j] = f ? (m.data[src + j] - f.mean[j]) / f.scale[j] : m.data[src + j];
        a[o + cols] = 1;
        a[o + cols + 1] = values[r];
      }
      rt.kernels.gram64_f64(aug.ptr, rows, width, gram.ptr);
      const g = new Float64Array(rt.heap.memory.buffer, gram.ptr, width * width).slice();
      const at = (i: number, j: number): number => g[i * width + j];
      const n = at(cols, cols);
      const sy = at(cols, cols + 1);
      const c = new Float64Array(cols * cols);
      const rhs = new Float64Array(cols);
      for (let i = 0; i < cols; i++) {
        for (let j = 0; j < cols; j++) c[i * cols + j] = at(i, j) - (at(i, cols) * at(j, cols)) / n;
        c[i * cols + i] += (n * this.#l2) / 2;
        rhs[i] = at(i, cols + 1) - (at(i, cols) * sy) / n;
      }
      const w = solveSymmetric(c, rhs, cols);
      let b = sy / n;
      for (let j = 0; j < cols; j++) b -= (w[j] * at(j, cols)) / n;
      if (!w.every(Number.isFinite) || !Number.isFinite(b)) {
        throw new RangeError("descent: LinearRegression.fit: the normal equations have no finite solution (is a feature far larger than float32 can hold?)");
      }
      this.net?.dispose();
      this.net = undefined;
      this.net = build(cols);
      const layer = this.net.layers[0];
      layer.w.data.set(w);
      layer.b.data[0] = b;
      this.history = { loss: [], valLoss: [] };
    } finally {
      aug.dispose();
      gram.dispose();
    }
  }

  describe(): string {
    return `LinearRegression (solver ${this.solverUsed ?? this.solver}${this.solverUsed === "gd" ? `, ${this.#optimizer.name} lr ${this.#optimizer.lr}` : ""})`;
  }
}

registerModel("LinearRegression", (options) => new LinearRegression(options));
