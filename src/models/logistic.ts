// LogisticRegression: binary (sigmoid + cross-entropy) or multinomial (softmax + cross-entropy),
// chosen from the number of classes in y. The default solver is L-BFGS on the exact objective,
// mean cross-entropy + (l2/2)·‖W‖², with loss and gradient from the WASM kernels; the
// gradient-descent family trains the same one-layer network epoch by epoch instead.
import { toMatrix, type MatrixLike } from "../data/index.ts";
import {
  FIT_KEYS, TRAINING_KEYS, type TrainingOptions, checkKeys, createYielder, describe, num, oneOf, trainingSettings, type FitOptions,
  type ClassLabels, type Label, type TrainingSettings,
} from "./common.ts";
import { dense } from "./layers.ts";
import { Model, registerModel, type ModelJSON, type Task } from "./model.ts";
import { Network, type LossName } from "./network.ts";
import { lbfgs } from "./solve.ts";
import type { BatchPlan, BatchSource, FitBatchesOptions } from "./batches.ts";
import type { SummaryLayer } from "./summary.ts";

export interface LogisticRegressionOptions extends TrainingOptions {
  /** "lbfgs" (default: a quasi-Newton method that reaches the optimum tightly) or "gd". */
  solver?: "lbfgs" | "gd";
  /** lbfgs: iterations at most (default 500). */
  maxIter?: number;
  /** lbfgs: stop when every gradient component is at most tol (default 1e-6). */
  tol?: number;
  /** gd: epochs (default 1000). */
  epochs?: number;
  batchSize?: number;
}

const KEYS = ["solver", "maxIter", "tol", ...TRAINING_KEYS] as const;

export class LogisticRegression extends Model {
  readonly kind = "LogisticRegression";
  readonly #training: TrainingSettings;
  readonly solver: "lbfgs" | "gd";
  /** Why the last lbfgs fit stopped, and after how many iterations. */
  convergence: { iterations: number; reason: string } | undefined;
  readonly #maxIter: number;
  readonly #tol: number;
  #loss: LossName = "categoricalCrossentropy";

  constructor(options?: LogisticRegressionOptions) {
    const fn = "LogisticRegression";
    const o = checkKeys(fn, options, KEYS);
    super(fn, o);
    this.solver = oneOf(fn, "solver", o.solver, ["lbfgs", "gd"], "lbfgs");
    this.#maxIter = num(fn, "maxIter", o.maxIter, 500, { min: 1, integer: true });
    this.#tol = num(fn, "tol", o.tol, 1e-6, { min: 0 });
    this.#training = trainingSettings(fn, o, { epochs: 1000, batchSize: undefined, adamLr: 0.01 });
    this.l2 = this.#training.l2;
  }

  get task(): Task {
    return "classification";
  }

  protected get lossName(): LossName {
    return this.#loss;
  }

  /** "binary" (one sigmoid output) or "multinomial" (softmax over the classes), after fit. */
  get mode(): "binary" | "multinomial" | undefined {
    if (this.net === undefined) return undefined;
    return this.#loss === "binaryCrossentropy" ? "binary" : "multinomial";
  }

  /** @internal Also restores which of the two objectives the saved network was trained on. */
  override restoreFrom(json: ModelJSON): void {
    this.#loss = json.loss;
    super.restoreFrom(json);
  }

  /** Fits from zero (as scikit-learn does) on X and one class label per row; a fit that fails leaves the model as it was. */
  async fit(X: MatrixLike, y: ClassLabels, options?: FitOptions<ClassLabels>): Promise<this> {
    return this.transaction("fit", options, (signal) => this.fitFromZero(X, y, options, signal));
  }

  /** The class labels, sorted: the order of predictProba's columns. Throws before the first fit. */
  override get classes(): readonly Label[] {
    return super.classes as readonly Label[];
  }

  /** The most probable class of each row of X. */
  override predict(X: MatrixLike): Label[] {
    return super.predict(X) as Label[];
  }

  /** Accuracy on X and the true labels. */
  override score(X: MatrixLike, y: ClassLabels): number {
    return super.score(X, y);
  }

  private async fitFromZero(X: MatrixLike, y: ClassLabels, options: FitOptions | undefined, signal: AbortSignal): Promise<void> {
    const fn = "LogisticRegression.fit";
    if (!Array.isArray(y) && !ArrayBuffer.isView(y)) {
      throw new TypeError(`descent: ${fn}: y must be an array of class labels (strings or numbers), received ${describe(y)}`);
    }
    const classes = new Set(Array.from(y as ArrayLike<unknown>)).size;
    this.#loss = classes === 2 ? "binaryCrossentropy" : "categoricalCrossentropy";
    const build = (inputs: number, outputs: number): Network => this.build(inputs, outputs);
    if (this.solver === "gd") {
      await this.fitNetwork("fit", X, y, options, signal, build, this.#training, false);
      return;
    }
    const fo = checkKeys(fn, options, FIT_KEYS);
    for (const k of ["batchSize", "earlyStopping", "epochs"] as const) {
      if (fo[k] !== undefined) throw new TypeError(`descent: ${fn}: option "${k}" needs solver "gd" (lbfgs runs until it converges, at most maxIter iterations)`);
    }
    const onEpoch = fo.onEpoch as FitOptions["onEpoch"];
    if (onEpoch !== undefined && typeof onEpoch !== "function") throw new TypeError(`descent: ${fn}: onEpoch must be a function, received ${describe(onEpoch)}`);
    const m = toMatrix(X, fn, "X");
    // The previous network stays with fit's transaction (to put back, or to free on success).
    this.net = undefined;
    const data = this.prepare(m, y, "fit", fo.validationData, false);
    try {
      const net = build(m.cols, data.outputs);
      net.threads = this.threads;
      this.net = net;
      this.history = { loss: [], valLoss: [] };
      const layer = net.layers[0];
      const nw = layer.w.length;
      const nb = layer.b.length;
      const x = new Float64Array(nw + nb);
      const evaluate = (theta: Float64Array, grad: Float64Array): number => {
        layer.w.data.set(theta.subarray(0, nw));
        layer.b.data.set(theta.subarray(nw));
        const f = net.lossAndGradients(data.train.x.ptr, data.train.y.ptr, data.train.rows, true) + net.penalty();
        grad.set(layer.dw.data);
        grad.set(layer.db.data, nw);
        return f;
      };
      const started = performance.now();
      const result = await lbfgs(evaluate, x, {
        maxIter: this.#maxIter, gtol: this.#tol, ftol: 1e-12, memory: 10, pause: createYielder(),
        onIteration: (iteration, f) => {
          if (signal.aborted || this.runtime.closed) return false;
          this.history.loss.push(f);
          let valLoss: number | undefined;
          if (data.validation !== undefined) {
            layer.w.data.set(x.subarray(0, nw));
            layer.b.data.set(x.subarray(nw));
            valLoss = net.lossAndGradients(data.validation.x.ptr, data.validation.y.ptr, data.validation.rows, false);
            this.history.valLoss.push(valLoss);
          }
          const seconds = (performance.now() - started) / 1000;
          return onEpoch?.({
            epoch: iteration, epochs: this.#maxIter, loss: f, ...(valLoss !== undefined ? { valLoss } : {}), seconds,
            samplesPerSecond: seconds > 0 ? (m.rows * iteration) / seconds : 0,
          });
        },
      });
      if (signal.aborted) throw signal.reason;
      if (this.runtime.closed) throw this.runtime.closedError(fn);
      layer.w.data.set(x.subarray(0, nw));
      layer.b.data.set(x.subarray(nw));
      this.convergence = { iterations: result.iterations, reason: result.reason };
    } finally {
      data.dispose();
      this.net?.dropWorkspaces();
    }
  }

  private build(inputs: number, outputs: number): Network {
    return new Network(
      this.runtime,
      [dense({ units: outputs, activation: outputs === 1 ? "sigmoid" : "softmax", init: "zeros" })],
      inputs, this.#loss, this.#training.l2, this.#training.seed,
    );
  }

  /**
   * Trains from batches (see Model.fitBatches): lbfgs and full-batch gd evaluate the exact
   * objective and its gradient by a pass over the batches each (the line search's trials too), so
   * they reach fit's optimum; gd with a batchSize takes mini-batch steps through a shuffle buffer.
   */
  override fitBatches(source: BatchSource<ClassLabels>, options?: FitBatchesOptions<ClassLabels>): Promise<this> {
    return super.fitBatches(source, options);
  }

  protected batchPlan(): BatchPlan {
    return {
      training: this.#training,
      continueTraining: false,
      algorithm: () => (this.solver === "lbfgs" ? "lbfgs" : "fullBatch"),
      classesKnown: (count) => {
        this.#loss = count === 2 ? "binaryCrossentropy" : "categoricalCrossentropy";
      },
      build: (inputs, outputs) => this.build(inputs, outputs),
      lbfgs: {
        maxIter: this.#maxIter, tol: this.#tol,
        done: (iterations, reason) => {
          this.convergence = { iterations, reason };
        },
      },
    };
  }

  override fitReport(): Record<string, unknown> {
    return { convergence: this.convergence, loss: this.#loss };
  }

  override applyFitReport(report: Record<string, unknown>): void {
    this.convergence = report.convergence as LogisticRegression["convergence"];
    if (report.loss === "binaryCrossentropy" || report.loss === "categoricalCrossentropy") this.#loss = report.loss;
  }

  protected traits(): (string | undefined)[] {
    return [this.mode, this.encoder === undefined ? undefined : `${this.encoder.classes.length} classes`, `solver ${this.solver}`];
  }

  protected override summaryLayers(): SummaryLayer[] {
    // Before fit the classes are unknown: one sigmoid unit for two, a softmax unit per class for more.
    return this.net === undefined ? [{ inputs: undefined, units: undefined, activation: "sigmoid or softmax", slopes: "layer" }] : super.summaryLayers();
  }

  describe(): string {
    const mode = this.mode === undefined ? "" : `${this.mode}, `;
    return `LogisticRegression (${mode}solver ${this.solver}${this.solver === "gd" ? `, ${this.#training.optimizer.name} lr ${this.#training.optimizer.lr}` : ""})`;
  }
}

registerModel("LogisticRegression", (options) => new LogisticRegression(options));
