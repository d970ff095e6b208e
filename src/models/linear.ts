// LinearRegression: least squares by the closed form (normal equations in float64) or by
// gradient descent on a one-layer network, behind one API; "auto" picks by problem size.
import { toMatrix, toVector, type MatrixLike } from "../data/index.ts";
import {
  FIT_KEYS, TRAINING_KEYS, type TrainingOptions, checkKeys, oneOf, trainingSettings, type FitOptions, type TrainingSettings,
} from "./common.ts";
import { dense } from "./layers.ts";
import { Model, registerModel, type Task } from "./model.ts";
import { Network, type LossName } from "./network.ts";
import { normalSolution } from "./solve.ts";
import type { BatchPlan, BatchSource, FitBatchesOptions } from "./batches.ts";
import type { Call, ThreadPool } from "../threads.ts";

import type { SummaryLayer } from "./summary.ts";

export type LinearSolver = "auto" | "normal" | "gd";

export interface LinearRegressionOptions extends TrainingOptions {
  /** "auto" (default): "normal" up to AUTO_NORMAL_MAX_FEATURES features, else "gd". */
  solver?: LinearSolver;
  /** Gradient-descent epochs (default 1000). */
  epochs?: number;
  /** Mini-batch size for "gd" (default: the whole set). */
  batchSize?: number;
}

/** Above this many features the normal equations' d³ solve and d² memory give way to gradient descent. */
export const AUTO_NORMAL_MAX_FEATURES = 2000;

const KEYS = ["solver", ...TRAINING_KEYS] as const;

export class LinearRegression extends Model {
  readonly kind = "LinearRegression";
  readonly #training: TrainingSettings;
  readonly solver: LinearSolver;
  /** The solver the last fit used ("normal" or "gd"), and why. */
  solverUsed: "normal" | "gd" | undefined;
  solverReason = "";

  constructor(options?: LinearRegressionOptions) {
    const fn = "LinearRegression";
    const o = checkKeys(fn, options, KEYS);
    super(fn, o);
    this.solver = oneOf(fn, "solver", o.solver, ["auto", "normal", "gd"], "auto");
    this.#training = trainingSettings(fn, o, { epochs: 1000, batchSize: undefined, adamLr: 0.01 });
    this.l2 = this.#training.l2;
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

  /** Fits from zero (as scikit-learn does) on X and one target value per row; a fit that fails leaves the model as it was. */
  async fit(X: MatrixLike, y: ArrayLike<number>, options?: FitOptions<ArrayLike<number>>): Promise<this> {
    return this.transaction("fit", options, async (signal) => {
      const m = toMatrix(X, "LinearRegression.fit", "X");
      const solver = this.chooseSolver(m.cols);
      const build = (inputs: number): Network => this.build(inputs);
      if (solver === "gd") {
        await this.fitNetwork("fit", m, y, options, signal, build, this.#training, false);
        return;
      }
      const fo = checkKeys("LinearRegression.fit", options, FIT_KEYS);
      for (const k of ["epochs", "batchSize", "earlyStopping", "validationData"] as const) {
        if (fo[k] !== undefined) throw new TypeError(`descent: LinearRegression.fit: option "${k}" needs solver "gd" (this fit uses the closed form)`);
      }
      this.fitNormal(m, y, build);
    });
  }

  /** The solver for `cols` features ("auto" decides by the width), noted with why in solverUsed and solverReason. */
  private chooseSolver(cols: number): "normal" | "gd" {
    const solver = this.solver === "auto" ? (cols <= AUTO_NORMAL_MAX_FEATURES ? "normal" : "gd") : this.solver;
    this.solverUsed = solver;
    this.solverReason = this.solver !== "auto" ? `solver "${solver}" as asked`
      : solver === "normal" ? `auto: ${cols} features ≤ ${AUTO_NORMAL_MAX_FEATURES}, so the exact closed form (one pass over X, a ${cols + 1}² float64 solve)`
      : `auto: ${cols} features > ${AUTO_NORMAL_MAX_FEATURES}, so gradient descent (the closed form's d² memory and d³ solve would dominate)`;
    return solver;
  }

  private build(inputs: number): Network {
    return new Network(this.runtime, [dense({ units: 1, init: "zeros" })], inputs, "mse", this.#training.l2, this.#training.seed);
  }

  /**
   * Trains from batches (see Model.fitBatches): the closed form sums XᵀX and Xᵀy batch by batch in
   * float64 (one pass, the same optimum as fit); gd takes a full-batch gradient step per pass, or
   * mini-batch steps through a shuffle buffer with a batchSize.
   */
  override fitBatches(source: BatchSource<ArrayLike<number>>, options?: FitBatchesOptions<ArrayLike<number>>): Promise<this> {
    return super.fitBatches(source, options);
  }

  protected batchPlan(): BatchPlan {
    return {
      training: this.#training,
      continueTraining: false,
      algorithm: (cols) => (this.chooseSolver(cols) === "normal" ? "normal" : "fullBatch"),
      build: (inputs) => this.build(inputs),
      commitNormal: (cols, mean, w, scale) => this.commitNormal(cols, mean, w, scale, (inputs) => this.build(inputs)),
    };
  }

  /**
   * The closed form, from one float64 Gram pass over the raw data in WASM: column means
   * (colSums64), then G = Σ u·uᵀ for u = [x − s | y − s_y] with s the means rounded to float32
   * (gram64). The standardisation statistics follow from G (population standard deviations, 1 for
   * a constant column), and the standardised system (ZᵀZ + (n·l2/2)·I)·w = Zᵀt is solved in
   * float64; in standardised units the bias is 0.
   */
  private fitNormal(m: { data: Float32Array; rows: number; cols: number }, y: ArrayLike<number>, build: (inputs: number) => Network): void {
    const rt = this.runtime;
    const { rows, cols } = m;
    const target = toVector(y, "LinearRegression.fit", "y", rows);
    const w1 = cols + 1;
    const x = rt.tensor(m.data, [rows, cols]);
    const tensors = [x];
    try {
      const yt = rt.tensor(target);
      tensors.push(yt);
      // On a runtime with threads, each thread takes a contiguous share of the rows into its own
      // sums and Gram matrix; the shares are added in thread order (float64), so a given thread
      // count gives the same bits.
      const pool = rt.pool;
      const threads = pool === undefined || rows * cols < rt.splitMinWork ? 1 : Math.min(this.threads, pool.size + 1, rows);
      const share = Math.ceil(rows / threads);
      const parts: { r0: number; n: number; sums: number; gram: number; scratch: number }[] = [];
      for (let r0 = 0; r0 < rows; r0 += share) {
        const sums = rt.zeros([2 * w1]); // cols + 1 float64
        tensors.push(sums);
        const gram = rt.zeros([2 * w1 * w1]);
        tensors.push(gram);
        const scratch = rt.zeros([2 * 4 * w1]);
        tensors.push(scratch);
        parts.push({ r0, n: Math.min(share, rows - r0), sums: sums.ptr, gram: gram.ptr, scratch: scratch.ptr });
      }
      const shift = rt.zeros([w1]);
      tensors.push(shift);
      const k = rt.kernels;
      const run = (calls: (p: typeof parts[number]) => Call[]): void => {
        const programs = parts.map(calls);
        const local = (list: readonly Call[]): void => { for (const c of list) k[c.kernel](...c.args); };
        if (programs.length === 1) local(programs[0]);
        else (pool as ThreadPool).runPrograms("LinearRegression.fit", programs, local);
      };
      const added = (field: "sums" | "gram", length: number): Float64Array => {
        const out = new Float64Array(length);
        for (const p of parts) {
          const v = new Float64Array(rt.heap.memory.buffer, p[field], length);
          for (let j = 0; j < length; j++) out[j] += v[j];
        }
        return out;
      };
      run((p) => [
        { kernel: "colSums64_f64", args: [x.ptr + p.r0 * cols * 4, p.n, cols, p.sums] },
        { kernel: "colSums64_f64", args: [yt.ptr + p.r0 * 4, p.n, 1, p.sums + cols * 8] },
      ]);
      const mean = added("sums", w1).map((v) => v / rows);
      const s = shift.data;
      for (let j = 0; j < w1; j++) s[j] = mean[j];
      run((p) => [{ kernel: "gram64_f64", args: [x.ptr + p.r0 * cols * 4, yt.ptr + p.r0 * 4, shift.ptr, p.n, cols, p.gram, p.scratch] }]);
      const { w, scale } = normalSolution(rows, cols, mean, s, added("gram", w1 * w1), this.#training.l2, this.standardize, "LinearRegression.fit");
      this.commitNormal(cols, mean, w, scale, build);
      this.history = { loss: [], valLoss: [] };
    } finally {
      for (const t of tensors) t.dispose();
    }
  }

  /**
   * Sets the closed form's result: the statistics (from the Gram pass) and a new network with the
   * weights w (standardised units) and the bias. fit and fitBatches share it.
   */
  private commitNormal(cols: number, mean: Float64Array, w: Float64Array, scale: Float64Array, build: (inputs: number) => Network): void {
    if (this.standardize) {
      this.features = { mean: mean.slice(0, cols), scale: scale.slice(0, cols) };
      this.target = { mean: mean.slice(cols), scale: scale.slice(cols) };
    } else {
      this.features = undefined;
      this.target = undefined;
    }
    // The network it replaces stays with fit's transaction, which frees it once this succeeds.
    this.net = build(cols);
    this.net.threads = this.threads;
    const layer = this.net.layers[0];
    layer.w.data.set(w);
    // Without standardisation the bias carries the means: b = ȳ − Σ w_j·x̄_j.
    let b = this.standardize ? 0 : mean[cols];
    if (!this.standardize) for (let j = 0; j < cols; j++) b -= w[j] * mean[j];
    layer.b.data[0] = b;
  }

  /** The predicted values, one per row of X. */
  override predict(X: MatrixLike): Float32Array {
    return super.predict(X) as Float32Array;
  }

  /** R² on X and the true values. */
  override score(X: MatrixLike, y: ArrayLike<number>): number {
    return super.score(X, y);
  }

  override fitReport(): Record<string, unknown> {
    return { solverUsed: this.solverUsed, solverReason: this.solverReason };
  }

  override applyFitReport(report: Record<string, unknown>): void {
    this.solverUsed = report.solverUsed as LinearRegression["solverUsed"];
    this.solverReason = String(report.solverReason ?? "");
  }

  protected traits(): string[] {
    return [`solver ${this.solverUsed ?? this.solver}`];
  }

  protected override summaryLayers(): SummaryLayer[] {
    return this.net === undefined ? [{ inputs: undefined, units: 1, activation: undefined, slopes: "layer" }] : super.summaryLayers();
  }

  describe(): string {
    return `LinearRegression (solver ${this.solverUsed ?? this.solver}${this.solverUsed === "gd" ? `, ${this.#training.optimizer.name} lr ${this.#training.optimizer.lr}` : ""})`;
  }
}

registerModel("LinearRegression", (options) => new LinearRegression(options));
