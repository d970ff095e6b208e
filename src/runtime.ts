// A runtime: one backend ("wasm-relaxed", "wasm-simd", "wasm" or "js"), the memory it owns, and the typed API
// over its kernels. Two layers, as at every WASM boundary here:
//   runtime.kernels  the pointer level: the WASM exports (or the `js` backend's table with the
//                    same signatures), taking byte offsets into runtime memory; owns nothing,
//                    checks nothing;
//   everything else  the typed level: Float32Array or Tensor in, validated, copied into memory
//                    only when it is not already there, results returned the same way they came.
import { describe, errorText, optimizerSetting } from "./checks.ts";
import { ArrayMemory, Heap, MAX_PAGES, PAGE } from "./heap.ts";
import { OPS_JS, OP_NAMES, type OpName } from "./ops-js.ts";
import { ACTIVATIONS, kernelNames, type Activation, type ActivationName } from "./registry.ts";
import { Tensor, disposedError, isTensor, viewOf, type TensorOwner } from "./tensor.ts";
import { ThreadPool } from "./threads.ts";
import {
  compile, compileSync, hasRelaxedSimd, hasSimd, hasWebAssembly, instantiate, threadsUnavailable, type WasmFlavor,
} from "./wasm.ts";

/**
 * "wasm-relaxed": the SIMD build with relaxed SIMD's fused multiply-add (the default wherever the
 * engine has it: Node ≥ 22 and current browsers; its bits can differ between machines, never
 * between runs on one); "wasm-simd": the SIMD build, bit-identical to "wasm", the scalar build;
 * "js": plain TypeScript kernels.
 */
export type Backend = "wasm-relaxed" | "wasm-simd" | "wasm" | "js";
export const BACKENDS: readonly Backend[] = ["wasm-relaxed", "wasm-simd", "wasm", "js"];

export interface RuntimeOptions {
  /** Which kernels to run; "auto" (default) picks the best the platform has. */
  backend?: Backend | "auto";
  /** Upper bound on the runtime's memory, in bytes (default and maximum: 4 GiB). */
  maxMemory?: number;
  /**
   * Threads for training (default 1): a number, or "auto" for one per logical core. With more
   * than one, the memory is a shared WebAssembly.Memory and training is split over worker threads
   * (wasm-relaxed and wasm-simd): Node's worker_threads, or in a browser Web Workers, which need a
   * cross-origin isolated page and a worker to start from (a page's main thread cannot wait for
   * them: trainInWorker). Where that cannot work, the runtime runs single-threaded and says why
   * once on the console.
   */
  threads?: number | "auto";
}

/** A pointer-level kernel: byte offsets and sizes in, a scalar or nothing out. */
export type Kernel = (...args: number[]) => number | void;
export type Kernels = Readonly<Record<string, Kernel>>;

/** Float32 data the typed level accepts. */
export type Input = Float32Array | Tensor;

export interface MemoryReport {
  /** Tensors created and not yet disposed (or collected). */
  liveTensors: number;
  /** Bytes held by live tensors and any call in progress. */
  liveBytes: number;
  /** Bytes between the heap's start and its high-water mark (live + recycled). */
  reservedBytes: number;
  /** Size of the memory now. */
  memoryBytes: number;
}

const ELEMENT = 4;

/**
 * A real Float32Array: ArrayBuffer.isView reads an internal slot, so a Proxy of one (which
 * `instanceof` lets through, to fail on its first property) is not taken for one.
 */
function isFloat32(v: unknown): v is Float32Array {
  return ArrayBuffer.isView(v) && v instanceof Float32Array;
}

/** A view of runtime memory outside every live tensor: freed, or another tensor's now. */
function staleView(fn: string, arg: string): TypeError {
  return new TypeError(`descent: ${fn}: ${arg} is a view of runtime memory that no live tensor holds (was its tensor disposed?)`);
}

/** An argument whose reading ran code that threw: a getter, a Proxy's trap. */
function unreadable(fn: string, arg: string, err: unknown): TypeError {
  return new TypeError(`descent: ${fn}: ${arg} could not be read: ${errorText(err)}`);
}

/** Where an operand's values are in runtime memory for the duration of one call. */
interface Operand {
  ptr: number;
  length: number;
  shape: readonly number[] | undefined;
}

/**
 * How a kernel's work divides over threads: the argument that counts its items, the pointer
 * arguments into arrays of them, and the argument giving an item's width in floats (a row's
 * length; one float per item when undefined). Each thread then runs the same kernel on a
 * contiguous share of whole items, so results are bit-identical to one thread's.
 */
export interface Split {
  readonly count: number;
  readonly pointers: readonly number[];
  readonly width?: number;
}

/**
 * Below this many floats a kernel stays on the calling thread: waking the workers and waiting for
 * them costs more than the second core saves (the crossover measured by bench/threads.ts).
 */
export const SPLIT_MIN_ELEMENTS = 1 << 17;

export class Runtime implements TensorOwner {
  readonly backend: Backend;
  /** The pointer level: WASM exports or the `js` table, byte offsets into `heap`. */
  readonly kernels: Kernels;
  readonly heap: Heap;
  /** Every activation of the registry: forward(x, params?) and backward(x, dy, params?). */
  readonly activations: Activations;
  readonly label: string;
  /** Worker threads for training (undefined: single-threaded). */
  readonly pool: ThreadPool | undefined;
  #liveTensors = 0;
  /** @internal The size from which kernels split over the threads (bench/threads.ts lowers it to find the crossover). */
  splitMinElements = SPLIT_MIN_ELEMENTS;
  /**
   * @internal The work from which the models' passes split over the threads, in elements of X
   * for the one-unit fused pass and the closed form (a network's pass, about six multiply-adds per
   * weight and row, splits from 16 times as many multiply-adds). Tests lower it to 0.
   */
  splitMinWork = 1 << 16;
  /** @internal The weight updates' kernels, split over the threads when large (the models' optimizers use them too). */
  readonly updates: Readonly<Record<"sgd_f32" | "momentum_f32" | "adam_f32", Kernel>>;
  /** Blocks staged for the call in progress, released when it ends. */
  #staged: number[] = [];
  #closed = false;
  #closing: Promise<void> | undefined;

  /** @internal Use createRuntime() or init(). */
  constructor(backend: Backend, kernels: Kernels, heap: Heap, pool?: ThreadPool) {
    this.backend = backend;
    this.kernels = kernels;
    this.heap = heap;
    this.pool = pool;
    this.label = `${backend} runtime${pool ? ` with ${pool.size + 1} threads` : ""}`;
    if (pool !== undefined) pool.label = this.label;
    this.updates = {
      sgd_f32: this.splitKernel("sgd_f32", { count: 2, pointers: [0, 1] }),
      momentum_f32: this.splitKernel("momentum_f32", { count: 3, pointers: [0, 1, 2] }),
      adam_f32: this.splitKernel("adam_f32", { count: 4, pointers: [0, 1, 2, 3] }),
    };
    this.activations = buildActivations(this);
  }

  /** Threads that training on this runtime uses: the calling thread plus the pool's workers. */
  get threads(): number {
    return (this.pool?.size ?? 0) + 1;
  }

  /** Whether close() was called: a closed runtime refuses all work. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Stops the runtime's worker threads, and the runtime refuses all work from now on: every call,
   * new tensors, and a fit that was running (at its next step). Tensors made before can still be
   * read and disposed. Closing twice is harmless.
   */
  close(): Promise<void> {
    this.#closed = true;
    this.#closing ??= this.pool?.close() ?? Promise.resolve();
    return this.#closing;
  }

  /** @internal The error for work asked of a closed runtime. */
  closedError(fn: string): TypeError {
    return new TypeError(
      `descent: ${fn}: the runtime was closed (the ${this.label}); a closed runtime runs nothing: create another with createRuntime()`,
    );
  }

  /**
   * @internal Kernel `name` of the pointer level, run on every thread of the pool when its work
   * is at least splitMinElements floats (the plain kernel on a runtime without threads).
   */
  splitKernel(name: string, split: Split): Kernel {
    const kernel = this.kernels[name] as Kernel;
    const pool = this.pool;
    if (pool === undefined) return kernel;
    const threads = pool.size + 1;
    return (...args: number[]) => {
      const count = args[split.count];
      const width = split.width === undefined ? 1 : args[split.width];
      if (count * width < this.splitMinElements) return kernel(...args);
      // Whole items per thread; single floats in multiples of 16 (a 64-byte cache line).
      const share = split.width === undefined ? Math.ceil(count / threads / 16) * 16 : Math.ceil(count / threads);
      const tasks: number[][] = [];
      for (let start = 0; start < count; start += share) {
        const task = args.slice();
        task[split.count] = Math.min(share, count - start);
        for (const p of split.pointers) task[p] += start * width * ELEMENT;
        tasks.push(task);
      }
      pool.run(name, tasks, (task) => kernel(...task));
    };
  }

  /** An activation by name (e.g. from a config or the command line); unknown names throw. */
  activation(name: string): ActivationOp {
    const known = (): string => ACTIVATIONS.map((a) => a.name).join(", ");
    if (typeof name !== "string") {
      throw new TypeError(`descent: activation: name must be a string (one of ${known()}), received ${describe(name)}`);
    }
    // Own keys only: "toString" or "constructor" are no activations.
    if (!Object.hasOwn(this.activations, name)) {
      throw new TypeError(`descent: unknown activation ${describe(name)} (known: ${known()})`);
    }
    return (this.activations as Readonly<Record<string, ActivationOp>>)[name];
  }

  // ---------------------------------------------------------------- tensors and memory

  /** Copies `data` (or `length` zeros) into runtime memory; shape defaults to [length]. */
  tensor(data: Float32Array | ArrayLike<number> | number, shape?: readonly number[]): Tensor {
    const fn = "tensor";
    if (this.#closed) throw this.closedError(fn);
    const wrong = (): TypeError =>
      new TypeError(`descent: ${fn}: data must be a Float32Array, an array of numbers or a length, received ${describe(data)}`);
    let source: ArrayLike<number> | undefined;
    let length: unknown = data;
    if (ArrayBuffer.isView(data)) {
      // BigInts do not convert to float32; a DataView has no elements.
      if (data instanceof BigInt64Array || data instanceof BigUint64Array || data instanceof DataView) throw wrong();
      const view = data as unknown as Float32Array;
      source = view;
      if (this.heap.owns(view.buffer)) {
        if (!this.held(view)) throw staleView(fn, "data");
        // Copied out first: allocating the tensor may grow the memory, which detaches the view.
        source = view.slice();
      }
      length = view.length;
    } else if (typeof data === "object" && data !== null) {
      try {
        length = (data as ArrayLike<unknown>).length;
      } catch (err) {
        throw unreadable(fn, "data", err);
      }
    }
    if (typeof length !== "number" || !Number.isInteger(length) || length < 0) throw wrong();
    const t = this.newTensor(length, shape === undefined ? [length] : checkShape(fn, shape, length));
    const ptr = t.ptr;
    if (source !== undefined) this.heap.f32.set(source, ptr / ELEMENT);
    else if (typeof data === "number") this.heap.u8.fill(0, ptr, ptr + length * ELEMENT);
    else {
      // An array (or array-like) would be converted silently (a string to NaN): each element is
      // read once and checked; a refusal frees the tensor.
      const f32 = this.heap.f32;
      const at = ptr / ELEMENT;
      let i = 0;
      try {
        for (; i < length; i++) {
          const v: unknown = (data as ArrayLike<unknown>)[i];
          if (typeof v !== "number") throw new TypeError(`descent: ${fn}: data[${i}] must be a number, received ${describe(v)}`);
          f32[at + i] = v;
        }
      } catch (err) {
        t.dispose();
        throw err instanceof TypeError && err.message.startsWith("descent: ") ? err : unreadable(fn, `data[${i}]`, err);
      }
    }
    return t;
  }

  /** @internal A tensor for a kernel to fill: not zeroed, shape trusted (already checked). */
  newTensor(length: number, shape: readonly number[]): Tensor {
    if (this.#closed) throw this.closedError("tensor");
    const bytes = length * ELEMENT;
    const ptr = this.heap.alloc(bytes, () => `a tensor of shape [${shape.join(", ")}]`);
    this.heap.hold(ptr, bytes);
    this.#liveTensors++;
    return new Tensor(this, ptr, Object.isFrozen(shape) ? shape : Object.freeze(shape.slice()), length);
  }

  /** A tensor of zeros. */
  zeros(shape: readonly number[]): Tensor {
    if (this.#closed) throw this.closedError("zeros");
    const dims = checkShape("zeros", shape, undefined);
    return this.tensor(dims.reduce((a, b) => a * b, 1), dims);
  }

  memory(): MemoryReport {
    return {
      liveTensors: this.#liveTensors,
      liveBytes: this.heap.liveBytes,
      reservedBytes: this.heap.reservedBytes,
      memoryBytes: this.heap.byteLength,
    };
  }

  /** @internal TensorOwner: a tensor was disposed or collected. */
  forget(): void {
    this.#liveTensors--;
  }

  // ---------------------------------------------------------------- operands

  /**
   * @internal Resolves an input to a pointer, staging a copy only when it is not in memory. A
   * view of runtime memory is used in place only when it lies inside one live tensor: anything
   * else it shows is freed memory or another tensor's, read or written, so it is refused.
   */
  operand(x: unknown, fn: string, arg: string): Operand {
    if (isTensor(x)) {
      if (x.owner !== this) {
        if (x.disposed) throw disposedError(x);
        throw new TypeError(`descent: ${fn}: ${arg} belongs to another runtime (${x.owner.label}), not the ${this.label}`);
      }
      return { ptr: x.ptr, length: x.length, shape: x.shape };
    }
    if (isFloat32(x)) {
      if (this.heap.owns(x.buffer)) {
        if (!this.held(x)) throw staleView(fn, arg);
        return { ptr: x.byteOffset, length: x.length, shape: undefined };
      }
      const ptr = this.stage(x.length, fn, arg);
      this.heap.f32.set(x, ptr / ELEMENT);
      return { ptr, length: x.length, shape: undefined };
    }
    throw new TypeError(`descent: ${fn}: ${arg} must be a Float32Array or a Tensor, received ${describe(x)}`);
  }

  /**
   * Whether a view of this runtime's memory lies inside one live tensor: for a tensor's `.data`,
   * whether that tensor lives (its block may hold another tensor by now); for any other view (a
   * subarray, one built over the memory by hand), whether its bytes lie inside one live tensor.
   * Staged blocks are no tensors: a view of one is refused.
   */
  private held(v: ArrayBufferView): boolean {
    const t = v instanceof Float32Array ? viewOf(v) : undefined;
    if (t !== undefined) return !t.disposed && t.owner === this;
    return this.heap.holds(v.byteOffset, v.byteLength);
  }

  /** @internal Allocates a block released when the call ends (see call()). */
  stage(length: number, fn: string, arg: string): number {
    const ptr = this.heap.alloc(length * ELEMENT, () => `${fn}'s ${arg} (${length} float32)`);
    this.#staged.push(ptr);
    return ptr;
  }

  /**
   * @internal Runs `body` (the call `fn`) and releases whatever it staged, also when it throws,
   * so that a failed call leaves the heap as it found it. A closed runtime refuses it.
   */
  call<R>(fn: string, body: () => R): R {
    if (this.#closed) throw this.closedError(fn);
    const mark = this.#staged.length;
    try {
      return body();
    } finally {
      const staged = this.#staged;
      while (staged.length > mark) this.heap.release(staged.pop() as number);
    }
  }

  /**
   * @internal Where a result goes: `out` (checked), a new tensor when the main input was a
   * tensor, else a staged block copied out to a new Float32Array by `finish`.
   */
  output(out: unknown, like: unknown, length: number, shape: readonly number[] | undefined, fn: string): Output {
    if (out !== undefined) {
      const tensor = isTensor(out);
      if (!tensor && !isFloat32(out)) {
        throw new TypeError(`descent: ${fn}: out must be a Float32Array or a Tensor, received ${describe(out)}`);
      }
      if (out.length !== length) {
        throw new RangeError(`descent: ${fn}: out must have ${length} elements, received ${out.length}`);
      }
      if (!tensor && !this.heap.owns(out.buffer)) {
        return { ptr: this.stage(length, fn, "out"), result: out, copyTo: out };
      }
      const o = this.operand(out, fn, "out");
      return { ptr: o.ptr, result: out, copyTo: undefined };
    }
    if (isTensor(like)) {
      const t = this.newTensor(length, shape ?? [length]);
      return { ptr: t.ptr, result: t, copyTo: undefined };
    }
    const result = new Float32Array(length);
    return { ptr: this.stage(length, fn, "result"), result, copyTo: result };
  }

  /** @internal Completes an output: copies a staged result out when needed. */
  finish(o: Output): Input {
    if (o.copyTo !== undefined) {
      const f = this.heap.f32;
      o.copyTo.set(f.subarray(o.ptr / ELEMENT, o.ptr / ELEMENT + o.copyTo.length));
    }
    return o.result;
  }

  // ---------------------------------------------------------------- losses

  /** Mean squared error mean((p − t)²). */
  mse(pred: Input, target: Input): number {
    return this.lossValue("mse", "mse_f32", pred, target);
  }

  /** ∂mse/∂pred = 2(p − t)/n. */
  mseGrad<T extends Input>(pred: T, target: Input, options?: { out?: Input }): T {
    const fn = "mseGrad";
    return this.lossGrad(fn, "mse_grad_f32", pred, target, option(fn, checkOptions(fn, options, OUT), "out"));
  }

  /** Binary cross-entropy from logits, mean over elements; targets in [0, 1]. */
  bceWithLogits(logits: Input, targets: Input): number {
    return this.lossValue("bceWithLogits", "bceWithLogits_f32", logits, targets);
  }

  /** ∂bce/∂logits = (σ(z) − t)/n. */
  bceWithLogitsGrad<T extends Input>(logits: T, targets: Input, options?: { out?: Input }): T {
    const fn = "bceWithLogitsGrad";
    return this.lossGrad(fn, "bceWithLogits_grad_f32", logits, targets, option(fn, checkOptions(fn, options, OUT), "out"));
  }

  /** Softmax cross-entropy from logits (rows × cols) and integer labels, mean over rows. */
  softmaxCrossEntropy(logits: Input, labels: Labels, options?: { cols?: number }): number {
    const fn = "softmaxCrossEntropy";
    const cols = option(fn, checkOptions(fn, options, COLS), "cols");
    return this.call(fn, () => {
      const z = this.operand(logits, fn, "logits");
      const c = rowLength(fn, "logits", z, cols);
      const rows = z.length / c;
      if (rows === 0) throw new RangeError(`descent: ${fn}: the mean over 0 rows is undefined (received empty logits)`);
      const l = this.labels(labels, rows, c, fn);
      return (this.kernels.softmaxCrossEntropy_f32 as Kernel)(z.ptr, l, rows, c) as number;
    });
  }

  /** ∂/∂logits of softmaxCrossEntropy: (softmax(z) − onehot(label))/rows. */
  softmaxCrossEntropyGrad<T extends Input>(logits: T, labels: Labels, options?: { cols?: number; out?: Input }): T {
    const fn = "softmaxCrossEntropyGrad";
    const o = checkOptions(fn, options, COLS_OUT);
    const cols = option(fn, o, "cols");
    const out = option(fn, o, "out");
    return this.call(fn, () => {
      const z = this.operand(logits, fn, "logits");
      const c = rowLength(fn, "logits", z, cols);
      const rows = z.length / c;
      const l = this.labels(labels, rows, c, fn);
      const r = this.output(out, logits, z.length, z.shape, fn);
      (this.kernels.softmaxCrossEntropy_grad_f32 as Kernel)(z.ptr, l, r.ptr, rows, c);
      return this.finish(r) as T;
    });
  }

  /**
   * mse and mseGrad in one pass over the data (what a training step needs): the same loss and the
   * same gradient bits as the two calls, about twice as fast.
   */
  mseWithGrad<T extends Input>(pred: T, target: Input, options?: { out?: Input }): { loss: number; grad: T } {
    const fn = "mseWithGrad";
    const out = option(fn, checkOptions(fn, options, OUT), "out");
    return this.call(fn, () => {
      const p = this.operand(pred, fn, "predictions");
      const t = this.operand(target, fn, "targets");
      sameLength(fn, "targets", t.length, "predictions", p.length);
      if (p.length === 0) throw new RangeError(`descent: ${fn}: the mean of 0 elements is undefined (received empty inputs)`);
      const o = this.output(out, pred, p.length, p.shape, fn);
      const loss = (this.kernels.mseWithGrad_f32 as Kernel)(p.ptr, t.ptr, o.ptr, p.length) as number;
      return { loss, grad: this.finish(o) as T };
    });
  }

  private lossValue(fn: string, kernel: OpName, a: Input, b: Input): number {
    return this.call(fn, () => {
      const p = this.operand(a, fn, "predictions");
      const t = this.operand(b, fn, "targets");
      sameLength(fn, "targets", t.length, "predictions", p.length);
      if (p.length === 0) throw new RangeError(`descent: ${fn}: the mean of 0 elements is undefined (received empty inputs)`);
      return (this.kernels[kernel] as Kernel)(p.ptr, t.ptr, p.length) as number;
    });
  }

  private lossGrad<T extends Input>(fn: string, kernel: OpName, a: T, b: Input, out: unknown): T {
    return this.call(fn, () => {
      const p = this.operand(a, fn, "predictions");
      const t = this.operand(b, fn, "targets");
      sameLength(fn, "targets", t.length, "predictions", p.length);
      const o = this.output(out, a, p.length, p.shape, fn);
      (this.kernels[kernel] as Kernel)(p.ptr, t.ptr, o.ptr, p.length);
      return this.finish(o) as T;
    });
  }

  /** Stages labels as int32 after checking each is an integer in [0, cols). */
  private labels(labels: unknown, rows: number, cols: number, fn: string): number {
    const wrong = (): TypeError =>
      new TypeError(`descent: ${fn}: labels must be an Int32Array or an array of integers, received ${describe(labels)}`);
    let values: ArrayLike<unknown>;
    if (ArrayBuffer.isView(labels)) {
      if (!(labels instanceof Int32Array || labels instanceof Uint8Array || labels instanceof Uint16Array ||
        labels instanceof Uint32Array || labels instanceof Float32Array)) throw wrong();
      values = labels;
      if (this.heap.owns(labels.buffer)) {
        if (!this.held(labels)) throw staleView(fn, "labels");
        // Copied out first: staging may grow the memory, which detaches the view.
        values = labels.slice();
      }
    } else {
      try {
        if (!Array.isArray(labels)) throw wrong();
        // Read once: a getter or a Proxy runs its code here, not between the check and the copy.
        values = Array.from(labels as unknown[]);
      } catch (err) {
        throw err instanceof TypeError && err.message.startsWith("descent: ") ? err : unreadable(fn, "labels", err);
      }
    }
    if (values.length !== rows) {
      throw new RangeError(`descent: ${fn}: labels must have one entry per row (${rows}), received ${values.length}`);
    }
    const ptr = this.stage(rows, fn, "labels");
    const i32 = this.heap.i32;
    for (let r = 0; r < rows; r++) {
      const v = values[r];
      if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v >= cols) {
        const Kind = typeof v === "number" ? RangeError : TypeError;
        throw new Kind(`descent: ${fn}: labels[${r}] must be an integer in [0, ${cols}), received ${describe(v)}`);
      }
      i32[ptr / ELEMENT + r] = v;
    }
    return ptr;
  }

  // ---------------------------------------------------------------- weight updates (in place)

  /** w −= lr·g. */
  sgd(w: Input, g: Input, options?: { lr?: number }): void {
    const fn = "sgd";
    const lr = Math.fround(optimizerSetting(fn, "lr", option(fn, checkOptions(fn, options, SGD), "lr"), 0.01));
    this.update(fn, [w], SGD_STATE, g, "gradient", (wp, gp, n) => this.updates.sgd_f32(wp[0], gp, n, lr));
  }

  /** v = μ·v + g; w −= lr·v (or lr·(g + μ·v) with nesterov). */
  momentum(w: Input, g: Input, velocity: Input, options?: { lr?: number; momentum?: number; nesterov?: boolean }): void {
    const fn = "momentum";
    const o = checkOptions(fn, options, MOMENTUM);
    const lr = Math.fround(optimizerSetting(fn, "lr", option(fn, o, "lr"), 0.01));
    const mu = Math.fround(optimizerSetting(fn, "momentum", option(fn, o, "momentum"), 0.9));
    const nesterov = flag(fn, "nesterov", option(fn, o, "nesterov")) ? 1 : 0;
    this.update(fn, [w, velocity], MOMENTUM_STATE, g, "gradient", (p, gp, n) =>
      this.updates.momentum_f32(p[0], gp, p[1], n, lr, mu, nesterov));
  }

  /** One Adam step (PyTorch's formulation); `step` counts from 1. */
  adam(
    w: Input, g: Input, m: Input, v: Input,
    options: { step: number; lr?: number; beta1?: number; beta2?: number; eps?: number },
  ): void {
    const fn = "adam";
    const o = checkOptions(fn, options, ADAM);
    const step = option(fn, o, "step");
    if (typeof step !== "number" || !Number.isInteger(step) || step < 1) {
      const Kind = step === undefined || typeof step === "number" ? RangeError : TypeError;
      throw new Kind(`descent: adam: step must be an integer >= 1 (the count of updates so far, from 1), received ${describe(step)}`);
    }
    const lr = Math.fround(optimizerSetting(fn, "lr", option(fn, o, "lr"), 0.001));
    const b1 = Math.fround(optimizerSetting(fn, "beta1", option(fn, o, "beta1"), 0.9));
    const b2 = Math.fround(optimizerSetting(fn, "beta2", option(fn, o, "beta2"), 0.999));
    const eps = Math.fround(optimizerSetting(fn, "eps", option(fn, o, "eps"), 1e-8));
    this.update(fn, [w, m, v], ADAM_STATE, g, "gradient", (p, gp, n) =>
      this.updates.adam_f32(p[0], gp, p[1], p[2], n, lr, b1, b2, eps, step));
  }

  /** Runs an in-place update over state buffers (weights first), copying back staged arrays. */
  private update(
    fn: string, state: Input[], names: readonly string[], grad: Input, gradName: string,
    run: (ptrs: number[], g: number, n: number) => void,
  ): void {
    this.call(fn, () => {
      const ops = state.map((s, i) => this.operand(s, fn, names[i]));
      const g = this.operand(grad, fn, gradName);
      for (let i = 0; i < ops.length; i++) sameLength(fn, names[i], ops[i].length, gradName, g.length);
      run(ops.map((o) => o.ptr), g.ptr, g.length);
      // Arrays that were staged (not in memory) get their new values back.
      state.forEach((s, i) => {
        if (isFloat32(s) && !this.heap.owns(s.buffer)) {
          const p = ops[i].ptr / ELEMENT;
          s.set(this.heap.f32.subarray(p, p + s.length));
        }
      });
    });
  }

  // ---------------------------------------------------------------- linear algebra

  /** Σ a_i·b_i (float32 accumulation). */
  dot(a: Input, b: Input): number {
    return this.call("dot", () => {
      const x = this.operand(a, "dot", "a");
      const y = this.operand(b, "dot", "b");
      sameLength("dot", "b", y.length, "a", x.length);
      return (this.kernels.dot_f32 as Kernel)(x.ptr, y.ptr, x.length) as number;
    });
  }

  /** y += alpha·x, in place on y. */
  axpy(alpha: number, x: Input, y: Input): void {
    const a = scalar("axpy", "alpha", alpha, finiteNumber);
    this.update("axpy", [y], AXPY_STATE, x, "x", (p, xp, n) => (this.kernels.axpy_f32 as Kernel)(n, a, xp, p[0]));
  }

  /** y = A·x for A of shape [rows, cols] (from the tensor, or options.rows/cols). */
  gemv<T extends Input>(A: T, x: Input, options?: { rows?: number; cols?: number; out?: Input }): T {
    return this.matvec("gemv", "gemv_f32", false, A, x, options);
  }

  /** y = Aᵀ·x for A of shape [rows, cols]. */
  gemvT<T extends Input>(A: T, x: Input, options?: { rows?: number; cols?: number; out?: Input }): T {
    return this.matvec("gemvT", "gemvT_f32", true, A, x, options);
  }

  private matvec<T extends Input>(fn: string, kernel: OpName, transposed: boolean, A: T, x: Input, options: unknown): T {
    const o = checkOptions(fn, options, MATVEC);
    const rows = dimension(fn, "rows", option(fn, o, "rows"));
    const cols = dimension(fn, "cols", option(fn, o, "cols"));
    const out = option(fn, o, "out");
    return this.call(fn, () => {
      const a = this.operand(A, fn, "A");
      const [r, c] = matrixShape(fn, "A", a, rows, cols);
      const v = this.operand(x, fn, "x");
      const need = transposed ? r : c;
      if (v.length !== need) {
        throw new RangeError(`descent: ${fn}: x must have ${need} elements for A of shape [${r}, ${c}], received ${v.length}`);
      }
      const len = transposed ? c : r;
      const y = this.output(out, A, len, [len], fn);
      noAlias(fn, y.ptr, len, [a, v]);
      (this.kernels[kernel] as Kernel)(a.ptr, v.ptr, y.ptr, r, c);
      return this.finish(y) as T;
    });
  }

  /**
   * C = op(A)·op(B) (shapes from 2-D tensors or options m, k, n): op(A) is A [m, k], or with
   * transposeA Aᵀ of an A stored [k, m]; op(B) is B [k, n], or with transposeB Bᵀ of a B stored
   * [n, k]. Not both transposed at once.
   */
  matmul<T extends Input>(
    A: T, B: Input,
    options?: { m?: number; k?: number; n?: number; transposeA?: boolean; transposeB?: boolean; out?: Input },
  ): T {
    const fn = "matmul";
    const o = checkOptions(fn, options, MATMUL);
    const om = dimension(fn, "m", option(fn, o, "m"));
    const ok = dimension(fn, "k", option(fn, o, "k"));
    const on = dimension(fn, "n", option(fn, o, "n"));
    const ta = flag(fn, "transposeA", option(fn, o, "transposeA"));
    const tb = flag(fn, "transposeB", option(fn, o, "transposeB"));
    const out = option(fn, o, "out");
    if (ta && tb) {
      throw new RangeError("descent: matmul: transposeA and transposeB together are not supported; transpose one operand first");
    }
    return this.call(fn, () => {
      const a = this.operand(A, fn, "A");
      const b = this.operand(B, fn, "B");
      // A's stored shape is [m, k], or [k, m] when transposed; likewise B's.
      const [a0, a1] = matrixShape(fn, "A", a, ta ? ok : om, ta ? om : ok);
      const [m, k] = ta ? [a1, a0] : [a0, a1];
      // B's own shape when it has one (so that a mismatch is reported as such), else from k.
      const bOwn = b.shape?.length === 2;
      const [b0, b1] = matrixShape(fn, "B", b, tb ? on : bOwn ? undefined : k, tb ? (bOwn ? undefined : k) : on);
      const [k2, n] = tb ? [b1, b0] : [b0, b1];
      if (k2 !== k) {
        const what = tb ? "columns" : "rows";
        throw new RangeError(`descent: matmul: B must have ${k} ${what} to match op(A)'s columns, received ${k2}`);
      }
      // Scratch for one packed panel of B (8·k floats: the kernel allocates nothing), staged
      // before output() may make a result tensor, which a failure here would otherwise leak.
      const panel = this.stage(8 * k, fn, "panel");
      const c = this.output(out, A, m * n, [m, n], fn);
      noAlias(fn, c.ptr, m * n, [a, b]);
      (this.kernels.matmul_f32 as Kernel)(a.ptr, b.ptr, c.ptr, m, k, n, ta ? 1 : 0, tb ? 1 : 0, panel);
      return this.finish(c) as T;
    });
  }
}

export type Labels = Int32Array | Uint8Array | Uint16Array | Uint32Array | Float32Array | readonly number[];

/** @internal */
export interface Output {
  ptr: number;
  result: Input;
  copyTo: Float32Array | undefined;
}

// -------------------------------------------------------------------- validation helpers

function checkShape(fn: string, shape: unknown, length: number | undefined): number[] {
  let dims: unknown[] | undefined;
  try {
    // Read once: a getter or a Proxy runs its code here, not between the check and the use.
    if (Array.isArray(shape)) dims = Array.from(shape as unknown[]);
  } catch (err) {
    throw unreadable(fn, "shape", err);
  }
  if (dims === undefined || !dims.every((d) => typeof d === "number" && Number.isInteger(d) && d >= 0)) {
    const got = dims === undefined ? describe(shape) : `[${dims.map((d) => (typeof d === "number" ? String(d) : describe(d))).join(", ")}]`;
    throw new TypeError(`descent: ${fn}: shape must be an array of non-negative integers, received ${got}`);
  }
  const checked = dims as number[];
  const size = checked.reduce((a, b) => a * b, 1);
  if (length !== undefined && size !== length) {
    throw new RangeError(`descent: ${fn}: shape [${checked.join(", ")}] holds ${size} elements but data has ${length}`);
  }
  return checked;
}

function sameLength(fn: string, arg: string, got: number, other: string, want: number): void {
  if (got !== want) {
    throw new RangeError(`descent: ${fn}: ${arg} must have the same length as ${other} (${want}), received ${got}`);
  }
}

/** The row length of a row-wise op: options.cols, else the tensor's last dimension, else one row. */
function rowLength(fn: string, arg: string, x: Operand, cols: unknown): number {
  if (cols !== undefined && typeof cols !== "number") {
    throw new TypeError(`descent: ${fn}: cols must be a positive integer, received ${describe(cols)}`);
  }
  const c = cols ?? (x.shape !== undefined && x.shape.length > 0 ? x.shape[x.shape.length - 1] : x.length);
  // An empty input is zero rows, whatever its (possibly zero) row length.
  if (x.length === 0 && Number.isInteger(c) && c >= 0) return Math.max(c, 1);
  if (!Number.isInteger(c) || c < 1) {
    throw new RangeError(`descent: ${fn}: cols must be a positive integer, received ${c}`);
  }
  if (x.length % c !== 0) {
    throw new RangeError(`descent: ${fn}: cols = ${c} does not divide ${arg}'s length ${x.length}`);
  }
  return c;
}

/** A matrix dimension given as an option: undefined, or a non-negative integer. */
function dimension(fn: string, name: string, v: unknown): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== "number") throw new TypeError(`descent: ${fn}: ${name} must be a non-negative integer, received ${describe(v)}`);
  if (!Number.isInteger(v) || v < 0) throw new RangeError(`descent: ${fn}: ${name} must be a non-negative integer, received ${v}`);
  return v;
}

function matrixShape(fn: string, arg: string, x: Operand, rows?: number, cols?: number): [number, number] {
  let r = rows;
  let c = cols;
  if (x.shape !== undefined && x.shape.length === 2) {
    r ??= x.shape[0];
    c ??= x.shape[1];
  }
  if (r === undefined && c !== undefined && c > 0) r = x.length / c;
  if (c === undefined && r !== undefined && r > 0) c = x.length / r;
  if (r === undefined || c === undefined) {
    throw new TypeError(`descent: ${fn}: the shape of ${arg} is unknown: pass a 2-D tensor or the rows/cols options`);
  }
  if (!Number.isInteger(r) || !Number.isInteger(c) || r < 0 || c < 0 || r * c !== x.length) {
    throw new RangeError(`descent: ${fn}: ${arg} of ${x.length} elements cannot have shape [${r}, ${c}]`);
  }
  return [r, c];
}

function noAlias(fn: string, ptr: number, length: number, inputs: Operand[]): void {
  for (const x of inputs) {
    if (ptr < x.ptr + x.length * ELEMENT && x.ptr < ptr + length * ELEMENT) {
      throw new RangeError(`descent: ${fn}: out may not overlap an input (it would be overwritten while read)`);
    }
  }
}

type Check = (v: number) => string | undefined;
const finiteNumber: Check = (v) => (Number.isFinite(v) ? undefined : "a finite number");

function scalar(fn: string, name: string, v: unknown, check?: Check): number {
  if (typeof v !== "number") throw new TypeError(`descent: ${fn}: ${name} must be a number, received ${describe(v)}`);
  const why = check?.(v);
  if (why !== undefined) throw new RangeError(`descent: ${fn}: ${name} must be ${why}, received ${v}`);
  // Scalars are float32 on every backend (the WASM boundary rounds them), so all compute alike.
  return Math.fround(v);
}

/** A boolean option: undefined is false; anything but a boolean is refused (not taken for truthy). */
function flag(fn: string, name: string, v: unknown): boolean {
  if (v === undefined) return false;
  if (typeof v !== "boolean") throw new TypeError(`descent: ${fn}: ${name} must be true or false, received ${describe(v)}`);
  return v;
}

// What the updates call their state arguments in messages.
const SGD_STATE = ["weights"] as const;
const MOMENTUM_STATE = ["weights", "velocity"] as const;
const ADAM_STATE = ["weights", "m", "v"] as const;
const AXPY_STATE = ["y"] as const;

// Each call's options: the keys it knows.
const OUT: ReadonlySet<string> = new Set(["out"]);
const COLS: ReadonlySet<string> = new Set(["cols"]);
const COLS_OUT: ReadonlySet<string> = new Set(["cols", "out"]);
const SGD: ReadonlySet<string> = new Set(["lr"]);
const MOMENTUM: ReadonlySet<string> = new Set(["lr", "momentum", "nesterov"]);
const ADAM: ReadonlySet<string> = new Set(["step", "lr", "beta1", "beta2", "eps"]);
const MATVEC: ReadonlySet<string> = new Set(["rows", "cols", "out"]);
const MATMUL: ReadonlySet<string> = new Set(["m", "k", "n", "transposeA", "transposeB", "out"]);

/**
 * Checks an options argument: undefined, or an object whose keys are all known. Returns it for
 * option() to read. Walking its keys can run a Proxy's traps; what they throw names the options.
 */
function checkOptions(fn: string, options: unknown, known: ReadonlySet<string>): object | undefined {
  if (options === undefined) return undefined;
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`descent: ${fn}: options must be an object, received ${describe(options)}`);
  }
  let unknown: string | undefined;
  try {
    for (const key in options) {
      if (!known.has(key)) {
        unknown = key;
        break;
      }
    }
  } catch (err) {
    throw unreadable(fn, "options", err);
  }
  if (unknown !== undefined) {
    throw new TypeError(`descent: ${fn}: unknown option ${JSON.stringify(unknown)} (known: ${[...known].join(", ")})`);
  }
  return options;
}

/**
 * One option of checked options. Read where it is used, once per call; a getter or Proxy trap
 * that throws (which the key check cannot see: a getter may sit on the prototype) names it.
 */
function option(fn: string, options: object | undefined, key: string): unknown {
  if (options === undefined) return undefined;
  try {
    return (options as Record<string, unknown>)[key];
  } catch (err) {
    throw unreadable(fn, `options.${key}`, err);
  }
}

// -------------------------------------------------------------------- the activation API

export interface ActivationOptions {
  /** Where to write the result (may be the input itself: in place). */
  out?: Input;
  /** Row length for row-wise activations (softmax, logSoftmax). */
  cols?: number;
  /** PReLU's slope: one number, or one per feature of the last dimension. */
  slope?: number | Input;
  /** PReLU backward: where to write the slope gradient (same length as slope). */
  dslope?: Input;
  alpha?: number;
  beta?: number;
  threshold?: number;
}

export interface ActivationOp {
  readonly name: ActivationName;
  readonly spec: Activation;
  forward<T extends Input>(x: T, options?: ActivationOptions): T;
  backward<T extends Input>(x: T, dy: Input, options?: ActivationOptions): T;
}

export type Activations = { readonly [K in ActivationName]: ActivationOp };

const OPTION_KEYS: Record<Activation["kind"], readonly string[]> = {
  elementwise: ["out"],
  rowwise: ["out", "cols"],
  slope: ["out", "slope"],
};

function buildActivations(rt: Runtime): Activations {
  const ops: Record<string, ActivationOp> = {};
  for (const a of ACTIVATIONS as readonly Activation[]) {
    const k = kernelNames(a);
    // Elementwise and row-wise kernels split over the runtime's threads when large (PReLU's
    // slope indexing and slope gradient do not split: it runs on one thread).
    const fwd = a.kind === "slope" ? rt.kernels[k.forward] as Kernel
      : rt.splitKernel(k.forward, a.kind === "elementwise" ? { count: 2, pointers: [0, 1] } : { count: 2, pointers: [0, 1], width: 3 });
    const bwd = a.kind === "slope" ? rt.kernels[k.backward] as Kernel
      : rt.splitKernel(k.backward, a.kind === "elementwise" ? { count: 3, pointers: [0, 1, 2] } : { count: 3, pointers: [0, 1, 2], width: 4 });
    const bName = `${a.name}.backward`;
    const fName = `${a.name}.forward`;
    const forwardKeys = new Set([...OPTION_KEYS[a.kind], ...a.params.map((p) => p.name)]);
    // The slope's gradient is backward's alone.
    const backwardKeys = new Set([...forwardKeys, ...(a.kind === "slope" ? ["dslope"] : [])]);
    const elementwise = a.kind === "elementwise";
    /** Scalar parameter i of an elementwise activation (0 past its last), checked; both paths use it. */
    const defaults = a.params.map((p) => Math.fround(p.default));
    const param = (i: number, options: ActivationOptions | undefined, fn: string): number => {
      const p = a.params[i];
      if (p === undefined) return 0;
      const given = option(fn, options, p.name);
      // The defaults were checked when the registry was written; only given values need checks.
      return given === undefined ? defaults[i] : scalar(a.name, p.name, given, p.check);
    };
    const own = (t: unknown): t is Tensor => Tensor.is(t) && t.owner === rt;
    /**
     * PReLU's fast path: x, out, the slope (and for backward dy and dslope) all tensors of this
     * runtime, so nothing is staged. Every check runs before target() may allocate.
     */
    const slopeDirect = (x: unknown, out: unknown, slope: unknown): boolean =>
      a.kind === "slope" && own(x) && (out === undefined || own(out)) && own(slope);
    /**
     * The fast path (elementwise and row-wise): tensors of this runtime in and out, nothing to
     * stage, no closure. This is the call path
     * whose overhead over the bare kernel call the benchmarks hold to a few tens of nanoseconds.
     */
    const direct = (x: unknown, out: unknown): boolean =>
      a.kind !== "slope" && Tensor.is(x) && x.owner === rt && (out === undefined || (Tensor.is(out) && out.owner === rt));
    const target = (x: Tensor, out: unknown, fn: string): Tensor => {
      if (out === undefined) return rt.newTensor(x.length, x.shape);
      const o = out as Tensor;
      if (o.length !== x.length) throw new RangeError(`descent: ${fn}: out must have ${x.length} elements, received ${o.length}`);
      return o;
    };
    ops[a.name] = {
      name: a.name as ActivationName,
      spec: a,
      forward<T extends Input>(x: T, options?: ActivationOptions): T {
        if (rt.closed) throw rt.closedError(fName);
        let out: unknown;
        if (options !== undefined) {
          checkOptions(a.name, options, forwardKeys);
          out = option(fName, options, "out");
        }
        if (direct(x, out)) {
          const xt = x as Tensor;
          const xp = xt.ptr; // throws for a disposed tensor before anything is allocated
          if (elementwise) {
            const p0 = param(0, options, fName);
            const p1 = param(1, options, fName);
            const y = target(xt, out, fName);
            fwd(xp, y.ptr, xt.length, p0, p1);
            return y as T;
          }
          const cols = rowLength(fName, "x", xt, option(fName, options, "cols"));
          const y = target(xt, out, fName);
          fwd(xp, y.ptr, xt.length / cols, cols);
          return y as T;
        }
        const slope = a.kind === "slope" ? option(fName, options, "slope") : undefined;
        if (slopeDirect(x, out, slope)) {
          const xt = x as Tensor;
          const xs = { ptr: xt.ptr, length: xt.length, shape: xt.shape };
          const sl = slopeOperand(rt, a, xs, slope, fName);
          const y = target(xt, out, fName);
          fwd(xs.ptr, y.ptr, xs.length, sl.ptr, sl.length);
          return y as T;
        }
        return rt.call(fName, () => {
          // Every check runs before output() may create a result tensor (which is not staged).
          const xs = rt.operand(x, fName, "x");
          if (a.kind === "elementwise") {
            const p0 = param(0, options, fName);
            const p1 = param(1, options, fName);
            const o = rt.output(out, x, xs.length, xs.shape, fName);
            fwd(xs.ptr, o.ptr, xs.length, p0, p1);
            return rt.finish(o) as T;
          }
          if (a.kind === "rowwise") {
            const cols = rowLength(fName, "x", xs, option(fName, options, "cols"));
            const o = rt.output(out, x, xs.length, xs.shape, fName);
            fwd(xs.ptr, o.ptr, xs.length / cols, cols);
            return rt.finish(o) as T;
          }
          const s = slopeOperand(rt, a, xs, slope, fName);
          const o = rt.output(out, x, xs.length, xs.shape, fName);
          fwd(xs.ptr, o.ptr, xs.length, s.ptr, s.length);
          return rt.finish(o) as T;
        });
      },
      backward<T extends Input>(x: T, dy: Input, options?: ActivationOptions): T {
        if (rt.closed) throw rt.closedError(bName);
        let out: unknown;
        if (options !== undefined) {
          checkOptions(a.name, options, backwardKeys);
          out = option(bName, options, "out");
        }
        if (direct(x, out) && Tensor.is(dy) && dy.owner === rt) {
          const xt = x as Tensor;
          const xp = xt.ptr;
          const dyp = dy.ptr;
          sameLength(bName, "dy", dy.length, "x", xt.length);
          if (elementwise) {
            const p0 = param(0, options, bName);
            const p1 = param(1, options, bName);
            const dx = target(xt, out, bName);
            bwd(xp, dyp, dx.ptr, xt.length, p0, p1);
            return dx as T;
          }
          const cols = rowLength(bName, "x", xt, option(bName, options, "cols"));
          const dx = target(xt, out, bName);
          bwd(xp, dyp, dx.ptr, xt.length / cols, cols);
          return dx as T;
        }
        const slope = a.kind === "slope" ? option(bName, options, "slope") : undefined;
        const dslope = a.kind === "slope" ? option(bName, options, "dslope") : undefined;
        if (slopeDirect(x, out, slope) && own(dy) && own(dslope)) {
          const xt = x as Tensor;
          const xs = { ptr: xt.ptr, length: xt.length, shape: xt.shape };
          const g = { ptr: dy.ptr, length: dy.length, shape: dy.shape };
          sameLength(bName, "dy", g.length, "x", xs.length);
          const sl = slopeOperand(rt, a, xs, slope, bName);
          if (dslope.length !== sl.length) throw new RangeError(`descent: ${bName} (dslope): out must have ${sl.length} elements, received ${dslope.length}`);
          const outs = out === undefined ? [] : [{ ptr: (out as Tensor).ptr, length: xs.length, shape: undefined }];
          noAlias(bName, dslope.ptr, sl.length, [xs, g, sl, ...outs]);
          const dx = target(xt, out, bName);
          bwd(xs.ptr, g.ptr, dx.ptr, xs.length, sl.ptr, sl.length, dslope.ptr);
          return dx as T;
        }
        return rt.call(bName, () => {
          // Every check runs before output() may create a result tensor (which is not staged).
          const xs = rt.operand(x, bName, "x");
          const g = rt.operand(dy, bName, "dy");
          sameLength(bName, "dy", g.length, "x", xs.length);
          if (a.kind === "elementwise") {
            const p0 = param(0, options, bName);
            const p1 = param(1, options, bName);
            const o = rt.output(out, x, xs.length, xs.shape, bName);
            bwd(xs.ptr, g.ptr, o.ptr, xs.length, p0, p1);
            return rt.finish(o) as T;
          }
          if (a.kind === "rowwise") {
            const cols = rowLength(bName, "x", xs, option(bName, options, "cols"));
            const o = rt.output(out, x, xs.length, xs.shape, bName);
            bwd(xs.ptr, g.ptr, o.ptr, xs.length / cols, cols);
            return rt.finish(o) as T;
          }
          const s = slopeOperand(rt, a, xs, slope, bName);
          const d = dslope === undefined
            ? { ptr: rt.stage(s.length, bName, "dslope"), result: undefined, copyTo: undefined }
            : rt.output(dslope, undefined, s.length, undefined, `${bName} (dslope)`);
          noAlias(bName, d.ptr, s.length, [xs, g, s]);
          const o = rt.output(out, x, xs.length, xs.shape, bName);
          noAlias(bName, d.ptr, s.length, [{ ptr: o.ptr, length: xs.length, shape: undefined }]);
          bwd(xs.ptr, g.ptr, o.ptr, xs.length, s.ptr, s.length, d.ptr);
          if (d.result !== undefined) rt.finish(d as Output);
          return rt.finish(o) as T;
        });
      },
    };
  }
  return ops as Activations;
}

/** PReLU's slope as an operand of length 1 (shared) or of the input's last dimension. */
function slopeOperand(rt: Runtime, a: Activation, x: Operand, slope: unknown, fn: string): Operand {
  const value = slope === undefined ? (a.kind === "slope" ? a.defaultSlope : 0.25) : slope;
  if (typeof value === "number") {
    scalar(fn, "slope", value, finiteNumber);
    const ptr = rt.stage(1, fn, "slope");
    rt.heap.f32[ptr / ELEMENT] = value;
    return { ptr, length: 1, shape: [1] };
  }
  const s = rt.operand(value, fn, "slope");
  if (s.length === 1) return s;
  const last = x.shape !== undefined && x.shape.length > 0 ? x.shape[x.shape.length - 1] : undefined;
  if (s.length === 0 || (last !== undefined ? s.length !== last : x.length % s.length !== 0)) {
    const expected = last !== undefined ? `1 or x's last dimension (${last})` : `1 or a divisor of x's length (${x.length})`;
    throw new RangeError(`descent: ${fn}: slope must have ${expected} values, received ${s.length}`);
  }
  return s;
}

// -------------------------------------------------------------------- creating runtimes

function jsKernels(heap: Heap): Kernels {
  const k: Record<string, Kernel> = {};
  for (const a of ACTIVATIONS as readonly Activation[]) {
    const names = kernelNames(a);
    if (a.kind === "elementwise") {
      const js = a.js;
      k[names.forward] = (x, y, n, ...p) => js.forward(heap.f32, x >> 2, y >> 2, n, p);
      k[names.backward] = (x, dy, dx, n, ...p) => js.backward(heap.f32, x >> 2, dy >> 2, dx >> 2, n, p);
    } else if (a.kind === "rowwise") {
      const js = a.js;
      k[names.forward] = (x, y, rows, cols) => js.forward(heap.f32, x >> 2, y >> 2, rows, cols);
      k[names.backward] = (x, dy, dx, rows, cols) => js.backward(heap.f32, x >> 2, dy >> 2, dx >> 2, rows, cols);
    } else {
      const js = a.js;
      k[names.forward] = (x, y, n, s, cols) => js.forward(heap.f32, x >> 2, y >> 2, n, s >> 2, cols);
      k[names.backward] = (x, dy, dx, n, s, cols, ds) =>
        js.backward(heap.f32, x >> 2, dy >> 2, dx >> 2, n, s >> 2, cols, ds >> 2);
    }
  }
  for (const name of OP_NAMES) {
    const op = OPS_JS[name] as unknown as (h: Heap, ...args: number[]) => number | void;
    k[name] = (...args) => op(heap, ...args);
  }
  return Object.freeze(k);
}

function maxPagesOf(options: RuntimeOptions | undefined): number {
  const bytes = options?.maxMemory;
  if (bytes === undefined) return MAX_PAGES;
  if (typeof bytes !== "number" || !(bytes >= PAGE)) {
    throw new RangeError(`descent: createRuntime: maxMemory must be a number of bytes >= ${PAGE}, received ${describe(bytes)}`);
  }
  return Math.min(MAX_PAGES, Math.floor(bytes / PAGE));
}

/** The best backend this platform can run. */
export function bestBackend(): Backend {
  if (!hasWebAssembly()) return "js";
  return hasRelaxedSimd() ? "wasm-relaxed" : hasSimd() ? "wasm-simd" : "wasm";
}

/** Every backend this platform can run, best first. */
export function availableBackends(): Backend[] {
  const best = BACKENDS.indexOf(bestBackend());
  // Each build runs wherever a better one does, except the scalar build without WebAssembly.
  return BACKENDS.slice(best);
}

function resolveBackend(options: RuntimeOptions | undefined): Backend {
  const requested = options?.backend ?? "auto";
  if (requested === "auto") return bestBackend();
  if (!BACKENDS.includes(requested)) {
    throw new TypeError(`descent: backend must be one of "auto", ${BACKENDS.map((b) => `"${b}"`).join(", ")}; received ${describe(requested)}`);
  }
  if (requested !== "js" && !hasWebAssembly()) {
    throw new TypeError(`descent: backend "${requested}" needs WebAssembly, which this platform lacks; use "js"`);
  }
  if (requested === "wasm-simd" && !hasSimd()) {
    throw new TypeError(`descent: backend "wasm-simd" needs WebAssembly SIMD, which this platform lacks; use "wasm"`);
  }
  if (requested === "wasm-relaxed" && !hasRelaxedSimd()) {
    throw new TypeError(
      `descent: backend "wasm-relaxed" needs WebAssembly relaxed SIMD, which this platform lacks (Node 20 has it behind --experimental-wasm-relaxed-simd); use "wasm-simd"`,
    );
  }
  return requested;
}

const FLAVOR: Record<Exclude<Backend, "js">, WasmFlavor> = { "wasm-relaxed": "relaxed", "wasm-simd": "simd", wasm: "scalar" };

function assemble(backend: Backend, module: WebAssembly.Module | undefined, maxPages: number, shared = false): Runtime {
  if (backend === "js" || module === undefined) {
    const heap = new Heap(new ArrayMemory(1), 16, maxPages);
    return new Runtime("js", jsKernels(heap), heap);
  }
  const memory = new WebAssembly.Memory({ initial: 1, maximum: maxPages, shared });
  const exports = instantiate(module, memory);
  const heap = new Heap(memory, exports.heapBase(), maxPages);
  return new Runtime(backend, exports as unknown as Kernels, heap);
}

function threadsOf(options: RuntimeOptions | undefined): number {
  const t = options?.threads;
  if (t === undefined) return 1;
  if (t === "auto") {
    const g = globalThis as { navigator?: { hardwareConcurrency?: number } };
    return Math.max(1, g.navigator?.hardwareConcurrency ?? nodeCores ?? 1);
  }
  if (typeof t !== "number" || !Number.isInteger(t) || t < 1 || t > 256) {
    throw new RangeError(`descent: createRuntime: threads must be "auto" or an integer from 1 to 256, received ${describe(t)}`);
  }
  return t;
}

/** Logical cores in Node (set by createRuntime; Node 20 has no navigator.hardwareConcurrency). */
let nodeCores: number | undefined;

const warned = new Set<string>();

function warnOnce(message: string): void {
  if (warned.has(message)) return;
  warned.add(message);
  console.warn(message);
}

/** @internal Says once per reason why a runtime asked for threads runs single-threaded. */
export function singleThreaded(why: string): void {
  warnOnce(`descent: running single-threaded: ${why}`);
}

/** A new, independent runtime with its own memory. */
export async function createRuntime(options?: RuntimeOptions): Promise<Runtime> {
  const { runtime, singleThreaded: why } = await openRuntime(options);
  if (why !== undefined) singleThreaded(why);
  return runtime;
}

/**
 * @internal createRuntime, and why it runs single-threaded when threads were asked for and cannot
 * run here, for the caller to say: trainInWorker's worker tells the page, which says it once
 * however many workers it starts.
 */
export async function openRuntime(options?: RuntimeOptions): Promise<{ runtime: Runtime; singleThreaded?: string }> {
  const backend = resolveBackend(options);
  const maxPages = maxPagesOf(options);
  if (options?.threads === "auto" && nodeCores === undefined && isNode()) {
    const specifier = "node:os";
    nodeCores = ((await import(/* @vite-ignore */ specifier)) as { availableParallelism(): number }).availableParallelism();
  }
  const threads = threadsOf(options);
  let why: string | undefined;
  if (threads > 1) {
    why = backend !== "wasm-simd" && backend !== "wasm-relaxed" ? `threads need a SIMD backend (wasm-relaxed or wasm-simd), and this runtime is ${backend}`
      : threadsUnavailable();
    if (why === undefined) {
      const module = await compile(FLAVOR[backend as "wasm-simd" | "wasm-relaxed"], true);
      const rt = assemble(backend, module, maxPages, true);
      const kernels = WebAssembly.Module.exports(module).filter((e) => e.kind === "function").map((e) => e.name);
      const pool = await ThreadPool.create(threads - 1, module, rt.heap.memory as WebAssembly.Memory, kernels);
      return { runtime: new Runtime(backend, rt.kernels, rt.heap, pool) };
    }
  }
  return { runtime: await singleRuntime(backend, maxPages, options), ...(why !== undefined ? { singleThreaded: why } : {}) };
}

async function singleRuntime(backend: Backend, maxPages: number, options: RuntimeOptions | undefined): Promise<Runtime> {
  let module: WebAssembly.Module | undefined;
  if (backend !== "js") {
    try {
      module = await compile(FLAVOR[backend]);
    } catch (err) {
      // A page whose Content-Security-Policy lacks 'wasm-unsafe-eval' refuses to compile any
      // WASM. Asked for the best backend, the best that works there is js; asked for a WASM one
      // by name, that is an error.
      if ((options?.backend ?? "auto") !== "auto") throw err;
      warnOnce(`descent: WebAssembly cannot be compiled here (${(err as Error).message}); using the js backend. A Content-Security-Policy needs script-src 'wasm-unsafe-eval' for WASM.`);
      return assemble("js", undefined, maxPages);
    }
  }
  return assemble(backend, module, maxPages);
}

function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === "string";
}

/** Synchronous createRuntime (where the platform allows compiling WASM synchronously). */
export function createRuntimeSync(options?: RuntimeOptions): Runtime {
  if (threadsOf(options) > 1) {
    throw new TypeError("descent: createRuntimeSync: threads start asynchronously: use `await createRuntime({ threads })` or `await init({ threads })`");
  }
  const backend = resolveBackend(options);
  const maxPages = maxPagesOf(options);
  const module = backend === "js" ? undefined : compileSync(FLAVOR[backend]);
  return assemble(backend, module, maxPages);
}
