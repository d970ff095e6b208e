// trainInWorker: fit any model in a worker (a module Web Worker in browsers, a worker thread in
// Node) so that the page or program stays responsive, with progress per epoch, stop and
// cancellation; the trained weights come back into the model it was given. The worker's code is
// the library itself, bundled into a string at build time, so nothing has to be served or found.
import { toMatrix } from "../data/index.ts";
import { describe, type FitOptions } from "../models/common.ts";
import type { Model } from "../models/model.ts";
import type { FromWorker, ToWorker } from "./protocol.ts";

export interface WorkerFitOptions extends FitOptions {
  /** Threads for the worker's runtime (shared memory; default 1). */
  threads?: number | "auto";
  /**
   * Bring the worker's current weights into the model at most this often (ms), before the
   * onEpoch call they come with, so that the page can draw what the model predicts while it
   * trains. Default: only at the end.
   */
  updateEvery?: number;
}

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

/**
 * Fits `model` on (X, y) in a worker and resolves to the same model, trained: its weights,
 * history and fit report are replaced by the worker's. `onEpoch` runs here for every epoch;
 * returning false asks the worker to stop, which it does at its next yield (about every 15 ms,
 * so possibly a few fast epochs later) and keeps what it has learned. Aborting `signal` cancels
 * training and rejects with the signal's reason, leaving the model as it was.
 */
export async function trainInWorker<M extends Model>(model: M, X: unknown, y: unknown, options?: WorkerFitOptions): Promise<M> {
  const fn = "trainInWorker";
  const { onEpoch, signal, threads, updateEvery, ...fit } = options ?? {};
  if (updateEvery !== undefined && !(typeof updateEvery === "number" && updateEvery >= 0)) {
    throw new RangeError(`descent: ${fn}: updateEvery must be a number of milliseconds >= 0, received ${describe(updateEvery)}`);
  }
  if (onEpoch !== undefined && typeof onEpoch !== "function") throw new TypeError(`descent: ${fn}: onEpoch must be a function, received ${describe(onEpoch)}`);
  const m = toMatrix(X, fn, "X");
  const blueprint = model.blueprint();
  if (signal?.aborted) throw signal.reason;
  const channel = await spawn();
  const copy = { data: m.data.slice(), rows: m.rows, cols: m.cols };
  return new Promise<M>((resolve, reject) => {
    let settled = false;
    const finish = (f: () => void): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener("abort", cancel);
      channel.terminate();
      f();
    };
    const cancel = (): void => {
      channel.post({ type: "abort" });
      // The worker answers between epochs; a worker stuck in one long epoch is ended anyway.
      setTimeout(() => finish(() => reject(signal?.reason)), 1000);
    };
    signal?.addEventListener("abort", cancel, { once: true });
    channel.onError((err) => finish(() => reject(new Error(`descent: ${fn}: the training worker failed: ${err.message}`))));
    channel.onMessage((msg) => {
      if (msg.type === "epoch") {
        if (msg.state !== undefined) model.restoreFrom(msg.state);
        if (onEpoch?.(msg.info) === false) channel.post({ type: "stop" });
      } else if (msg.type === "done") {
        finish(() => {
          try {
            model.restoreFrom(msg.state);
            model.history = msg.history;
            model.applyFitReport(msg.report);
            resolve(model);
          } catch (err) {
            reject(err);
          }
        });
      } else {
        finish(() => reject(msg.aborted && signal?.aborted ? signal.reason : new Error(msg.message)));
      }
    });
    channel.post({
      type: "train", blueprint, X: copy, y, fit: fit as Record<string, unknown>, updateEvery,
      runtime: { backend: model.runtime.backend, threads: threads ?? 1 },
    });
  });
}
