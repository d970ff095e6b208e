// The kernels added for the models (assembly/training.ts): bias add over rows, the per-column
// blend of per-neuron activations and the float64 Gram matrix of the closed form, on every
// backend, at every tail length, against direct float64 computations; wasm-simd, wasm and js
// agree bit for bit.
import { beforeAll, describe, expect, it } from "vitest";
import type { Backend, Runtime } from "../src/index.ts";
import { BACKEND_NAMES, runtimes } from "./helpers.ts";
import { mulberry32 } from "../src/random.ts";

let rt: Record<Backend, Runtime>;
beforeAll(async () => {
  rt = await runtimes();
});

const SHAPES: [number, number][] = [];
for (const rows of [0, 1, 3, 4, 5, 9]) for (const cols of [1, 2, 3, 4, 5, 7, 8, 9, 16, 17]) SHAPES.push([rows, cols]);

function values(n: number, seed: number): Float32Array {
  const r = mulberry32(seed);
  return Float32Array.from({ length: n }, () => (r() * 2 - 1) * 10);
}

describe("addRow_f32: z[r, :] += b", () => {
  it.each(SHAPES)("rows %i × cols %i on every backend", (rows, cols) => {
    const z0 = values(rows * cols, rows * 100 + cols);
    const b = values(cols, 7);
    const want = z0.map((v, i) => Math.fround(v + b[i % cols]));
    for (const name of BACKEND_NAMES) {
      const r = rt[name];
      const z = r.tensor(z0);
      const bt = r.tensor(b);
      r.kernels.addRow_f32(z.ptr, bt.ptr, rows, cols);
      expect(z.toArray(), name).toEqual(want);
      z.dispose();
      bt.dispose();
    }
  });
});

describe("blendCols_f32: dst[r, j] = src[r, j] where mask[j]", () => {
  it.each(SHAPES)("rows %i × cols %i on every backend", (rows, cols) => {
    const src = values(rows * cols, 3 + cols);
    const dst0 = values(rows * cols, 5 + rows);
    const mask = Int32Array.from({ length: cols }, (_, j) => ((j * 7 + cols) % 3 === 0 ? -1 : 0));
    const want = dst0.map((v, i) => (mask[i % cols] !== 0 ? src[i] : v));
    for (const name of BACKEND_NAMES) {
      const r = rt[name];
      const s = r.tensor(src);
      const d = r.tensor(dst0);
      const m = r.zeros([cols]);
      new Int32Array(r.heap.memory.buffer, m.ptr, cols).set(mask);
      r.kernels.blendCols_f32(s.ptr, d.ptr, m.ptr, rows, cols);
      expect(d.toArray(), name).toEqual(want);
      for (const t of [s, d, m]) t.dispose();
    }
  });
});

describe("gram64_f64: G = AᵀA in float64", () => {
  const shapes: [number, number][] = [...SHAPES, [37, 6], [1000, 13]];
  it.each(shapes)("rows %i × cols %i: symmetric, exact to float64 rounding, identical on every backend", (rows, cols) => {
    const a = values(rows * cols, rows * 31 + cols);
    // Row-ascending float64 sums of exact products: what every backend must produce bit for bit.
    const want = new Float64Array(cols * cols);
    for (let i = 0; i < cols; i++) {
      for (let j = i; j < cols; j++) {
        let s = 0;
        for (let r = 0; r < rows; r++) s += a[r * cols + i] * a[r * cols + j];
        want[i * cols + j] = s;
        want[j * cols + i] = s;
      }
    }
    for (const name of BACKEND_NAMES) {
      const r = rt[name];
      const t = r.tensor(a);
      const g = r.zeros([Math.max(1, cols * cols * 2)]);
      r.kernels.gram64_f64(t.ptr, rows, cols, g.ptr);
      const got = new Float64Array(r.heap.memory.buffer, g.ptr, cols * cols).slice();
      expect(got, name).toEqual(want);
      t.dispose();
      g.dispose();
    }
  });
});
