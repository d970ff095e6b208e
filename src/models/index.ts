// The models' public API.

export { LinearRegression, AUTO_NORMAL_MAX_FEATURES } from "./linear.ts";
export type { LinearRegressionOptions, LinearSolver } from "./linear.ts";
export { LogisticRegression } from "./logistic.ts";
export type { LogisticRegressionOptions } from "./logistic.ts";
export { Sequential } from "./sequential.ts";
export type { SequentialOptions } from "./sequential.ts";
export { dense } from "./layers.ts";
export type { ActivationInput, DenseConfig, DenseOptions } from "./layers.ts";
export type { EarlyStopping, EpochInfo, FitOptions, History } from "./common.ts";
export { Model, loadModel } from "./model.ts";
export type { Label, ModelJSON, ModelKind, Task } from "./model.ts";
export type { LossName } from "./network.ts";

