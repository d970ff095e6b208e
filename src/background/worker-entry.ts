// The training worker's program (bundled with the whole library into one string by
// scripts/build-worker.ts, so that starting it needs no file): it rebuilds the model from its
// blueprint, trains it with a progress message per epoch, answers stop and abort, and sends back
// the trained state. Runs as a module Web Worker or a Node worker thread.
import { openRuntime, type Backend } from "../runtime.ts";
import "../models/index.ts"; // registers every kind of model with fromBlueprint
import type { EpochInfo } from "../models/common.ts";
import { fromBlueprint } from "../models/model.ts";
import type { FromWorker, ToWorker } from "./protocol.ts";

interface Port {
  post(message: FromWorker): void;
  listen(handler: (message: ToWorker) => void): void;
}

async function port(): Promise<Port> {
  const scope = globalThis as unknown as { postMessage?: (m: unknown) => void; addEventListener?: (t: string, h: (e: { data: unknown }) => void) => void; document?: unknown };
  const isNode = typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === "string";
  if (!isNode && typeof scope.postMessage === "function" && typeof scope.addEventListener === "function") {
    return {
      post: (m) => (scope.postMessage as (m: unknown) => void)(m),
      listen: (h) => (scope.addEventListener as (t: string, h: (e: { data: unknown }) => void) => void)("message", (e) => h(e.data as ToWorker)),
    };
  }
  const specifier = "node:worker_threads";
  const { parentPort } = (await import(/* @vite-ignore */ specifier)) as { parentPort: { postMessage(m: unknown): void; on(e: string, h: (m: unknown) => void): void } };
  return { post: (m) => parentPort.postMessage(m), listen: (h) => parentPort.on("message", (m) => h(m as ToWorker)) };
}

const io = await port();
let stopRequested = false;
const abort = new AbortController();

io.listen(async (message) => {
  if (message.type === "stop") {
    stopRequested = true;
    return;
  }
  if (message.type === "abort") {
    abort.abort(new Error("descent: training was cancelled"));
    return;
  }
  try {
    // Why it runs single-threaded goes to the page, which says it once for all its workers.
    const { runtime, singleThreaded } = await openRuntime({ backend: message.runtime.backend as Backend, threads: message.runtime.threads });
    io.post({ type: "runtime", backend: runtime.backend, threads: runtime.threads, ...(singleThreaded !== undefined ? { singleThreaded } : {}) });
    const model = fromBlueprint(message.blueprint, runtime);
    const every = message.updateEvery;
    let sent = -Infinity;
    await model.fit(message.X, message.y, {
      ...message.fit,
      signal: abort.signal,
      onEpoch: (info: EpochInfo) => {
        const now = performance.now();
        const withState = every !== undefined && (now - sent >= every || info.epoch === info.epochs);
        if (withState) sent = now;
        io.post({ type: "epoch", info, ...(withState ? { state: model.toJSON() } : {}) });
        return !stopRequested;
      },
    } as never);
    io.post({ type: "done", state: model.toJSON(), history: model.history, report: model.fitReport() });
  } catch (err) {
    io.post({ type: "error", message: (err as Error)?.message ?? String(err), aborted: abort.signal.aborted });
  }
});
