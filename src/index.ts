// descent's public entry point: init() and createRuntime(), the Tensor type, and every
// activation, loss, update and linear-algebra op as a plain function bound to the default runtime.
import type { ActivationName } from "./registry.ts";
import {
  createRuntime,
  createRuntimeSync,
  type ActivationOp,
  type ActivationOptions,
  type Input,
  type Labels,
  type Runtime,
  type RuntimeOptions,
} from "./runtime.ts";

export { createRuntime, bestBackend, BACKENDS, Runtime } from "./runtime.ts";
export type {
  ActivationOp, ActivationOptions, Activations, Backend, Input, Kernel, Kernels, Labels, MemoryReport, RuntimeOptions,
} from "./runtime.ts";
export { Tensor } from "./tensor.ts";
export { ACTIVATIONS } from "./registry.ts";
export type { Activation, ActivationName } from "./registry.ts";

let defaultRuntime: Runtime | undefined;
let pending: Promise<Runtime> | undefined;

/**
 * Creates (once) and returns the default runtime, on the best backend the platform has unless
 * options.backend says otherwise. Later calls return the same runtime.
 */
export async function init(options?: RuntimeOptions): Promise<Runtime> {
  if (defaultRuntime !== undefined) return defaultRuntime;
  pending ??= createRuntime(options).then((rt) => (defaultRuntime = rt));
  return pending;
}

/**
 * The default runtime. Created on first use when the platform can compile WASM synchronously
 * (Node, workers); in a browser's main thread call `await init()` once first.
 */
export function runtime(): Runtime {
  if (defaultRuntime === undefined) {
    try {
      defaultRuntime = createRuntimeSync();
    } catch (err) {
      throw new Error(
        `descent: the default runtime is not ready: call \`await init()\` once before using the plain functions here (${(err as Error).message})`,
      );
    }
  }
  return defaultRuntime;
}

type Forward = <T extends Input>(x: T, options?: ActivationOptions) => T;
type Backward = <T extends Input>(x: T, dy: Input, options?: ActivationOptions) => T;

function forwardOf(name: ActivationName): Forward {
  return (x, options) => (runtime().activations[name] as ActivationOp).forward(x, options);
}
function backwardOf(name: ActivationName): Backward {
  return (x, dy, options) => (runtime().activations[name] as ActivationOp).backward(x, dy, options);
}

// One forward and one backward function per registry entry (a test checks that these names
// cover the registry exactly).
export const sigmoid = forwardOf("sigmoid");
export const sigmoidBackward = backwardOf("sigmoid");
export const tanh = forwardOf("tanh");
export const tanhBackward = backwardOf("tanh");
export const relu = forwardOf("relu");
export const reluBackward = backwardOf("relu");
export const leakyRelu = forwardOf("leakyRelu");
export const leakyReluBackward = backwardOf("leakyRelu");
export const prelu = forwardOf("prelu");
export const preluBackward = backwardOf("prelu");
export const elu = forwardOf("elu");
export const eluBackward = backwardOf("elu");
export const softplus = forwardOf("softplus");
export const softplusBackward = backwardOf("softplus");
export const softmax = forwardOf("softmax");
export const softmaxBackward = backwardOf("softmax");
export const logSoftmax = forwardOf("logSoftmax");
export const logSoftmaxBackward = backwardOf("logSoftmax");

/** An activation of the registry by name, on the default runtime; unknown names throw. */
export const activation = (name: string): ActivationOp => runtime().activation(name);

export const mse = (pred: Input, target: Input): number => runtime().mse(pred, target);
export const mseGrad = <T extends Input>(pred: T, target: Input, options?: { out?: Input }): T =>
  runtime().mseGrad(pred, target, options);
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
export const matmul = <T extends Input>(A: T, B: Input, options?: { m?: number; k?: number; n?: number; out?: Input }): T =>
  runtime().matmul(A, B, options);

/** A tensor in the default runtime's memory. */
export const tensor = (data: Float32Array | ArrayLike<number> | number, shape?: readonly number[]) =>
  runtime().tensor(data, shape);
