// A module worker importing the browser build by path; it answers with the shared report. In a
// worker the plain functions would also work without init() (synchronous compile is allowed).
import * as descent from "/dist/browser/descent.js";
import { run } from "../check.js";

run(descent).then(
  (result) => postMessage({ ok: true, result: { ...result, inWorker: typeof WorkerGlobalScope === "function" } }),
  (error) => postMessage({ ok: false, error: String(error && error.stack || error) }),
);
