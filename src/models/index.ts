// The models' public API, and Sequential's typed face: its loss, given or implied by the output
// layer, decides what fit takes and what predict gives, so the types follow it too.
import type { MatrixLike } from "../data/index.ts";
import type { Runtime } from "../runtime.ts";
import type { BatchSource, FitBatchesOptions } from "./batches.ts";
import type { ClassLabels, FitOptions, Label, RegressionTargets } from "./common.ts";
import type { ActivationSpec, DenseConfig } from "./layers.ts";
import type { LossName } from "./network.ts";
import { Sequential as SequentialModel, type SequentialOptions } from "./sequential.ts";

export { LinearRegression, AUTO_NORMAL_MAX_FEATURES } from "./linear.ts";
export type { LinearRegressionOptions, LinearSolver } from "./linear.ts";
export { LogisticRegression } from "./logistic.ts";
export type { LogisticRegressionOptions } from "./logistic.ts";
export type { SequentialOptions } from "./sequential.ts";
export { dense } from "./layers.ts";
export type {
  ActivationChoice, ActivationInput, ActivationOf, ActivationParams, ActivationSpec, ActivationWithParams, DenseConfig, DenseLayer, DenseOptions, Init,
  LayerActivation, LayerActivationInput, NeuronActivationInput, RowwiseActivationName,
} from "./layers.ts";
export type {
  ClassLabels, EarlyStopping, EpochInfo, FitOptions, History, OptimizerName, RegressionTargets, Targets, TrainingOptions,
} from "./common.ts";
export { Model, loadModel } from "./model.ts";
export type { Batch, BatchInfo, BatchIterable, BatchSource, FitBatchesOptions } from "./batches.ts";
export type { Label, LayerJSON, ModelJSON, ModelKind, Task } from "./model.ts";
export type { LossName } from "./network.ts";

/**
 * The loss a Sequential trains with when no `loss` is given, from the type of its output layer:
 * categoricalCrossentropy after a softmax, binaryCrossentropy after one sigmoid unit, else mse.
 * Where the type does not tell (an activation or a unit count known only at run time) it is the
 * union of the possible losses.
 */
export type OutputLoss<C> = C extends DenseConfig<infer S, infer U>
  ? [S] extends [ActivationSpec<"softmax">] ? "categoricalCrossentropy"
  : [S] extends [ActivationSpec<"sigmoid">] ? ([U] extends [1] ? "binaryCrossentropy" : [1] extends [U] ? "binaryCrossentropy" | "mse" : "mse")
  : ActivationSpec<"softmax"> extends S ? LossName
  : ActivationSpec<"sigmoid"> extends S ? "binaryCrossentropy" | "mse"
  : "mse"
  : LossName;

/** What fit takes as y for a loss: numbers for mse, class labels for the cross-entropies. */
export type TargetsOf<L extends LossName> = L extends "mse" ? RegressionTargets : ClassLabels;

/** What predict gives for a loss: values (rows × outputs) for mse, one label per row for the cross-entropies. */
export type PredictionOf<L extends LossName> = L extends "mse" ? Float32Array : Label[];

/** A Sequential network (see SequentialModel), typed by the loss L it trains with. */
export interface Sequential<L extends LossName = LossName> extends SequentialModel {
  /** The loss it trains with: the `loss` option, or the one its output layer implies. */
  readonly loss: L;
  /** The class labels, sorted (the order of predictProba's columns); undefined for a regression. Throws before the first fit. */
  readonly classes: L extends "mse" ? undefined : readonly Label[];
  /**
   * Trains on X (rows × features) and y: numbers (a vector, or a rows × outputs matrix) for "mse",
   * class labels (strings or numbers) for the cross-entropies. Training continues from the current
   * weights when the model was fitted before on data of the same width.
   */
  fit(X: MatrixLike, y: TargetsOf<L>, options?: FitOptions<TargetsOf<L>>): Promise<this>;
  /**
   * Trains from batches that need not fit in memory together (see Model.fitBatches): mini-batch
   * steps through a seeded shuffle buffer, continuing from the current weights as fit does.
   */
  fitBatches(source: BatchSource<TargetsOf<L>>, options?: FitBatchesOptions<TargetsOf<L>>): Promise<this>;
  /** The predicted values (rows × outputs) of a regression, or the most probable class of each row. */
  predict(X: MatrixLike): PredictionOf<L>;
  /** R² (averaged over outputs) of a regression, or accuracy. */
  score(X: MatrixLike, y: TargetsOf<L>): number;
}

/** The last element type of a tuple (or the element type of an array). */
type LastOf<T extends readonly unknown[]> = T extends readonly [...unknown[], infer X] ? X : T[number];

export interface SequentialConstructor {
  /**
   * A network of `layers` (made by dense()), trained with `options.loss`, or with the loss its
   * output layer implies (see OutputLoss). Its type follows that loss: `Sequential<"mse">` predicts
   * numbers, the cross-entropies predict labels.
   */
  new <const Layers extends readonly DenseConfig[], const L extends LossName | undefined = undefined>(
    layers: Layers, options?: SequentialOptions<L>,
  ): Sequential<[L] extends [undefined] ? OutputLoss<LastOf<Layers>> : Exclude<L, undefined>>;
  readonly prototype: Sequential;
  /** A Sequential saved by toJSON() (the object or its JSON text); throws when the file holds another kind of model. */
  fromJSON(json: unknown, options?: { runtime?: Runtime }): Sequential;
}

/** A stack of dense layers trained by backpropagation, typed by its loss (see SequentialConstructor). */
export const Sequential = SequentialModel as unknown as SequentialConstructor;
