// Starts the module worker and keeps its report (or its error) for the test.
const worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
globalThis.descentResult = new Promise((resolve) => {
  worker.onmessage = (event) => resolve(event.data);
  worker.onerror = (event) => resolve({ ok: false, error: `worker error: ${event.message}` });
});
