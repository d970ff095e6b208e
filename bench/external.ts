// The other libraries the benchmarks compare descent with, and their adapters: TensorFlow.js 4.22
// (tfjs-core with the `cpu` and the `wasm` backend; tfjs-layers for its gradients and for whole
// fits, in bench/models.ts) and ml.js (ml-regression-multivariate-linear, ml-logistic-regression).
//
// TensorFlow.js has one global engine. Both backends are initialised once; each contender's
// tensors are created while its backend is active, and `enter()` switches the engine to that
// backend before every timed batch (outside the timed region: tf.setBackend on an initialised
// backend finishes synchronously, which use() checks). Production mode is on (tf.enableProdMode:
// no per-op debug checks), as TensorFlow.js recommends for speed.
//
// Each kernel case is expressed in the fastest honest tfjs formulation (bench/tfjs-ops.ts, shared
// with the browser benchmark).
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Tf, TfBackend, Tfjs } from "./tfjs-ops.ts";

export { tfImpl, tfjsContender, type Tf, type TfBackend, type Tfjs } from "./tfjs-ops.ts";

let loaded: Promise<Tfjs> | undefined;

/** Loads tfjs-core with both backends (once per process). */
export function loadTfjs(): Promise<Tfjs> {
  loaded ??= load();
  return loaded;
}

async function load(): Promise<Tfjs> {
  const tf = (await import("@tensorflow/tfjs-core")) as Tf;
  // tfjs-core's Node build registers no gradients: tfjs-layers does (as the @tensorflow/tfjs
  // bundle a user installs would), and tf.grad needs them.
  await import("@tensorflow/tfjs-layers");
  await import("@tensorflow/tfjs-backend-cpu");
  const wasm = await import("@tensorflow/tfjs-backend-wasm");
  const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), "../node_modules/@tensorflow/tfjs-backend-wasm/dist/");
  wasm.setWasmPaths(dir);
  tf.enableProdMode();
  // Which binary the wasm backend reads: it picks by feature detection, so record what it read.
  // Emscripten reads it with fs.readFileSync in Node: watch that call during initialisation only.
  const fs = createRequire(import.meta.url)("node:fs") as typeof import("node:fs");
  const readFileSync = fs.readFileSync;
  let wasmBinary = "unknown";
  fs.readFileSync = ((file: unknown, ...rest: unknown[]) => {
    if (typeof file === "string" && file.endsWith(".wasm")) wasmBinary = path.basename(file);
    return (readFileSync as (...a: unknown[]) => unknown)(file, ...rest);
  }) as typeof fs.readFileSync;
  try {
    if (!(await tf.setBackend("wasm"))) throw new Error("bench: TensorFlow.js's wasm backend did not initialise");
  } finally {
    fs.readFileSync = readFileSync;
  }
  if (!(await tf.setBackend("cpu"))) throw new Error("bench: TensorFlow.js's cpu backend did not initialise");
  const simd = (await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT")) as boolean;
  const threads = (await tf.env().getAsync("WASM_HAS_MULTITHREAD_SUPPORT")) as boolean;
  const use = (backend: TfBackend): void => {
    if (tf.getBackend() === backend) return;
    void tf.setBackend(backend);
    if (tf.getBackend() !== backend) throw new Error(`bench: switching TensorFlow.js to ${backend} did not complete synchronously`);
  };
  return { tf, version: tf.version_core, wasmBinary, simd, threads, use };
}

// ---------------------------------------------------------------------------- ml.js

export interface MlLinear {
  readonly weights: number[][];
}
export interface MlLogistic {
  train(X: unknown, Y: unknown): void;
  readonly classifiers: { weights: { to1DArray(): number[] } }[];
}

export interface Ml {
  /** new MultivariateLinearRegression(x, y, options): number[][] in, weights [features + 1][outputs] out (intercept last). */
  linear(x: number[][], y: number[][], options?: { intercept?: boolean; statistics?: boolean }): MlLinear;
  /** new LogisticRegression({ numSteps, learningRate }), trained on ml-matrix matrices. */
  logistic(options: { numSteps: number; learningRate: number }): MlLogistic;
  /** ml-matrix's Matrix from rows, and a column vector. */
  matrix(rows: number[][]): unknown;
  columnVector(values: number[]): unknown;
}

/** ml.js, loaded on demand. */
export async function loadMl(): Promise<Ml> {
  const MLR = (await import("ml-regression-multivariate-linear")).default;
  // ml-logistic-regression ships CommonJS without types (bench/ml-logistic-regression.d.ts declares it).
  const LogisticRegression = (await import("ml-logistic-regression")).default;
  const { Matrix } = await import("ml-matrix");
  return {
    linear: (x, y, options) => new MLR(x, y, options),
    logistic: (options) => new LogisticRegression(options) as unknown as MlLogistic,
    matrix: (rows) => new Matrix(rows),
    columnVector: (values) => Matrix.columnVector(values),
  };
}
