// Sequential: a stack of dense layers trained by backpropagation with one of the optimizers;
// the network behind LinearRegression's and LogisticRegression's gradient-descent solvers too.
// The package exports it typed by its loss (models/index.ts): what fit takes and predict gives
// follow from the loss, or from the output layer when no loss is given.
import type { MatrixLike } from "../data/index.ts";
import {
  TRAINING_KEYS, type TrainingOptions, checkKeys, describe, oneOf, trainingSettings, type FitOptions, type Targets,
  type TrainingSettings,
} from "./common.ts";
import type { DenseConfig } from "./layers.ts";
import { Model, registerModel, type Task } from "./model.ts";
import { LOSSES, Network, type LossName } from "./network.ts";
import type { SummaryLayer } from "./summary.ts";
import type { BatchPlan } from "./batches.ts";

export interface SequentialOptions<L extends LossName | undefined = LossName> extends TrainingOptions {
  /**
   * "mse" (regression), "binaryCrossentropy" (one sigmoid or linear output) or
   * "categoricalCrossentropy" (softmax or linear outputs, one per class). Default: the one the
   * output layer implies, categoricalCrossentropy after a softmax, binaryCrossentropy after one
   * sigmoid unit, else mse.
   */
  loss?: L;
  /** Default epochs for fit (100). */
  epochs?: number;
  /** Rows per step (default 32, as Keras); larger than the data means full batch. */
  batchSize?: number;
}

export const SEQUENTIAL_KEYS = ["loss", ...TRAINING_KEYS] as const;

export class Sequential extends Model {
  readonly kind = "Sequential";
  readonly #training: TrainingSettings;
  readonly configs: readonly DenseConfig[];
  readonly #loss: LossName;

  constructor(layers: readonly DenseConfig[], options?: SequentialOptions) {
    const fn = "Sequential";
    const o = checkKeys(fn, options, SEQUENTIAL_KEYS);
    super(fn, o);
    if (!Array.isArray(layers) || layers.length === 0) {
      throw new TypeError(`descent: Sequential: layers must be a non-empty array of dense({ units, activation }), received ${describe(layers)}`);
    }
    layers.forEach((l, i) => {
      if (typeof l !== "object" || l === null || (l as DenseConfig).type !== "dense") {
        throw new TypeError(`descent: Sequential: layers[${i}] must be made by dense({ units, activation }), received ${describe(l)}`);
      }
    });
    this.configs = layers;
    const last = layers[layers.length - 1];
    this.#loss = oneOf(fn, "loss", o.loss, LOSSES, outputLoss(last));
    // Saved as resolved, so that a model file says what it was trained with whatever the defaults become.
    this.saved.loss = this.#loss;
    this.#training = trainingSettings(fn, o, { epochs: 100, batchSize: 32, adamLr: 0.001 });
    this.l2 = this.#training.l2;
    checkOutput(fn, this.#loss, last);
  }

  get task(): Task {
    return this.#loss === "mse" ? "regression" : "classification";
  }

  /** The loss it trains with: the `loss` option, or the one its output layer implies. */
  get loss(): LossName {
    return this.#loss;
  }

  protected get lossName(): LossName {
    return this.#loss;
  }

  /**
   * Trains on X (rows × features) and y: numbers (a vector, or a rows × outputs matrix) for "mse",
   * class labels (strings or numbers) for the cross-entropies. Training continues from the current
   * weights when the model was fitted before on data of the same width.
   */
  async fit(X: MatrixLike, y: Targets, options?: FitOptions): Promise<this> {
    return this.transaction("fit", options, (signal) =>
      this.fitNetwork("fit", X, y, options, signal, (inputs, outputs) => this.build(inputs, outputs, "fit"), this.#training, true));
  }

  private build(inputs: number, outputs: number, fn: string): Network {
    const units = this.configs[this.configs.length - 1].units;
    if (units !== outputs) {
      const what = this.task === "regression" ? `y has ${outputs} output column(s)` : `y has ${outputs} classes`;
      throw new RangeError(`descent: Sequential.${fn}: the last layer has ${units} unit(s) but ${what}`);
    }
    return new Network(this.runtime, this.configs, inputs, this.#loss, this.#training.l2, this.#training.seed);
  }

  /** @internal Mini-batches through a seeded shuffle buffer, continuing from the weights as fit does (see Model.fitBatches). */
  protected batchPlan(): BatchPlan {
    return {
      training: this.#training,
      continueTraining: true,
      algorithm: () => "miniBatch",
      build: (inputs, outputs) => this.build(inputs, outputs, "fitBatches"),
    };
  }

  protected traits(): string[] {
    return [`loss ${this.#loss}`];
  }

  protected override summaryLayers(): SummaryLayer[] {
    if (this.net !== undefined) return super.summaryLayers();
    // Before fit the first layer's inputs are X's columns, still unknown.
    return this.configs.map((c, i) => ({
      inputs: i === 0 ? undefined : this.configs[i - 1].units, units: c.units, activation: c.activation, slopes: c.slopes,
    }));
  }

  describe(): string {
    const shape = this.configs.map((c) => c.units).join("→");
    return `Sequential (${shape}, loss ${this.#loss}, ${this.#training.optimizer.name} lr ${this.#training.optimizer.lr})`;
  }
}

/**
 * The loss an output layer implies, as Keras users pick it: a softmax is categorical
 * cross-entropy, one sigmoid unit binary cross-entropy, anything else a regression.
 */
export function outputLoss(last: DenseConfig): LossName {
  const act = Array.isArray(last.activation) ? undefined : (last.activation as { name: string } | undefined)?.name;
  if (act === "softmax") return "categoricalCrossentropy";
  if (act === "sigmoid" && last.units === 1) return "binaryCrossentropy";
  return "mse";
}

/** The output layer has to suit the loss: the cross-entropies are computed from logits. */
function checkOutput(fn: string, loss: LossName, last: DenseConfig): void {
  const act = Array.isArray(last.activation) ? "per-neuron" : (last.activation as { name: string } | undefined)?.name ?? "linear";
  if (loss === "binaryCrossentropy" && (act !== "sigmoid" && act !== "linear" || last.units !== 1)) {
    throw new TypeError(
      `descent: ${fn}: loss "binaryCrossentropy" needs an output layer of 1 unit with a sigmoid (or linear logits), received ${last.units} unit(s) with ${act}`,
    );
  }
  if (loss === "categoricalCrossentropy" && act !== "softmax" && act !== "linear") {
    throw new TypeError(
      `descent: ${fn}: loss "categoricalCrossentropy" needs an output layer with softmax (or linear logits), one unit per class, received ${act}`,
    );
  }
}

registerModel("Sequential", (options, layers) => new Sequential(layers, options));
