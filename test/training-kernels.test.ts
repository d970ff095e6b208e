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

describe("colSums64_f64 and gram64_f64: the closed form's float64 pass", () => {
  const shapes: [number, number][] = [...SHAPES, [37, 6], [1000, 13]];
  it.each(shapes)("rows %i × cols %i: exact row-ascending float64 sums, symmetric, identical on every backend", (rows, cols) => {
    const a = values(rows * cols, rows * 31 + cols).map((v) => v + 100); // an offset the shift removes
    const y = values(rows, rows + 5).map((v) => v * 3 + 50);
    const shift = Float32Array.from({ length: cols + 1 }, (_, j) => (j < cols ? 100 : 50) + j * 0.25);
    const w = cols + 1;
    const sums = new Float64Array(cols);
    for (let r = 0; r < rows; r++) for (let j = 0; j < cols; j++) sums[j] += a[r * cols + j];
    const want = new Float64Array(w * w);
    for (let i = 0; i < w; i++) {
      for (let j = i; j < w; j++) {
        let s = 0;
        for (let r = 0; r < rows; r++) {
          const ui = (i < cols ? a[r * cols + i] : y[r]) - shift[i];
          const uj = (j < cols ? a[r * cols + j] : y[r]) - shift[j];
          s += ui * uj;
        }
        want[i * w + j] = s;
        want[j * w + i] = s;
      }
    }
    for (const name of BACKEND_NAMES) {
      const r = rt[name];
      const t = r.tensor(a);
      const yt = r.tensor(y);
      const st = r.tensor(shift);
      const g = r.zeros([Math.max(1, 2 * w * w)]);
      const out = r.zeros([Math.max(1, 2 * cols)]);
      const scratch = r.zeros([8 * w]);
      r.kernels.colSums64_f64(t.ptr, rows, cols, out.ptr);
      r.kernels.gram64_f64(t.ptr, yt.ptr, st.ptr, rows, cols, g.ptr, scratch.ptr);
      expect(new Float64Array(r.heap.memory.buffer, out.ptr, cols).slice(), `${name} sums`).toEqual(sums);
      expect(new Float64Array(r.heap.memory.buffer, g.ptr, w * w).slice(), name).toEqual(want);
      for (const x of [t, yt, st, g, out, scratch]) x.dispose();
    }
  });
});

describe("denseMse1_f32 / denseBce1_f32: one fused pass of a one-unit layer", () => {
  const shapes: [number, number][] = [];
  for (const rows of [0, 1, 3, 4, 7, 63, 64, 65, 203]) for (const cols of [1, 3, 4, 8, 9, 17, 33, 260]) shapes.push([rows, cols]);

  it.each(shapes)("rows %i × cols %i: wasm-simd ≡ wasm bit for bit, and both (and wasm-relaxed) match the float64 js kernel", (rows, cols) => {
    const x = values(rows * cols, rows * 7 + cols).map((v) => v / 10);
    const w = values(cols, cols + 1).map((v) => v / 10);
    const targets = { denseMse1_f32: values(rows, rows + 2), denseBce1_f32: values(rows, rows + 3).map((v) => (v > 0 ? 1 : 0)) };
    for (const kernel of ["denseMse1_f32", "denseBce1_f32"] as const) {
      const byName = BACKEND_NAMES.map((name) => {
        const r = rt[name];
        const [xt, tt, wt] = [r.tensor(x), r.tensor(targets[kernel]), r.tensor(w)];
        const gw = r.tensor(new Float32Array(cols).fill(NaN)); // must be overwritten, not accumulated into
        const out = r.zeros([4 + 64]);
        r.kernels[kernel](xt.ptr, tt.ptr, wt.ptr, 0.25, rows, cols, Math.max(rows, 1), gw.ptr, out.ptr, out.ptr + 16);
        const sums = new Float64Array(r.heap.memory.buffer, out.ptr, 2).slice();
        const result = { gw: gw.toArray(), loss: sums[0], dsum: sums[1] };
        for (const t of [xt, tt, wt, gw, out]) t.dispose();
        return [name, result] as const;
      });
      const results = Object.fromEntries(byName);
      const { "wasm-simd": simd, wasm: scalar, js } = results;
      expect(scalar, kernel).toEqual(simd);
      // Against float64: each gw entry to float32 rounding of the sum of |terms|.
      const n = Math.max(rows, 1);
      const scale = new Float64Array(cols);
      let lossScale = 0;
      for (let r = 0; r < rows; r++) {
        let z = 0.25;
        for (let j = 0; j < cols; j++) z += x[r * cols + j] * w[j];
        const d = kernel === "denseMse1_f32" ? 2 * Math.abs(z - targets[kernel][r]) / n : 1 / n;
        for (let j = 0; j < cols; j++) scale[j] += Math.abs(d * x[r * cols + j]);
        lossScale += kernel === "denseMse1_f32" ? (z - targets[kernel][r]) ** 2 : Math.abs(z) + 1;
      }
      // (and the relaxed-SIMD build, where it runs, to the same bound)
      for (const got of [simd, ...(results["wasm-relaxed"] ? [results["wasm-relaxed"]] : [])]) {
        for (let j = 0; j < cols; j++) expect(Math.abs(got.gw[j] - js.gw[j]), `${kernel} gw[${j}]`).toBeLessThanOrEqual(1e-5 * scale[j] + 1e-30);
        expect(Math.abs(got.loss - js.loss), `${kernel} loss`).toBeLessThanOrEqual(1e-5 * lossScale + 1e-30);
        expect(Math.abs(got.dsum - js.dsum), `${kernel} Σd`).toBeLessThanOrEqual(1e-5 * (rows + 1));
      }
    }
  });
});

describe("mseWithGrad: mse and mseGrad in one pass", () => {
  it.each([0, 1, 3, 4, 5, 15, 16, 17, 33, 1001])("n = %i: the same loss and gradient bits as the two calls, on every backend, in place too", (n) => {
    const p = values(n, n + 11);
    const t = values(n, n + 12);
    for (const name of BACKEND_NAMES) {
      const r = rt[name];
      if (n === 0) {
        expect(() => r.mseWithGrad(p, t)).toThrow(/mean of 0 elements/);
        continue;
      }
      const { loss, grad } = r.mseWithGrad(p, t);
      expect(loss, name).toBe(r.mse(p, t));
      expect(grad, name).toEqual(r.mseGrad(p, t));
      const pt = r.tensor(p);
      const tt = r.tensor(t);
      const inPlace = r.mseWithGrad(pt, tt, { out: pt });
      expect(inPlace.grad).toBe(pt);
      expect(pt.toArray()).toEqual(grad);
      expect(inPlace.loss).toBe(loss);
      pt.dispose();
      tt.dispose();
    }
  });
});
