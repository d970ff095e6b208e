// The threads page's module script: descent on the page (test code calls it through
// page.evaluate, as a page's main thread would), and inWorker(task), which runs a task of
// threads-worker.js in a new module worker and resolves to its answer.
import * as descent from "/dist/browser/descent.js";

globalThis.descent = descent;

globalThis.inWorker = (task) => new Promise((resolve) => {
  const worker = new Worker(new URL("./threads-worker.js", import.meta.url), { type: "module" });
  worker.onmessage = (event) => {
    worker.terminate();
    resolve(event.data);
  };
  worker.onerror = (event) => resolve({ ok: false, error: `worker error: ${event.message}` });
  worker.postMessage(task);
});

globalThis.descentReady = true;
