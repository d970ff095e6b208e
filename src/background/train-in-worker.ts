// trainInWorker: fit any model in a worker (a module Web Worker in browsers, a worker thread in
// Node) so that the page or program stays responsive, with progress per epoch, stop and
// cancellation; the trained weights come back into the model it was given. The worker's code is
// the library itself, bundled into a string at build time, so nothing has to be served or found.
import { toMatrix, type MatrixLike } from "../data/index.ts";
import { FIT_KEYS, checkKeys, describe, type FitOptions, type Targets } from "../models/common.ts";
import type { Model } from "../models/model.ts";
import { singleThreaded, type Backend } from "../runtime.ts";
import type { FromWorker, ToWorker } from "./protocol.ts";

/** trainInWorker's options: fit's, and how the worker runs; Y is the model's kind of targets. */
export interface WorkerFitOptions<Y = Targets> extends FitOptions<Y> {
  /**
   * Threads for the worker's runtime (shared memory; default 1): in Node, worker threads; in a
   * browser, Web Workers started by the training worker, on a cross-origin isolated page only.
   * Where they cannot run, it trains on one thread and says why once on the console (and to
   * onStart).
   */
  threads?: number | "auto";
  /**
   * Called once the worker's runtime is ready, before the first epoch: its backend, the threads
   * it trains on, and why it runs single-threaded when more were asked for and cannot run.
   */
  onStart?: (worker: { readonly backend: Backend; readonly threads: number; readonly singleThreaded?: string }) => void;
  /**
   * Bring the worker's current weights into the model at most this often (ms), before the
   * onEpoch call they come with, so that the page can draw what the model predicts while it
   * trains. Default: only at the end.
   */
  updateEvery?: number;
}

/** What a model's fit takes as y. */
type TargetsOf<M extends Model> = Parameters<M["fit"]>[1];

/** The two kinds of worker behind one small interface. */
interface Channel {
  post(message: ToWorker): void;
  onMessage(handler: (message: FromWorker) => void): void;
  onError(handler: (error: Error) => void): void;
  terminate(): void;
}

function isNode(): boolean {
  return typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === "string";
}

async function spawn(): Promise<Channel> {
  // Loaded on first use: the worker's program is the library again (about 350 KiB), which pages
  // that never train in a worker should not pay for. The browser build emits it as its own chunk.
  const { workerSource } = await import("../generated/worker-source.ts");
  if (isNode()) {
    const specifier = "node:worker_threads";
    type NodeWorker = { postMessage(m: unknown): void; on(e: string, h: (v: unknown) => void): void; terminate(): Promise<number> };
    const { Worker } = (await import(/* @vite-ignore */ specifier)) as { Worker: new (url: URL) => NodeWorker };
    const b64 = (globalThis as unknown as { Buffer: { from(s: string): { toString(e: string): string } } }).Buffer.from(workerSource).toString("base64");
    const w = new Worker(new URL(`data:text/javascript;base64,${b64}`));
    return {
      post: (m) => w.postMessage(m),
      onMessage: (h) => w.on("message", (m) => h(m as FromWorker)),
      onError: (h) => w.on("error", (e) => h(e as Error)),
      terminate: () => void w.terminate(),
    };
  }
  if (typeof Worker !== "function") throw new TypeError("descent: trainInWorker: this platform has no Worker");
  const url = URL.createObjectURL(new Blob([workerSource], { type: "text/javascript" }));
  const w = new Worker(url, { type: "module", name: "descent-training" });
  return {
    post: (m) => w.postMessage(m),
    onMessage: (h) => w.addEventListener("message", (e: MessageEvent) => h(e.data as FromWorker)),
    onError: (h) => w.addEventListener("error", (e: ErrorEvent) => h(new Error(e.message || "the training worker failed to start (a Content-Security-Policy without worker-src blob:?)"))),
    terminate: () => {
      w.terminate();
      URL.revokeObjectURL(url);
    },
  };
}

/** A copy of `value` as a worker would receive it, or a descent error naming the argument. */
function sendable(fn: string, name: string, value: unknown): void {
  try {
    structuredClone(value);
  } catch (err) {
    throw new TypeError(`descent: ${fn}: ${name} cannot be sent to a worker (${(err as Error).message}); pass arrays of numbers or strings`);
  }
}

/**
 * Fits `model` on (X, y) in a worker and resolves to the same model, trained: its weights,
 * history and fit report are replaced by the worker's. `onEpoch` runs here for every epoch;
 * returning false asks the worker to stop, which it does at its next yield (about every 15 ms,
 * so possibly a few fast epochs later) and keeps what it has learned. Like fit, it is a
 * transaction: aborting `signal`, disposing the model, or any failure rejects at once, ends the
 * worker, calls no callback after that, and leaves the model as it was before the call (also when
 * `updateEvery` brought intermediate weights into it).
 */
export async function trainInWorker<M extends Model>(
  model: M, X: MatrixLike, y: TargetsOf<M>, options?: WorkerFitOptions<TargetsOf<M>>,
): Promise<M> {
  const fn = "trainInWorker";
  if (options !== undefined && (typeof options !== "object" || options === null || Array.isArray(options))) {
    throw new TypeError(`descent: ${fn}: options must be an object, received ${describe(options)}`);
  }
  const { onEpoch, onStart, signal, threads, updateEvery, ...fit } = options ?? {};
  if (updateEvery !== undefined && !(typeof updateEvery === "number" && updateEvery >= 0)) {
    throw new RangeError(`descent: ${fn}: updateEvery must be a number of milliseconds >= 0, received ${describe(updateEvery)}`);
  }
  if (onEpoch !== undefined && typeof onEpoch !== "function") throw new TypeError(`descent: ${fn}: onEpoch must be a function, received ${describe(onEpoch)}`);
  if (onStart !== undefined && typeof onStart !== "function") throw new TypeError(`descent: ${fn}: onStart must be a function, received ${describe(onStart)}`);
  checkKeys(fn, fit, FIT_KEYS);
  // Everything that goes to the worker is checked here, so that no worker starts for a call that
  // would fail to send (a DOMException from postMessage, and a worker left running).
  const m = toMatrix(X, fn, "X");
  sendable(fn, "y", y);
  for (const [k, v] of Object.entries(fit)) sendable(fn, k, v);
  return model.transaction(fn, { signal }, async (cancelled) => {
    const blueprint = model.blueprint();
    const channel = await spawn();
    const copy = { data: m.data.slice(), rows: m.rows, cols: m.cols };
    await new Promise<void>((resolve, reject) => {
      let settled = false;
      const finish = (err?: unknown): void => {
        if (settled) return;
        settled = true;
        cancelled.removeEventListener("abort", cancel);
        channel.terminate();
        if (err === undefined) resolve();
        else reject(err);
      };
      // Nothing is waited for: the worker is ended, and the transaction puts the model back.
      const cancel = (): void => finish(cancelled.reason);
      if (cancelled.aborted) return cancel();
      cancelled.addEventListener("abort", cancel, { once: true });
      channel.onError((err) => finish(new Error(`descent: ${fn}: the training worker failed: ${err.message}`)));
      channel.onMessage((msg) => {
        if (settled) return;
        try {
          if (msg.type === "runtime") {
            if (msg.singleThreaded !== undefined) singleThreaded(msg.singleThreaded);
            onStart?.({ backend: msg.backend as Backend, threads: msg.threads, ...(msg.singleThreaded !== undefined ? { singleThreaded: msg.singleThreaded } : {}) });
          } else if (msg.type === "epoch") {
            if (msg.state !== undefined) model.restoreFrom(msg.state);
            if (onEpoch?.(msg.info) === false) channel.post({ type: "stop" });
          } else if (msg.type === "done") {
            model.restoreFrom(msg.state);
            model.history = msg.history;
            model.applyFitReport(msg.report);
            finish();
          } else {
            finish(new Error(msg.message));
          }
        } catch (err) {
          finish(err);
        }
      });
      try {
        channel.post({
          type: "train", blueprint, X: copy, y, fit: fit as Record<string, unknown>, updateEvery,
          runtime: { backend: model.runtime.backend, threads: threads ?? 1 },
        });
      } catch (err) {
        finish(new TypeError(`descent: ${fn}: the data could not be sent to the worker (${(err as Error).message})`));
      }
    });
  });
}
