// The Vite app's module worker: the same package import, bundled by Vite as a worker chunk.
import * as descent from "descent-ml";
import { run } from "../check.js";

run(descent).then(
  (result) => postMessage({ ok: true, result }),
  (error) => postMessage({ ok: false, error: String(error && error.stack || error) }),
);
