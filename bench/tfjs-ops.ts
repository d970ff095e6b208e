// TensorFlow.js's formulation of each kernel case, on either of its backends: the op itself on
// tensors created once (tf.sigmoid(x), tf.matMul(A, B, transposeA, transposeB), the optimizers'
// applyGradients on a variable, ...), the result read (one element, so the work cannot be deferred
// and no O(n) copy is added) and disposed on every call; several ops run inside tf.tidy. Backward
// activations are tf.grad (tf.grads for PReLU's slope too), the vector-Jacobian product from x and
// dy, which is what descent's backward computes.
//
// Nothing here touches Node's modules: the playground's benchmark worker (web/bench-core.ts) uses
// the same formulations in the browser, where it loads TensorFlow.js itself. Loading it in Node is
// bench/external.ts's.
import type * as TF from "@tensorflow/tfjs-core";
import type { BoundContender, Case, Workload } from "./cases.ts";

export type TfBackend = "wasm" | "cpu";
export type Tf = typeof TF;

export interface Tfjs {
  readonly tf: Tf;
  readonly version: string;
  /** The WebAssembly binary the wasm backend loaded (tfjs-backend-wasm-simd.wasm when SIMD is used). */
  readonly wasmBinary: string;
  readonly simd: boolean;
  readonly threads: boolean;
  /** Makes `backend` the engine's active backend, synchronously. */
  use(backend: TfBackend): void;
}

/** What a tfjs formulation reads of a case: its id and kernel, its buffers (with shapes) and arguments. */
export type TfCase = Pick<Case, "id" | "kernel">;
export type TfWorkload = Pick<Workload, "buffers" | "args">;

/** The name of a tfjs contender. */
export const tfImpl = (backend: TfBackend): "tfjs-wasm" | "tfjs-cpu" => (backend === "wasm" ? "tfjs-wasm" : "tfjs-cpu");

/**
 * One element of a tensor, read from the active backend without copying the rest (the wasm
 * backend's readSync takes a range; the cpu backend returns its own array).
 */
function one(tf: Tf, t: TF.Tensor): number {
  const b = tf.backend() as unknown as { readSync(dataId: object, start?: number, end?: number): ArrayLike<number> };
  return b.readSync(t.dataId, 0, 1)[0];
}

/** How a kernel runs in tfjs: a call that reads a little of its result, and one that returns all of it. */
export interface TfOp {
  run(): number;
  result(): Float32Array | number;
  dispose(): void;
}

/** A single op returning one tensor and leaving nothing else behind: no tidy needed. */
function single(tf: Tf, make: () => TF.Tensor, owned: TF.Tensor[]): TfOp {
  return {
    run: () => {
      const y = make();
      const v = one(tf, y);
      y.dispose();
      return v;
    },
    result: () => {
      const y = make();
      const a = (y.dataSync() as Float32Array).slice();
      y.dispose();
      return a.length === 1 && y.rank === 0 ? a[0] : a;
    },
    dispose: () => owned.forEach((t) => t.dispose()),
  };
}

/** Several ops, inside tf.tidy; `make` returns the tensor(s) to read: every one of them is read. */
function tidied(tf: Tf, make: () => TF.Tensor | TF.Tensor[], owned: TF.Tensor[], extra?: { dispose(): void }): TfOp {
  const list = (r: TF.Tensor | TF.Tensor[]): TF.Tensor[] => (Array.isArray(r) ? r : [r]);
  return {
    run: () => tf.tidy(() => list(make()).reduce((s, t) => s + one(tf, t), 0)),
    result: () =>
      tf.tidy(() => {
        const first = list(make())[0];
        const a = (first.dataSync() as Float32Array).slice();
        return first.rank === 0 ? a[0] : a;
      }),
    dispose: () => {
      owned.forEach((t) => t.dispose());
      extra?.dispose();
    },
  };
}

/** An in-place update of `target` (a variable): the result is the variable after the call. */
function inPlace(tf: Tf, step: () => void, target: TF.Variable, owned: TF.Tensor[], extra?: { dispose(): void }): TfOp {
  return {
    run: () => {
      step();
      return one(tf, target);
    },
    // The state after the calls so far (the agreement check reads it after exactly one).
    result: () => (target.dataSync() as Float32Array).slice(),
    dispose: () => {
      owned.forEach((t) => t.dispose());
      extra?.dispose();
    },
  };
}

type Args = Workload["args"];
const num = (args: Args, i: number): number => args[i] as number;

/**
 * The tfjs formulation of a kernel case, on tensors made by `tensor(name)` (the workload's buffer
 * as a tfjs tensor of its shape). Undefined for a kernel tfjs has no counterpart of.
 */
export function tfOp(tf: Tf, c: TfCase, w: TfWorkload): TfOp | undefined {
  const owned: TF.Tensor[] = [];
  const own = <T extends TF.Tensor>(t: T): T => {
    owned.push(t);
    return t;
  };
  const tensor = (bufferName: string, shape?: readonly number[]): TF.Tensor => {
    const spec = w.buffers[bufferName];
    return own(tf.tensor(spec.data as Float32Array, [...(shape ?? spec.shape ?? [spec.data.length])], "float32"));
  };
  const variable = (bufferName: string): TF.Variable => {
    const t = tensor(bufferName);
    return own(tf.variable(t, true));
  };
  const a = w.args;
  const k = c.id === "mse+grad" ? c.id : c.kernel;
  const grad = (f: (x: TF.Tensor) => TF.Tensor): TfOp => {
    const x = tensor("x");
    const dy = tensor("dy", w.buffers.x.shape);
    const g = tf.grad(f);
    return single(tf, () => g(x, dy), owned);
  };
  switch (k) {
    case "sigmoid_f32": { const x = tensor("x"); return single(tf, () => tf.sigmoid(x), owned); }
    case "sigmoid_grad_f32": return grad((x) => tf.sigmoid(x));
    case "tanh_f32": { const x = tensor("x"); return single(tf, () => tf.tanh(x), owned); }
    case "tanh_grad_f32": return grad((x) => tf.tanh(x));
    case "relu_f32": { const x = tensor("x"); return single(tf, () => tf.relu(x), owned); }
    case "relu_grad_f32": return grad((x) => tf.relu(x));
    case "leakyRelu_f32": { const x = tensor("x"); const s = num(a, 3); return single(tf, () => tf.leakyRelu(x, s), owned); }
    case "leakyRelu_grad_f32": { const s = num(a, 4); return grad((x) => tf.leakyRelu(x, s)); }
    case "elu_f32":
    case "elu_grad_f32": {
      // tf.elu has no alpha: only the default alpha = 1 has a counterpart.
      if (num(a, k === "elu_f32" ? 3 : 4) !== 1) return undefined;
      if (k === "elu_grad_f32") return grad((x) => tf.elu(x));
      const x = tensor("x");
      return single(tf, () => tf.elu(x), owned);
    }
    case "softplus_f32":
    case "softplus_grad_f32": {
      // tf.softplus has neither beta nor threshold: the defaults (1, 20) only.
      const [beta] = k === "softplus_f32" ? [num(a, 3)] : [num(a, 4)];
      if (beta !== 1) return undefined;
      if (k === "softplus_grad_f32") return grad((x) => tf.softplus(x));
      const x = tensor("x");
      return single(tf, () => tf.softplus(x), owned);
    }
    case "softmax_f32": { const x = tensor("x"); return single(tf, () => tf.softmax(x), owned); }
    case "softmax_grad_f32": return grad((x) => tf.softmax(x));
    case "logSoftmax_f32": { const x = tensor("x"); return single(tf, () => tf.logSoftmax(x), owned); }
    case "logSoftmax_grad_f32": return grad((x) => tf.logSoftmax(x));
    case "prelu_f32": { const x = tensor("x"); const s = tensor("slope"); return single(tf, () => tf.prelu(x, s), owned); }
    case "prelu_grad_f32": {
      const x = tensor("x");
      const dy = tensor("dy", w.buffers.x.shape);
      const s = tensor("slope");
      const g = tf.grads((xx: TF.Tensor, ss: TF.Tensor) => tf.prelu(xx, ss));
      return tidied(tf, () => g([x, s], dy), owned);
    }
    case "mse_f32": {
      const p = tensor("p"); const t = tensor("t");
      return tidied(tf, () => tf.losses.meanSquaredError(t, p), owned);
    }
    case "mse_grad_f32": {
      const p = tensor("p"); const t = tensor("t"); const n = num(a, 3);
      return tidied(tf, () => tf.mul(tf.sub(p, t), 2 / n), owned);
    }
    case "mse+grad":
    case "mseWithGrad_f32": {
      // The loss and its gradient together: the difference once, then both. Both are read.
      const p = tensor("p"); const t = tensor("t"); const n = num(a, k === "mse+grad" ? 2 : 3);
      return tidied(tf, () => {
        const d = tf.sub(p, t);
        return [tf.mul(d, 2 / n), tf.mean(tf.square(d))];
      }, owned);
    }
    case "bceWithLogits_f32": {
      const z = tensor("z"); const t = tensor("t");
      return tidied(tf, () => tf.losses.sigmoidCrossEntropy(t, z), owned);
    }
    case "bceWithLogits_grad_f32": {
      const z = tensor("z"); const t = tensor("t"); const n = num(a, 3);
      return tidied(tf, () => tf.div(tf.sub(tf.sigmoid(z), t), n), owned);
    }
    case "softmaxCrossEntropy_f32":
    case "softmaxCrossEntropy_grad_f32": {
      const rows = num(a, k === "softmaxCrossEntropy_f32" ? 2 : 3);
      const cols = num(a, k === "softmaxCrossEntropy_f32" ? 3 : 4);
      const z = tensor("z", [rows, cols]);
      // tfjs takes one-hot targets: built once, outside the timing.
      const labels = w.buffers.labels.data as Int32Array;
      const onehot = own(tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(labels, "int32"), cols), "float32")));
      if (k === "softmaxCrossEntropy_f32") return tidied(tf, () => tf.losses.softmaxCrossEntropy(onehot, z), owned);
      return tidied(tf, () => tf.div(tf.sub(tf.softmax(z), onehot), rows), owned);
    }
    case "sgd_f32":
    case "momentum_f32":
    case "adam_f32": {
      const wv = variable("w");
      const g = tensor("g");
      const opt = k === "sgd_f32" ? tf.train.sgd(num(a, 3))
        : k === "momentum_f32" ? tf.train.momentum(num(a, 4), num(a, 5), num(a, 6) !== 0)
        : tf.train.adam(num(a, 5), num(a, 6), num(a, 7), num(a, 8));
      const grads = [{ name: wv.name, tensor: g }];
      // MomentumOptimizer.dispose() forgets the learning-rate scalar its SGD base keeps (tfjs 4.22).
      const leftover = (opt as unknown as { c?: TF.Tensor }).c;
      const disposeAll = { dispose: () => { opt.dispose(); if (leftover !== undefined && !leftover.isDisposed) leftover.dispose(); } };
      return inPlace(tf, () => opt.applyGradients(grads), wv, owned, disposeAll);
    }
    case "dot_f32": {
      const x = tensor("a"); const y = tensor("b");
      return single(tf, () => tf.dot(x, y), owned);
    }
    case "axpy_f32": {
      const alpha = num(a, 1);
      const x = tensor("x"); const y = variable("y");
      return inPlace(tf, () => tf.tidy(() => { y.assign(tf.add(y, tf.mul(x, alpha))); }), y, owned);
    }
    case "gemv_f32":
    case "gemvT_f32": {
      const rows = num(a, 3); const cols = num(a, 4);
      const A = tensor("A", [rows, cols]);
      const x = tensor("x", k === "gemv_f32" ? [cols, 1] : [rows, 1]);
      return single(tf, () => tf.matMul(A, x, k === "gemvT_f32", false), owned);
    }
    case "matmul_f32": {
      const [m, kk, n, transA, transB] = [num(a, 3), num(a, 4), num(a, 5), num(a, 6), num(a, 7)];
      const A = tensor("A", transA ? [kk, m] : [m, kk]);
      const B = tensor("B", transB ? [n, kk] : [kk, n]);
      return single(tf, () => tf.matMul(A, B, transA !== 0, transB !== 0), owned);
    }
    default:
      owned.forEach((t) => t.dispose());
      return undefined;
  }
}

/** The tfjs contender of a kernel case on one backend, or undefined when tfjs has no such op. */
export function tfjsContender(tfjs: Pick<Tfjs, "tf" | "use">, backend: TfBackend, c: TfCase, w: TfWorkload): (BoundContender & { dispose(): void }) | undefined {
  tfjs.use(backend);
  const op = tfOp(tfjs.tf, c, w);
  if (op === undefined) return undefined;
  return {
    name: tfImpl(backend),
    enter: () => tfjs.use(backend),
    run: op.run,
    result: () => {
      tfjs.use(backend);
      return op.result();
    },
    dispose: () => {
      tfjs.use(backend);
      op.dispose();
    },
  };
}
