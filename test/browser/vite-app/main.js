// The Vite app's entry: descent by package name (Vite picks the "browser" export), once on the
// main thread and once in a module worker that Vite bundles from the same import.
import * as descent from "descent-ml";
import { run } from "../check.js";

const report = (promise) => promise.then(
  (result) => ({ ok: true, result }),
  (error) => ({ ok: false, error: String(error && error.stack || error) }),
);

const worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
const inWorker = new Promise((resolve) => {
  worker.onmessage = (event) => resolve(event.data);
  worker.onerror = (event) => resolve({ ok: false, error: `worker error: ${event.message}` });
});

globalThis.descentResult = report(run(descent));
globalThis.descentWorkerResult = inWorker;
