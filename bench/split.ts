// Where splitting a kernel over two threads starts to pay: every size run split (the threaded
// runtime's threshold lowered to 0) against the same kernel on one thread, interleaved
// (bench/timing.ts), and the size where two threads start to win for good (results.ts's
// crossover). The runtime splits from SPLIT_MIN_ELEMENTS floats on; this is what that threshold
// should be. Used by the suite (bench/run.ts) and by bench/threads.ts.
import type { Runtime, Tensor } from "../src/index.ts";
import { allCases, type Backend, type Case } from "./cases.ts";
import { crossover, type SplitPoint, type ThreadsResult } from "./results.ts";
import { measure, type Contender, type TimingOptions } from "./timing.ts";

/** The kernels measured: an elementwise forward, an elementwise backward, a row-wise forward. */
export const SPLIT_CASES: readonly string[] = ["sigmoid_f32", "elu_grad_f32", "softmax_f32"];
export const SPLIT_SIZES: readonly number[] = [1 << 12, 1 << 14, 1 << 15, 1 << 16, 1 << 17, 1 << 18, 1 << 20, 1 << 22];
export const QUICK_SPLIT_SIZES: readonly number[] = [1 << 14, 1 << 16, 1 << 18, 1 << 20];

/** The same kernel call on `rt`, through `kernel`, on tensors of its own; with its output for the comparison. */
function contender(name: string, rt: Runtime, kernel: (...a: number[]) => unknown, c: Case, n: number, owned: Tensor[]): Contender & { out: Tensor } {
  const w = c.workload(n);
  const tensors: Record<string, Tensor> = {};
  for (const [key, spec] of Object.entries(w.buffers)) {
    tensors[key] = rt.tensor(spec.data as Float32Array, spec.shape);
    owned.push(tensors[key]);
  }
  const call = kernel.bind(undefined, ...w.args.map((a) => (typeof a === "string" ? tensors[a].ptr : a)));
  const out = tensors[w.out as string];
  return {
    name,
    out,
    run: () => (call(), 0),
    peek: () => out.data[0] + out.data[out.data.length - 1],
  };
}

/**
 * One ThreadsResult per kernel of `ids`: at each size, the kernel on `one` (a single-threaded
 * runtime) against it split over `two` (a runtime of the same backend with two threads).
 */
export function measureSplit(
  one: Runtime, two: Runtime, descent: Backend, timing: TimingOptions,
  sizes: readonly number[] = SPLIT_SIZES, ids: readonly string[] = SPLIT_CASES,
): { results: ThreadsResult[]; sink: number } {
  const cases = allCases();
  const threshold = two.splitMinElements;
  const results: ThreadsResult[] = [];
  let sink = 0;
  two.splitMinElements = 0;
  try {
    for (const id of ids) {
      const c = cases.find((x) => x.id === id);
      const split = c?.workload(16).split;
      if (c === undefined || split === undefined) throw new Error(`bench/split.ts: ${id} is no kernel the runtime splits`);
      const points: SplitPoint[] = [];
      const seen = new Set<number>();
      for (const n of sizes) {
        const elements = c.workload(n).elements;
        if (seen.has(elements)) continue;
        seen.add(elements);
        const owned: Tensor[] = [];
        try {
          const a = contender("1 thread", one, one.kernels[c.kernel] as (...args: number[]) => unknown, c, n, owned);
          const b = contender("2 threads", two, two.splitKernel(c.kernel, split), c, n, owned);
          a.run();
          b.run();
          const sameBits = a.out.data.every((v, i) => Object.is(v, b.out.data[i]));
          const m = measure([a, b], timing);
          sink += m.sink;
          const [t1, t2] = m.stats.map((s) => s.median);
          points.push({ elements, oneMelemPerS: elements / t1 / 1e6, twoMelemPerS: elements / t2 / 1e6, speedup: t1 / t2, sameBits });
        } finally {
          for (const t of owned) t.dispose();
        }
      }
      const x = crossover(points.map((p) => ({ elements: p.elements, a: p.twoMelemPerS, b: p.oneMelemPerS })));
      results.push({ type: "threads", kernel: id, descent, points, crossover: x.at, always: x.always, splitMinElements: threshold });
    }
  } finally {
    two.splitMinElements = threshold;
  }
  return { results, sink };
}

/** The text lines of a split measurement (the suite's terminal output and bench/threads.ts's). */
export function splitText(results: readonly ThreadsResult[]): string[] {
  const lines: string[] = [];
  for (const r of results) {
    for (const p of r.points) {
      lines.push(
        `${r.kernel.padEnd(24)} ${p.elements.toLocaleString("en-US").padStart(10)}  1 thread ${p.oneMelemPerS.toFixed(0).padStart(6)} Melem/s` +
          `  2 threads ${p.twoMelemPerS.toFixed(0).padStart(6)} Melem/s  ×${p.speedup.toFixed(2)}${p.sameBits ? "" : "  RESULTS DIFFER"}`,
      );
    }
    lines.push(`${r.kernel.padEnd(24)} ${crossoverWords(r)}`);
  }
  return lines;
}

/** "2 threads win from ≈ 90,000 elements" and the like. */
export function crossoverWords(r: ThreadsResult): string {
  const threshold = `the runtime splits from ${r.splitMinElements.toLocaleString("en-US")}`;
  if (r.crossover === undefined) return `2 threads never win in the sizes measured (${threshold})`;
  if (r.always) return `2 threads win already at ${Math.round(r.crossover).toLocaleString("en-US")} elements (${threshold})`;
  return `2 threads win from ≈ ${Math.round(r.crossover).toLocaleString("en-US")} elements (${threshold})`;
}
