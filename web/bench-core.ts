// The browser benchmark's cases: a handful of kernels at 65,536 elements, called through the
// pointer level of one runtime per backend, interleaved by bench/timing.ts's measure() (the same
// harness as `npm run bench`). bench/cases.ts is not imported: it pulls in the TensorFlow.js
// adapters (bench/external.ts), which need node:module, node:path and node:url. No DOM here
// either: this runs in the benchmark worker, and in Node for the comparison.
import { ACTIVATIONS, createRuntime, type Backend, type Runtime, type Tensor } from "../src/index.ts";
import { mulberry32 } from "../src/random.ts";
import { measure, type Contender, type TimingOptions } from "../bench/timing.ts";

export const BENCH_BACKENDS: readonly Backend[] = ["wasm-relaxed", "wasm-simd", "wasm", "js"];
export const BENCH_ELEMENTS = 65_536;
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
  /** Melem/s per backend (median). */
  melems: Partial<Record<Backend, number>>;
  /** Interquartile range in % of the median, per backend. */
  iqr: Partial<Record<Backend, number>>;
}

interface Workload {
  kernel: string;
  label: string;
  shape: string;
  elements: number;
  buffers: Record<string, Float32Array>;
  args: (string | number)[];
}

function uniform(r: () => number, n: number, lo: number, hi: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = lo + (hi - lo) * r();
  return a;
}

const domain = (name: string): readonly [number, number] =>
  (ACTIVATIONS as readonly { name: string; domain: readonly [number, number] }[]).find((a) => a.name === name)?.domain ?? [-10, 10];

/** The cases, with inputs drawn as the Node suite draws them (the registry's domains, rows of 1000, a 64→64 layer). */
export function benchCases(n = BENCH_ELEMENTS): Workload[] {
  const r = mulberry32(20240601);
  const elementwise = (name: string): Workload => {
    const [lo, hi] = domain(name);
    return {
      kernel: `${name}_f32`, label: name, shape: `[${n}]`, elements: n,
      buffers: { x: uniform(r, n, lo, hi), y: new Float32Array(n) }, args: ["x", "y", n],
    };
  };
  const cols = 1000;
  const rows = Math.max(1, Math.round(n / cols));
  const [slo, shi] = domain("softmax");
  const m = Math.max(1, Math.round(n / 64));
  return [
    elementwise("sigmoid"),
    elementwise("tanh"),
    elementwise("relu"),
    {
      kernel: "softmax_f32", label: "softmax", shape: `${rows} rows × ${cols}`, elements: rows * cols,
      buffers: { x: uniform(r, rows * cols, slo, shi), y: new Float32Array(rows * cols) }, args: ["x", "y", rows, cols],
    },
    {
      kernel: "mse_f32", label: "mse", shape: `[${n}]`, elements: n,
      buffers: { p: uniform(r, n, -1, 1), t: uniform(r, n, -1, 1) }, args: ["p", "t", n],
    },
    {
      kernel: "matmul_f32", label: "matmul", shape: `[${m}, 64]·[64, 64]`, elements: m * 64,
      buffers: { A: uniform(r, m * 64, -1, 1), B: uniform(r, 64 * 64, -1, 1), C: new Float32Array(m * 64) },
      args: ["A", "B", "C", m, 64, 64, 0, 0],
    },
  ];
}

/** One runtime per backend (the benchmark's own, separate from any the page trains on). */
export async function benchRuntimes(backends: readonly Backend[] = BENCH_BACKENDS): Promise<Map<Backend, Runtime>> {
  const map = new Map<Backend, Runtime>();
  for (const b of backends) map.set(b, await createRuntime({ backend: b }));
  return map;
}

/** Measures one case on every runtime, interleaved; returns its row. */
export function runCase(w: Workload, runtimes: ReadonlyMap<Backend, Runtime>, timing: TimingOptions = BENCH_TIMING): BenchRow {
  const owned: Tensor[] = [];
  const contenders: Contender[] = [];
  const backends = [...runtimes.keys()];
  try {
    for (const backend of backends) {
      const rt = runtimes.get(backend) as Runtime;
      const tensors: Record<string, Tensor> = {};
      for (const [name, data] of Object.entries(w.buffers)) {
        tensors[name] = rt.tensor(data);
        owned.push(tensors[name]);
      }
      const kernel = rt.kernels[w.kernel];
      if (kernel === undefined) throw new Error(`the ${backend} runtime has no kernel ${w.kernel}`);
      const call = kernel.bind(undefined, ...w.args.map((a) => (typeof a === "string" ? tensors[a].ptr : a)));
      const out = tensors.y ?? tensors.C;
      contenders.push({
        name: backend,
        run: () => {
          const v = call();
          return typeof v === "number" ? v : 0;
        },
        peek: out === undefined ? undefined : () => {
          const d = out.data;
          return d[0] + d[d.length - 1];
        },
      });
    }
    const { stats, sink } = measure(contenders, timing);
    if (Number.isNaN(sink)) throw new Error("the benchmark's results were not numbers");
    const row: BenchRow = { kernel: w.label, shape: w.shape, elements: w.elements, melems: {}, iqr: {} };
    backends.forEach((b, k) => {
      row.melems[b] = w.elements / stats[k].median / 1e6;
      row.iqr[b] = stats[k].iqrPct;
    });
    return row;
  } finally {
    for (const t of owned) t.dispose();
  }
}
