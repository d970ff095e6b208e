// Worker threads that run kernels on a runtime's shared WebAssembly.Memory. Each worker
// instantiates the same compiled module over the same memory and waits on a small shared control
// block; a parallel call writes one task (kernel and arguments) per worker, wakes them, runs its
// own share on the calling thread, and waits until every worker has finished. Synchronous on
// purpose: the training loops call kernels synchronously, and Atomics.wait is allowed in Node's
// main thread and in every worker (a browser's main thread trains through a worker).
//
// What each thread computes, and how partial results are combined, is decided by the caller from
// the thread count alone (fixed partitions, fixed reduction order), so results never depend on
// scheduling.

/** Control words per worker (Int32): request sequence, done sequence, kernel index, argument count, status. */
const WORDS = 8;
/** Arguments per task at most (Float64). */
const MAX_ARGS = 16;
/** A worker that has not answered for this long is considered lost. */
const TIMEOUT_MS = 60_000;

/**
 * The worker's whole program, as source text: it needs nothing but its workerData, so it runs
 * from a string (no file to locate, under tsx or from dist/ alike).
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const { module, memory, control, args, index, kernels } = workerData;
const instance = new WebAssembly.Instance(module, { env: { memory, abort() { throw new Error("descent: WASM kernel aborted"); } } });
const fns = kernels.map((k) => instance.exports[k]);
const ctl = new Int32Array(control);
const arg = new Float64Array(args);
const base = index * ${WORDS};
const abase = index * ${MAX_ARGS};
parentPort.postMessage("ready");
let seen = 0;
for (;;) {
  Atomics.wait(ctl, base, seen);
  const seq = Atomics.load(ctl, base);
  if (seq < 0) break;
  if (seq === seen) continue;
  seen = seq;
  const n = ctl[base + 3];
  try {
    const a = Array.from(arg.subarray(abase, abase + n));
    fns[ctl[base + 2]](...a);
    ctl[base + 4] = 0;
  } catch (err) {
    ctl[base + 4] = 1;
    parentPort.postMessage(String(err && err.stack || err));
  }
  Atomics.store(ctl, base + 1, seq);
  Atomics.notify(ctl, base + 1);
}
`;

interface NodeWorker {
  on(event: string, listener: (value: unknown) => void): void;
  once(event: string, listener: (value: unknown) => void): void;
  unref(): void;
  terminate(): Promise<number>;
}

export class ThreadPool {
  /** Worker threads (the calling thread makes one more). */
  readonly size: number;
  readonly #kernels: readonly string[];
  readonly #index: Map<string, number>;
  readonly #ctl: Int32Array;
  readonly #args: Float64Array;
  readonly #workers: NodeWorker[];
  #seq = 0;
  #lastError: string | undefined;

  private constructor(workers: NodeWorker[], kernels: readonly string[], ctl: Int32Array, args: Float64Array) {
    this.size = workers.length;
    this.#workers = workers;
    this.#kernels = kernels;
    this.#index = new Map(kernels.map((k, i) => [k, i]));
    this.#ctl = ctl;
    this.#args = args;
    for (const w of workers) {
      w.on("message", (m) => {
        if (m !== "ready") this.#lastError = String(m);
      });
    }
  }

  /** Starts `size` workers over the module and shared memory (Node's worker_threads). */
  static async create(size: number, module: WebAssembly.Module, memory: WebAssembly.Memory, kernels: readonly string[]): Promise<ThreadPool> {
    const specifier = "node:worker_threads";
    const { Worker } = (await import(/* @vite-ignore */ specifier)) as { Worker: new (src: string, o: object) => NodeWorker };
    const control = new SharedArrayBuffer(size * WORDS * 4);
    const args = new SharedArrayBuffer(size * MAX_ARGS * 8);
    const workers: NodeWorker[] = [];
    try {
      for (let index = 0; index < size; index++) {
        const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { module, memory, control, args, index, kernels } });
        workers.push(w);
        await new Promise<void>((resolve, reject) => {
          w.once("message", () => resolve());
          w.once("error", (err) => reject(err));
        });
        // Idle workers must not keep the process alive.
        w.unref();
      }
    } catch (err) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw new Error(`descent: could not start worker threads: ${(err as Error).message}`);
    }
    return new ThreadPool(workers, kernels, new Int32Array(control), new Float64Array(args));
  }

  /**
   * Runs kernel(tasks[0]) on this thread and kernel(tasks[i]) on worker i − 1, concurrently,
   * and returns when all are done. tasks.length ≤ size + 1.
   */
  run(kernel: string, tasks: readonly (readonly number[])[], local: (args: readonly number[]) => void): void {
    const k = this.#index.get(kernel);
    if (k === undefined) throw new Error(`descent: internal error: no kernel ${kernel} in the thread pool`);
    if (tasks.length - 1 > this.size) throw new Error(`descent: internal error: ${tasks.length} tasks for ${this.size + 1} threads`);
    const seq = ++this.#seq;
    const ctl = this.#ctl;
    for (let t = 1; t < tasks.length; t++) {
      const base = (t - 1) * WORDS;
      const a = tasks[t];
      this.#args.set(a, (t - 1) * MAX_ARGS);
      ctl[base + 2] = k;
      ctl[base + 3] = a.length;
      Atomics.store(ctl, base, seq);
      Atomics.notify(ctl, base);
    }
    local(tasks[0]);
    for (let t = 1; t < tasks.length; t++) {
      const base = (t - 1) * WORDS;
      const started = Date.now();
      while (Atomics.load(ctl, base + 1) !== seq) {
        Atomics.wait(ctl, base + 1, Atomics.load(ctl, base + 1), 1000);
        if (Date.now() - started > TIMEOUT_MS) throw new Error(`descent: worker thread ${t} did not answer within ${TIMEOUT_MS / 1000} s`);
      }
      if (ctl[base + 4] !== 0) {
        throw new Error(`descent: ${kernel} failed in worker thread ${t}${this.#lastError ? `: ${this.#lastError}` : ""}`);
      }
    }
  }

  /** Stops the workers. */
  async close(): Promise<void> {
    for (let t = 0; t < this.size; t++) {
      Atomics.store(this.#ctl, t * WORDS, -1);
      Atomics.notify(this.#ctl, t * WORDS);
    }
    await Promise.all(this.#workers.map((w) => w.terminate()));
  }

  /** The kernels a pool can run (every export of the module). */
  get kernels(): readonly string[] {
    return this.#kernels;
  }
}
