// The benchmark worker: runs web/bench-core.ts's cases off the main thread (measure() is
// synchronous and takes seconds) and posts each case's row as it completes. TensorFlow.js's wasm
// backend runs beside descent's backends, in this worker too: its .wasm binaries are assets of the
// build (Vite's ?url imports), handed to setWasmPaths, since the worker's bundle is not where
// tfjs-backend-wasm would look for them.
import { availableBackends } from "../src/index.ts";
import type { Tfjs } from "../bench/tfjs-ops.ts";
import { BENCH_BACKENDS, BENCH_CASES, benchRuntimes, runCase, TFJS, type BenchRow } from "./bench-core.ts";
import tfjsWasm from "@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url";
import tfjsWasmSimd from "@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url";
import tfjsWasmThreadedSimd from "@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url";

/** What the page learns of TensorFlow.js: its version and binary, or why it did not load. */
export type TfjsInfo = { version: string; wasmBinary: string; simd: boolean; threads: boolean } | { error: string };

export type BenchMessage =
  | { type: "start"; total: number; backends: string[]; contenders: string[]; tfjs: TfjsInfo }
  | { type: "row"; index: number; row: BenchRow }
  | { type: "done"; seconds: number }
  | { type: "error"; message: string };

const post = (m: BenchMessage): void => (self as unknown as { postMessage(m: BenchMessage): void }).postMessage(m);

let tfjs: Promise<{ tfjs: Tfjs } | { error: string }> | undefined;

/** TensorFlow.js 4.22 on its wasm backend, as the Node suite runs it: SIMD, no threads (tfjs has none in Node), production mode. */
function loadTfjs(): Promise<{ tfjs: Tfjs } | { error: string }> {
  tfjs ??= (async () => {
    try {
      const tf = await import("@tensorflow/tfjs-core");
      const wasm = await import("@tensorflow/tfjs-backend-wasm");
      wasm.setWasmPaths({
        "tfjs-backend-wasm.wasm": tfjsWasm,
        "tfjs-backend-wasm-simd.wasm": tfjsWasmSimd,
        "tfjs-backend-wasm-threaded-simd.wasm": tfjsWasmThreadedSimd,
      });
      tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", false);
      tf.enableProdMode();
      if (!(await tf.setBackend("wasm"))) return { error: "TensorFlow.js's wasm backend did not initialise" };
      const simd = (await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT")) as boolean;
      return {
        tfjs: {
          tf, version: tf.version_core, wasmBinary: simd ? "tfjs-backend-wasm-simd.wasm" : "tfjs-backend-wasm.wasm", simd, threads: false,
          // One backend here: nothing to switch.
          use: () => {},
        },
      };
    } catch (err) {
      return { error: (err as Error)?.message ?? String(err) };
    }
  })();
  return tfjs;
}

self.addEventListener("message", () => {
  void (async () => {
    try {
      const t0 = performance.now();
      const usable = availableBackends();
      const backends = BENCH_BACKENDS.filter((b) => usable.includes(b));
      const runtimes = await benchRuntimes(backends);
      const tf = await loadTfjs();
      const info: TfjsInfo = "tfjs" in tf
        ? { version: tf.tfjs.version, wasmBinary: tf.tfjs.wasmBinary, simd: tf.tfjs.simd, threads: tf.tfjs.threads }
        : { error: tf.error };
      const contenders = [...backends, ...("tfjs" in tf ? [TFJS] : [])];
      post({ type: "start", total: BENCH_CASES.length, backends, contenders, tfjs: info });
      for (let i = 0; i < BENCH_CASES.length; i++) {
        post({ type: "row", index: i, row: runCase(BENCH_CASES[i], runtimes, "tfjs" in tf ? tf.tfjs : undefined) });
        // Let the message go out before the next (synchronous) measurement.
        await new Promise((done) => setTimeout(done, 0));
      }
      for (const rt of runtimes.values()) await rt.close();
      post({ type: "done", seconds: (performance.now() - t0) / 1000 });
    } catch (err) {
      post({ type: "error", message: (err as Error)?.message ?? String(err) });
    }
  })();
});
