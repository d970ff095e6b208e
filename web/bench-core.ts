// The browser benchmark's cases: a handful of the Node suite's kernel cases (bench/cases.ts, the
// same inputs and bindings) at 65,536 elements, called through the pointer level of one runtime per
// backend, next to TensorFlow.js's wasm backend running the same formulation as in Node
// (bench/tfjs-ops.ts), all interleaved by bench/timing.ts's measure() (the same harness as `npm run
// bench`). No DOM here: this runs in the benchmark worker; loading TensorFlow.js is the worker's.
import { createRuntime, type Backend, type Runtime } from "../src/index.ts";
import { allCases, bind, relativeDifference, type BoundContender } from "../bench/cases.ts";
import { agreementTolerance } from "../bench/results.ts";
import type { Tfjs } from "../bench/tfjs-ops.ts";
import { measure, type TimingOptions } from "../bench/timing.ts";

export const BENCH_BACKENDS: readonly Backend[] = ["wasm-relaxed", "wasm-simd", "wasm", "js"];
export const BENCH_ELEMENTS = 65_536;
/** The cases, by the Node suite's ids, and the names the page shows. */
export const BENCH_CASES: readonly { readonly id: string; readonly label: string }[] = [
  { id: "sigmoid_f32", label: "sigmoid" },
  { id: "tanh_f32", label: "tanh" },
  { id: "relu_f32", label: "relu" },
  { id: "elu_f32", label: "elu" },
  { id: "softplus_f32", label: "softplus" },
  { id: "softmax_f32", label: "softmax" },
  { id: "mse_f32", label: "mse" },
  { id: "matmul_f32", label: "matmul" },
];
/** TensorFlow.js's column. */
export const TFJS = "tfjs-wasm";
/**
 * Like the Node suite's settings (bench/run.ts), with samples of at least 10 ms: browsers coarsen
 * performance.now() (to 100 µs in a page that is not cross-origin isolated), which would be 5 % of
 * a 2 ms sample.
 */
export const BENCH_TIMING: TimingOptions = { samples: 11, minSampleMs: 10, warmupMs: 100, warmupCalls: 2 };

export interface BenchRow {
  kernel: string;
  /** What one call works on, in words. */
  shape: string;
  elements: number;
  /** Melem/s per contender: descent's backends and tfjs-wasm (median). */
  melems: Partial<Record<string, number>>;
  /** Interquartile range in % of the median, per contender. */
  iqr: Partial<Record<string, number>>;
  /** Contenders whose first result differs from the js backend's by more than the Node suite allows, with the difference. */
  disagreements: Partial<Record<string, number>>;
}

/** One runtime per backend (the benchmark's own, separate from any the page trains on). */
export async function benchRuntimes(backends: readonly Backend[] = BENCH_BACKENDS): Promise<Map<Backend, Runtime>> {
  const map = new Map<Backend, Runtime>();
  for (const b of backends) map.set(b, await createRuntime({ backend: b }));
  return map;
}

/**
 * Measures one case on every runtime (the first is descent, the page's default backend) and, when
 * given, TensorFlow.js's wasm backend, interleaved; returns its row.
 */
export function runCase(
  c: (typeof BENCH_CASES)[number], runtimes: ReadonlyMap<Backend, Runtime>, tfjs?: Pick<Tfjs, "tf" | "use">,
  timing: TimingOptions = BENCH_TIMING, n = BENCH_ELEMENTS,
): BenchRow {
  const spec = allCases().find((x) => x.id === c.id);
  if (spec === undefined) throw new Error(`no benchmark case ${c.id}`);
  const w = spec.workload(n);
  const backends = [...runtimes.keys()];
  const bound = bind(spec, w, { runtimes: Object.fromEntries(runtimes), descent: backends[0] }, tfjs as Tfjs | undefined, ["wasm"]);
  try {
    const wanted = new Set<string>([...backends, TFJS]);
    const contenders = bound.contenders.filter((k) => wanted.has(k.name));
    // One call each first, checked against the js backend as the Node suite checks it.
    const first = new Map<string, Float32Array | number>();
    for (const k of contenders) {
      k.enter?.();
      k.run();
      const r = (k as BoundContender).result();
      first.set(k.name, typeof r === "number" ? r : r.slice());
    }
    const ref = first.get("js");
    const disagreements: BenchRow["disagreements"] = {};
    for (const [name, r] of first) {
      const d = ref === undefined ? 0 : relativeDifference(r, ref);
      if (!(d <= agreementTolerance(name))) disagreements[name] = d;
    }
    const { stats, sink } = measure(contenders, timing);
    if (Number.isNaN(sink)) throw new Error("the benchmark's results were not numbers");
    const row: BenchRow = { kernel: c.label, shape: w.shape, elements: w.elements, melems: {}, iqr: {}, disagreements };
    contenders.forEach((k, i) => {
      row.melems[k.name] = w.elements / stats[i].median / 1e6;
      row.iqr[k.name] = stats[i].iqrPct;
    });
    return row;
  } finally {
    bound.dispose();
  }
}
