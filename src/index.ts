// descent's public entry point: init() and createRuntime(), the Tensor type, and every
// activation, loss, update and linear-algebra op as a plain function bound to the default runtime.
import { runtime } from "./default.ts";
import type { ActivationOp, Input, Labels } from "./runtime.ts";
import "./print-runtime.ts";

export { createRuntime, bestBackend, availableBackends, BACKENDS, Runtime } from "./runtime.ts";
export type {
  ActivationOp, ActivationOptions, Activations, Backend, Input, Kernel, Kernels, Labels, MemoryReport, RuntimeOptions,
} from "./runtime.ts";
export { Tensor } from "./tensor.ts";
export type { TensorOwner } from "./tensor.ts";
export { ACTIVATIONS } from "./registry.ts";
export type { Activation, ActivationName, Elementwise, Rowwise, ScalarParam, Slope, Tolerance } from "./registry.ts";
// The types of what a runtime exposes (its heap, its thread pool), so that values holding them can be named.
export type { Heap, LinearMemory } from "./heap.ts";
export type { ThreadPool } from "./threads.ts";

export { init, runtime } from "./default.ts";
export type { Backward, Forward } from "./default.ts";
export * from "./generated/activations.ts";

/** An activation of the registry by name, on the default runtime; unknown names throw. */
export const activation = (name: string): ActivationOp => runtime().activation(name);

export const mse = (pred: Input, target: Input): number => runtime().mse(pred, target);
export const mseGrad = <T extends Input>(pred: T, target: Input, options?: { out?: Input }): T =>
  runtime().mseGrad(pred, target, options);
export const mseWithGrad = <T extends Input>(pred: T, target: Input, options?: { out?: Input }): { loss: number; grad: T } =>
  runtime().mseWithGrad(pred, target, options);
export const bceWithLogits = (logits: Input, targets: Input): number => runtime().bceWithLogits(logits, targets);
export const bceWithLogitsGrad = <T extends Input>(logits: T, targets: Input, options?: { out?: Input }): T =>
  runtime().bceWithLogitsGrad(logits, targets, options);
export const softmaxCrossEntropy = (logits: Input, labels: Labels, options?: { cols?: number }): number =>
  runtime().softmaxCrossEntropy(logits, labels, options);
export const softmaxCrossEntropyGrad = <T extends Input>(
  logits: T, labels: Labels, options?: { cols?: number; out?: Input },
): T => runtime().softmaxCrossEntropyGrad(logits, labels, options);

export const sgd = (w: Input, g: Input, options?: { lr?: number }): void => runtime().sgd(w, g, options);
export const momentum = (
  w: Input, g: Input, velocity: Input, options?: { lr?: number; momentum?: number; nesterov?: boolean },
): void => runtime().momentum(w, g, velocity, options);
export const adam = (
  w: Input, g: Input, m: Input, v: Input,
  options: { step: number; lr?: number; beta1?: number; beta2?: number; eps?: number },
): void => runtime().adam(w, g, m, v, options);

export const dot = (a: Input, b: Input): number => runtime().dot(a, b);
export const axpy = (alpha: number, x: Input, y: Input): void => runtime().axpy(alpha, x, y);
export const gemv = <T extends Input>(A: T, x: Input, options?: { rows?: number; cols?: number; out?: Input }): T =>
  runtime().gemv(A, x, options);
export const gemvT = <T extends Input>(A: T, x: Input, options?: { rows?: number; cols?: number; out?: Input }): T =>
  runtime().gemvT(A, x, options);
export const matmul = <T extends Input>(
  A: T, B: Input,
  options?: { m?: number; k?: number; n?: number; transposeA?: boolean; transposeB?: boolean; out?: Input },
): T => runtime().matmul(A, B, options);

/** A tensor in the default runtime's memory. */
export const tensor = (data: Float32Array | ArrayLike<number> | number, shape?: readonly number[]) =>
  runtime().tensor(data, shape);

export * from "./data/index.ts";
export * from "./models/index.ts";
export { trainInWorker } from "./background/train-in-worker.ts";
export type { WorkerFitOptions } from "./background/train-in-worker.ts";
// ONNX interchange: model.toONNX() writes, loadONNX reads a dense network (docs/onnx.md).
export { loadONNX } from "./onnx/import.ts";
export type { LoadONNXOptions } from "./onnx/import.ts";
export { OPSET as ONNX_OPSET } from "./onnx/onnx.ts";
