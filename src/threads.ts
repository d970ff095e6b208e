// Worker threads that run kernels on a runtime's shared WebAssembly.Memory: Node's worker_threads,
// or Web Workers in a browser (a cross-origin isolated page's dedicated worker). Each worker
// instantiates the same compiled module over the same memory and waits on a small shared control
// block; a parallel call writes one task (kernel and arguments) per worker, wakes them, runs its
// own share on the calling thread, and waits until every worker has finished. Synchronous on
// purpose: the training loops call kernels synchronously, and Atomics.wait is allowed in Node's
// main thread and in every worker (a browser's main thread, where it is not, trains through a
// worker).
//
// What each thread computes, and how partial results are combined, is decided by the caller from
// the thread count alone (fixed partitions, fixed reduction order), so results never depend on
// scheduling, nor on whether the threads are Node's or a browser's.
//
// A pool that cannot finish a call never waits for it in vain: a closed pool refuses at once; a
// worker that ends says so in its control words before it goes (an uncaught error or
// process.exit() in it, or in a browser an error that escapes its loop), which wakes a caller
// waiting on it; and one that ended where it could not say so is reported by its exit or error
// event, so the next call refuses at once. The timeout is only for a worker that is alive and
// silent.

/**
 * Control words per worker (Int32): request sequence, done sequence, (unused), the length of its
 * program in words, status (0 ok, 1 a kernel threw), gone (set when the worker's thread ends or
 * its loop fails), the length of its last error's text.
 */
const WORDS = 8;
const REQUEST = 0, DONE = 1, ARGC = 3, STATUS = 4, GONE = 5, TEXT = 6;
/**
 * A worker's program area (Float64 words): the calls it runs in order, each as kernel index,
 * argument count, result kind (0 none, 1 store as f32, 2 as f64), result address, arguments.
 */
const PROGRAM_WORDS = 8192;
const CALL_HEADER = 4;
/**
 * A worker's last error (UTF-16 code units), in shared memory: the caller is blocked while the
 * worker fails, so a message event would arrive only after the error it explains was thrown.
 */
const TEXT_UNITS = 1024;
/** A worker that has not answered for this long is considered lost. */
const TIMEOUT_MS = 60_000;
/** How often a waiting caller looks at the clock. */
const SLICE_MS = 100;
/** Polls of a control word before sleeping on it (tens of microseconds; see bench/threads.ts). */
const SPIN = 20_000;

/**
 * What every worker runs once it has its data (module, memory, control, args, text, index,
 * kernels) and has made `ctl` and `base`: instantiate, say "ready" through `ready()`, then loop.
 * Plain JavaScript, the same in Node's worker threads and in browsers' Web Workers.
 */
const WORKER_BODY = `
const instance = new WebAssembly.Instance(module, { env: { memory, abort() { throw new Error("descent: WASM kernel aborted"); } } });
const fns = kernels.map((k) => instance.exports[k]);
const arg = new Float64Array(args);
const abase = index * ${PROGRAM_WORDS};
// Arguments passed one by one: a spread of a typed array goes through its iterator, a cost per
// call that a program of many small kernel calls pays many times.
const call = (f, q, n) => {
  switch (n) {
    case 3: return f(arg[q], arg[q + 1], arg[q + 2]);
    case 4: return f(arg[q], arg[q + 1], arg[q + 2], arg[q + 3]);
    case 5: return f(arg[q], arg[q + 1], arg[q + 2], arg[q + 3], arg[q + 4]);
    case 6: return f(arg[q], arg[q + 1], arg[q + 2], arg[q + 3], arg[q + 4], arg[q + 5]);
    case 7: return f(arg[q], arg[q + 1], arg[q + 2], arg[q + 3], arg[q + 4], arg[q + 5], arg[q + 6]);
    case 8: return f(arg[q], arg[q + 1], arg[q + 2], arg[q + 3], arg[q + 4], arg[q + 5], arg[q + 6], arg[q + 7]);
    case 9: return f(arg[q], arg[q + 1], arg[q + 2], arg[q + 3], arg[q + 4], arg[q + 5], arg[q + 6], arg[q + 7], arg[q + 8]);
    default: return f(...arg.subarray(q, q + n));
  }
};
const say = new Uint16Array(text);
const tbase = index * ${TEXT_UNITS};
let f32 = new Float32Array(memory.buffer);
let f64 = new Float64Array(memory.buffer);
ready();
let seen = 0;
for (;;) {
  // A short spin first: a kernel call that follows soon after the last (every layer of a training
  // step) finds the worker awake, which Atomics.wait's wake-up would cost tens of microseconds.
  for (let i = 0; i < ${SPIN} && Atomics.load(ctl, base + ${REQUEST}) === seen; i++);
  Atomics.wait(ctl, base + ${REQUEST}, seen);
  const seq = Atomics.load(ctl, base + ${REQUEST});
  if (seq < 0) break;
  if (seq === seen) continue;
  seen = seq;
  const end = abase + ctl[base + ${ARGC}];
  try {
    for (let p = abase; p < end;) {
      const argc = arg[p + 1];
      const result = call(fns[arg[p]], p + ${CALL_HEADER}, argc);
      const kind = arg[p + 2];
      if (kind !== 0) {
        // The memory may have grown since the views were made (by another thread's allocation).
        if (f64.buffer.byteLength !== memory.buffer.byteLength) {
          f32 = new Float32Array(memory.buffer);
          f64 = new Float64Array(memory.buffer);
        }
        if (kind === 1) f32[arg[p + 3] / 4] = result;
        else f64[arg[p + 3] / 8] = result;
      }
      p += ${CALL_HEADER} + argc;
    }
    ctl[base + ${STATUS}] = 0;
  } catch (err) {
    let message;
    try {
      message = String(err && err.stack || err);
    } catch {
      message = "an error that cannot be described";
    }
    const n = Math.min(message.length, ${TEXT_UNITS});
    for (let i = 0; i < n; i++) say[tbase + i] = message.charCodeAt(i);
    ctl[base + ${TEXT}] = n;
    ctl[base + ${STATUS}] = 1;
  }
  Atomics.store(ctl, base + ${DONE}, seq);
  Atomics.notify(ctl, base + ${DONE});
}
`;

/**
 * The Node worker's whole program, as source text: it needs nothing but its workerData, so it runs
 * from a string (no file to locate, under tsx or from dist/ alike).
 */
const NODE_WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const { module, memory, control, args, text, index, kernels } = workerData;
const ctl = new Int32Array(control);
const base = index * ${WORDS};
// Whatever ends this thread (an uncaught error, process.exit), a caller waiting on it hears at once.
process.on("exit", () => {
  Atomics.store(ctl, base + ${GONE}, 1);
  Atomics.notify(ctl, base + ${DONE});
});
const ready = () => parentPort.postMessage("ready");
${WORKER_BODY}`;

/**
 * A browser worker's program (a classic Web Worker started from a blob: URL of this text): its
 * data comes in the first message, since a worker has no workerData; from then on it never
 * returns to its event loop, so terminate() is what ends it.
 */
const WEB_WORKER_SOURCE = `// descent: a thread of a runtime's pool
self.onmessageerror = () => postMessage("descent: the thread could not receive the runtime's module and shared memory");
self.onmessage = (event) => {
  self.onmessage = null;
  const { module, memory, control, args, text, index, kernels } = event.data;
  const ctl = new Int32Array(control);
  const base = index * ${WORDS};
  // A browser reports no worker's end to a caller blocked in Atomics.wait; an error that escapes
  // the loop (which leaves this worker idle for good) is said here, in the control words.
  self.addEventListener("error", () => {
    Atomics.store(ctl, base + ${GONE}, 1);
    Atomics.notify(ctl, base + ${DONE});
  });
  const ready = () => postMessage("ready");
  ${WORKER_BODY}
};
`;

/** One kernel call of a thread's program; `result` stores its return value in memory. */
export interface Call {
  readonly kernel: string;
  readonly args: readonly number[];
  readonly result?: { readonly ptr: number; readonly type: "f32" | "f64" };
}

/** A started worker, Node's or the browser's, as the pool needs it. */
interface PoolWorker {
  /** Calls `lost` (on the event loop) when the worker fails or ends, with why. */
  watch(lost: (why: string) => void): void;
  terminate(): Promise<unknown>;
}

/** What every worker is given: the module, the memory and the pool's shared blocks. */
interface WorkerData {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  control: SharedArrayBuffer;
  args: SharedArrayBuffer;
  text: SharedArrayBuffer;
  kernels: readonly string[];
}

function isNode(): boolean {
  return typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === "string";
}

interface NodeWorker {
  on(event: string, listener: (value: unknown) => void): void;
  once(event: string, listener: (value: unknown) => void): void;
  unref(): void;
  terminate(): Promise<number>;
}

/** Starts one worker per index in Node's worker_threads, each when the one before is ready. */
async function startNode(size: number, data: WorkerData, started: PoolWorker[]): Promise<void> {
  const specifier = "node:worker_threads";
  const { Worker } = (await import(/* @vite-ignore */ specifier)) as { Worker: new (src: string, o: object) => NodeWorker };
  for (let index = 0; index < size; index++) {
    const w = new Worker(NODE_WORKER_SOURCE, { eval: true, workerData: { ...data, index } });
    started.push({
      // Delivered on the event loop: for a worker that ended without a word in the control block
      // (terminated), and, with its code or error, for one that did say so.
      watch: (lost) => {
        w.on("error", (err) => lost(`failed (${(err as Error)?.message ?? String(err)})`));
        w.on("exit", (code) => lost(`exited (code ${String(code)})`));
      },
      terminate: () => w.terminate(),
    });
    await new Promise<void>((resolve, reject) => {
      w.once("message", () => resolve());
      w.once("error", (err) => reject(err));
    });
    // Idle workers must not keep the process alive.
    w.unref();
  }
}

/**
 * Starts one Web Worker per index from a blob: URL of the worker's source, all at once (a
 * browser starts each in tens of milliseconds, and "auto" may ask for many).
 */
async function startWeb(size: number, data: WorkerData, started: PoolWorker[]): Promise<void> {
  if (typeof Worker !== "function") throw new Error("this platform has no Worker");
  const url = URL.createObjectURL(new Blob([WEB_WORKER_SOURCE], { type: "text/javascript" }));
  try {
    const ready: Promise<void>[] = [];
    for (let index = 0; index < size; index++) {
      const w = new Worker(url, { name: `descent-thread-${index + 1}` });
      started.push({
        watch: (lost) => w.addEventListener("error", (e: ErrorEvent) => {
          // Handled here: the pool refuses from now on, and the error goes no further up.
          e.preventDefault();
          lost(`failed (${e.message || "an error in the worker"})`);
        }),
        terminate: () => {
          w.terminate();
          return Promise.resolve();
        },
      });
      ready.push(new Promise<void>((resolve, reject) => {
        w.onmessage = (e: MessageEvent) => {
          w.onmessage = null;
          w.onerror = null;
          if (e.data === "ready") resolve();
          else reject(new Error(String(e.data)));
        };
        w.onerror = (e: ErrorEvent) => {
          e.preventDefault();
          reject(new Error(e.message || "the worker failed to start (a Content-Security-Policy without worker-src blob:?)"));
        };
        w.postMessage({ ...data, index });
      }));
    }
    await Promise.all(ready);
  } finally {
    URL.revokeObjectURL(url);
  }
}

export class ThreadPool {
  /** Worker threads (the calling thread makes one more). */
  readonly size: number;
  /** @internal What the pool's errors call the runtime it belongs to (set by the runtime). */
  label: string;
  readonly #kernels: readonly string[];
  readonly #index: Map<string, number>;
  readonly #ctl: Int32Array;
  readonly #args: Float64Array;
  readonly #text: Uint16Array;
  readonly #workers: PoolWorker[];
  #seq = 0;
  /** Why the pool can run nothing more (a worker ended or stopped answering), once it cannot. */
  #lost: string | undefined;
  #closing: Promise<void> | undefined;

  private constructor(workers: PoolWorker[], kernels: readonly string[], data: WorkerData) {
    this.size = workers.length;
    this.label = `runtime with ${workers.length + 1} threads`;
    this.#workers = workers;
    this.#kernels = kernels;
    this.#index = new Map(kernels.map((k, i) => [k, i]));
    this.#ctl = new Int32Array(data.control);
    this.#args = new Float64Array(data.args);
    this.#text = new Uint16Array(data.text);
    workers.forEach((w, i) => w.watch((why) => this.#lose(i, why)));
  }

  /**
   * Starts `size` workers over the module and shared memory: Node's worker_threads in Node, Web
   * Workers elsewhere (a browser's dedicated worker on a cross-origin isolated page).
   */
  static async create(size: number, module: WebAssembly.Module, memory: WebAssembly.Memory, kernels: readonly string[]): Promise<ThreadPool> {
    const data: WorkerData = {
      module, memory, kernels,
      control: new SharedArrayBuffer(size * WORDS * 4),
      args: new SharedArrayBuffer(size * PROGRAM_WORDS * 8),
      text: new SharedArrayBuffer(size * TEXT_UNITS * 2),
    };
    const workers: PoolWorker[] = [];
    try {
      await (isNode() ? startNode : startWeb)(size, data, workers);
    } catch (err) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw new Error(`descent: could not start worker threads: ${(err as Error)?.message ?? String(err)}`);
    }
    return new ThreadPool(workers, kernels, data);
  }

  /**
   * Runs kernel(tasks[0]) on this thread and kernel(tasks[i]) on worker i − 1, concurrently,
   * and returns when all are done. tasks.length ≤ size + 1. A pool that is closed, or that has
   * lost a worker, refuses before anything runs.
   */
  run(kernel: string, tasks: readonly (readonly number[])[], local: (args: readonly number[]) => void): void {
    this.runPrograms(kernel, tasks.map((args) => [{ kernel, args }]), (calls) => local(calls[0].args));
  }

  /**
   * Runs programs[0] on this thread (through `local`) and programs[i] on worker i − 1: each a
   * list of kernel calls made in order, a call's result stored where it says (so that a thread
   * can run a whole training step's sequence in one wake-up). `what` names the work in errors.
   */
  runPrograms(what: string, programs: readonly (readonly Call[])[], local: (calls: readonly Call[]) => void): void {
    if (this.#closing !== undefined) {
      throw new TypeError(`descent: ${what}: the runtime was closed (the ${this.label}); its worker threads are stopped`);
    }
    if (programs.length - 1 > this.size) throw new Error(`descent: internal error: ${programs.length} programs for ${this.size + 1} threads`);
    const ctl = this.#ctl;
    for (let t = 1; t < programs.length; t++) {
      if (Atomics.load(ctl, (t - 1) * WORDS + GONE) !== 0) this.#lost ??= `worker thread ${t} exited`;
    }
    if (this.#lost !== undefined) throw this.#lostError(what);
    // Encoded before any worker is woken: a program that does not fit wakes none.
    const encoded = programs.slice(1).map((calls) => this.#encode(what, calls));
    const seq = ++this.#seq;
    for (let t = 1; t < programs.length; t++) {
      const base = (t - 1) * WORDS;
      const words = encoded[t - 1];
      this.#args.set(words, (t - 1) * PROGRAM_WORDS);
      ctl[base + ARGC] = words.length;
      Atomics.store(ctl, base + REQUEST, seq);
      Atomics.notify(ctl, base + REQUEST);
    }
    // Every worker that was started is waited for, even after this thread's share or another
    // worker failed: the caller frees the buffers they write into once this returns or throws.
    let failure: unknown;
    try {
      local(programs[0]);
    } catch (err) {
      failure = err;
    }
    for (let t = 1; t < programs.length; t++) {
      const why = this.#await(t, seq);
      if (why !== undefined) this.#lost ??= `worker thread ${t} ${why}`;
      if (failure !== undefined) continue;
      if (why !== undefined) failure = this.#lostError(what);
      else if (ctl[(t - 1) * WORDS + STATUS] !== 0) {
        const n = ctl[(t - 1) * WORDS + TEXT];
        const text = String.fromCharCode(...this.#text.slice((t - 1) * TEXT_UNITS, (t - 1) * TEXT_UNITS + n));
        failure = new Error(`descent: ${what} failed in worker thread ${t}${text ? `: ${text}` : ""}`);
      }
    }
    if (failure !== undefined) throw failure;
  }

  #encode(what: string, calls: readonly Call[]): number[] {
    const words: number[] = [];
    for (const c of calls) {
      const k = this.#index.get(c.kernel);
      if (k === undefined) throw new Error(`descent: internal error: no kernel ${c.kernel} in the thread pool`);
      words.push(k, c.args.length, c.result === undefined ? 0 : c.result.type === "f32" ? 1 : 2, c.result?.ptr ?? 0, ...c.args);
    }
    if (words.length > PROGRAM_WORDS) throw new Error(`descent: internal error: ${what}'s program of ${words.length} words exceeds ${PROGRAM_WORDS}`);
    return words;
  }

  /** Waits for worker `t` to finish call `seq`: undefined when it did, else why it never will. */
  #await(t: number, seq: number): string | undefined {
    const ctl = this.#ctl;
    const base = (t - 1) * WORDS;
    for (let i = 0; i < SPIN && Atomics.load(ctl, base + DONE) !== seq; i++);
    const started = Date.now();
    for (;;) {
      const done = Atomics.load(ctl, base + DONE);
      if (done === seq) return undefined;
      if (Atomics.load(ctl, base + GONE) !== 0) return "exited while running it";
      if (Date.now() - started > TIMEOUT_MS) {
        // It may still be running: stop it, so that it writes nothing into memory freed after this.
        void this.#workers[t - 1].terminate();
        return `did not answer within ${TIMEOUT_MS / 1000} s`;
      }
      Atomics.wait(ctl, base + DONE, done, SLICE_MS);
    }
  }

  #lose(index: number, why: string): void {
    if (this.#closing !== undefined) return;
    this.#lost ??= `worker thread ${index + 1} ${why}`;
    Atomics.store(this.#ctl, index * WORDS + GONE, 1);
  }

  #lostError(kernel: string): Error {
    return new Error(`descent: ${kernel}: ${this.#lost}; the ${this.label} cannot run on its worker threads any more: close it and create another`);
  }

  /**
   * Stops the workers; calls from then on refuse at once. No call can be running on this thread
   * while close() runs (run() is synchronous), so a worker is at most finishing a share whose
   * caller already gave up on it: terminate() interrupts that too. Closing twice is harmless.
   */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      for (let t = 0; t < this.size; t++) {
        Atomics.store(this.#ctl, t * WORDS + REQUEST, -1);
        Atomics.notify(this.#ctl, t * WORDS + REQUEST);
      }
      await Promise.all(this.#workers.map((w) => w.terminate()));
    })();
    return this.#closing;
  }

  /** The kernels a pool can run (every export of the module). */
  get kernels(): readonly string[] {
    return this.#kernels;
  }
}
