// The static page's module script (external, so that the same page also runs under a strict
// Content-Security-Policy): imports the browser build by path from the served repository root.
import * as descent from "/dist/browser/descent.js";
import { run } from "../check.js";

globalThis.descentResult = run(descent).then(
  (result) => ({ ok: true, result }),
  (error) => ({ ok: false, error: String(error && error.stack || error) }),
);
