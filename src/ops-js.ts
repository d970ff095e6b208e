// The `js` backend's kernels for everything that is not an activation (those live in the
// registry): losses, weight updates and linear algebra. Plain TypeScript with the WASM exports'
// signatures (byte pointers into the runtime's heap) and semantics; values are computed in
// float64 and rounded once on store. Their names are the WASM export names, so this table also
// tells which non-activation kernels the WASM module must export.
import type { Heap } from "./heap.ts";
import { rowMax, rowSumExp, sigmoid64 } from "./math64.ts";

export const OPS_JS = {
  mse_f32(h: Heap, p: number, t: number, n: number): number {
    const f = h.f32;
    p >>= 2; t >>= 2;
    let s = 0;
    for (let i = 0; i < n; i++) {
      const d = f[p + i] - f[t + i];
      s += d * d;
    }
    return Math.fround(s / n);
  },
  mse_grad_f32(h: Heap, p: number, t: number, g: number, n: number): void {
    const f = h.f32;
    p >>= 2; t >>= 2; g >>= 2;
    for (let i = 0; i < n; i++) f[g + i] = (2 * (f[p + i] - f[t + i])) / n;
  },
  mseWithGrad_f32(h: Heap, p: number, t: number, g: number, n: number): number {
    const f = h.f32;
    p >>= 2; t >>= 2; g >>= 2;
    let s = 0;
    for (let i = 0; i < n; i++) {
      const d = f[p + i] - f[t + i];
      s += d * d;
      f[g + i] = (2 * d) / n;
    }
    return Math.fround(s / n);
  },
  bceWithLogits_f32(h: Heap, z: number, t: number, n: number): number {
    const f = h.f32;
    z >>= 2; t >>= 2;
    let s = 0;
    for (let i = 0; i < n; i++) {
      const v = f[z + i];
      s += Math.max(v, 0) - v * f[t + i] + Math.log1p(Math.exp(-Math.abs(v)));
    }
    return Math.fround(s / n);
  },
  bceWithLogits_grad_f32(h: Heap, z: number, t: number, g: number, n: number): void {
    const f = h.f32;
    z >>= 2; t >>= 2; g >>= 2;
    for (let i = 0; i < n; i++) f[g + i] = (sigmoid64(f[z + i]) - f[t + i]) / n;
  },
  softmaxCrossEntropy_f32(h: Heap, z: number, labels: number, rows: number, cols: number): number {
    const f = h.f32;
    const l = h.i32;
    z >>= 2; labels >>= 2;
    let total = 0;
    for (let r = 0; r < rows; r++) {
      const o = z + r * cols;
      const m = rowMax(f, o, cols);
      total += m - f[o + l[labels + r]] + Math.log1p(rowSumExp(f, o, cols, m) - 1);
    }
    return Math.fround(total / rows);
  },
  softmaxCrossEntropy_grad_f32(h: Heap, z: number, labels: number, g: number, rows: number, cols: number): void {
    const f = h.f32;
    const l = h.i32;
    z >>= 2; labels >>= 2; g >>= 2;
    for (let r = 0; r < rows; r++) {
      const o = z + r * cols;
      const go = g + r * cols;
      const m = rowMax(f, o, cols);
      const s = rowSumExp(f, o, cols, m);
      const label = l[labels + r];
      for (let j = 0; j < cols; j++) f[go + j] = (Math.exp(f[o + j] - m) / s - (j === label ? 1 : 0)) / rows;
    }
  },
  sgd_f32(h: Heap, w: number, g: number, n: number, lr: number): void {
    const f = h.f32;
    w >>= 2; g >>= 2;
    for (let i = 0; i < n; i++) f[w + i] -= lr * f[g + i];
  },
  momentum_f32(h: Heap, w: number, g: number, v: number, n: number, lr: number, mu: number, nesterov: number): void {
    const f = h.f32;
    w >>= 2; g >>= 2; v >>= 2;
    for (let i = 0; i < n; i++) {
      const gi = f[g + i];
      const vi = (f[v + i] = mu * f[v + i] + gi);
      f[w + i] -= lr * (nesterov !== 0 ? gi + mu * vi : vi);
    }
  },
  adam_f32(
    h: Heap, w: number, g: number, m: number, v: number, n: number,
    lr: number, b1: number, b2: number, eps: number, t: number,
  ): void {
    const f = h.f32;
    w >>= 2; g >>= 2; m >>= 2; v >>= 2;
    const step = lr / (1 - b1 ** t);
    const invSqrtBc2 = 1 / Math.sqrt(1 - b2 ** t);
    for (let i = 0; i < n; i++) {
      const gi = f[g + i];
      const mi = (f[m + i] = b1 * f[m + i] + (1 - b1) * gi);
      const vi = (f[v + i] = b2 * f[v + i] + (1 - b2) * gi * gi);
      f[w + i] -= (step * mi) / (Math.sqrt(vi) * invSqrtBc2 + eps);
    }
  },
  dot_f32(h: Heap, a: number, b: number, n: number): number {
    const f = h.f32;
    a >>= 2; b >>= 2;
    let s = 0;
    for (let i = 0; i < n; i++) s += f[a + i] * f[b + i];
    return Math.fround(s);
  },
  axpy_f32(h: Heap, n: number, alpha: number, x: number, y: number): void {
    const f = h.f32;
    x >>= 2; y >>= 2;
    for (let i = 0; i < n; i++) f[y + i] += alpha * f[x + i];
  },
  gemv_f32(h: Heap, a: number, x: number, y: number, rows: number, cols: number): void {
    const f = h.f32;
    a >>= 2; x >>= 2; y >>= 2;
    for (let r = 0; r < rows; r++) {
      let s = 0;
      const o = a + r * cols;
      for (let j = 0; j < cols; j++) s += f[o + j] * f[x + j];
      f[y + r] = s;
    }
  },
  gemvT_f32(h: Heap, a: number, x: number, y: number, rows: number, cols: number): void {
    const f = h.f32;
    a >>= 2; x >>= 2; y >>= 2;
    const acc = new Float64Array(cols);
    for (let r = 0; r < rows; r++) {
      const xr = f[x + r];
      const o = a + r * cols;
      for (let j = 0; j < cols; j++) acc[j] += xr * f[o + j];
    }
    for (let j = 0; j < cols; j++) f[y + j] = acc[j];
  },
  matmul_f32(
    h: Heap, a: number, b: number, c: number, m: number, k: number, n: number, transA: number, transB: number,
  ): void {
    const f = h.f32;
    a >>= 2; b >>= 2; c >>= 2;
    // Element (i, p) of op(A) and (p, j) of op(B), for A stored m × k or (transA) k × m, and B
    // stored k × n or (transB) n × k.
    const [ars, acs] = transA !== 0 ? [1, m] : [k, 1];
    const [bps, bjs] = transB !== 0 ? [1, k] : [n, 1];
    const row = new Float64Array(n);
    for (let i = 0; i < m; i++) {
      row.fill(0);
      for (let p = 0; p < k; p++) {
        const av = f[a + i * ars + p * acs];
        const bo = b + p * bps;
        for (let j = 0; j < n; j++) row[j] += av * f[bo + j * bjs];
      }
      for (let j = 0; j < n; j++) f[c + i * n + j] = row[j];
    }
  },
  copy_f32(h: Heap, src: number, dst: number, n: number): void {
    h.u8.copyWithin(dst, src, src + n * 4);
  },
  fill_f32(h: Heap, dst: number, value: number, n: number): void {
    h.f32.fill(value, dst >> 2, (dst >> 2) + n);
  },
  addRow_f32(h: Heap, z: number, b: number, rows: number, cols: number): void {
    const f = h.f32;
    z >>= 2; b >>= 2;
    for (let r = 0; r < rows; r++) for (let j = 0; j < cols; j++) f[z + r * cols + j] += f[b + j];
  },
  blendCols_f32(h: Heap, src: number, dst: number, mask: number, rows: number, cols: number): void {
    const f = h.f32;
    const m = h.i32;
    src >>= 2; dst >>= 2; mask >>= 2;
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < cols; j++) if (m[mask + j] !== 0) f[dst + r * cols + j] = f[src + r * cols + j];
    }
  },
  colSums64_f64(h: Heap, a: number, rows: number, cols: number, out: number): void {
    const f = h.f32;
    const d = h.f64;
    a >>= 2; out >>= 3;
    d.fill(0, out, out + cols);
    for (let r = 0; r < rows; r++) for (let j = 0; j < cols; j++) d[out + j] += f[a + r * cols + j];
  },
  gram64_f64(h: Heap, a: number, y: number, shift: number, rows: number, cols: number, g: number, _scratch: number): void {
    // Same operations in the same order as the WASM kernel, so the result is bit-identical.
    const f = h.f32;
    const d = h.f64;
    a >>= 2; y >>= 2; shift >>= 2; g >>= 3;
    const w = cols + 1;
    d.fill(0, g, g + w * w);
    const u = new Float64Array(w);
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < cols; j++) u[j] = f[a + r * cols + j] - f[shift + j];
      u[cols] = f[y + r] - f[shift + cols];
      for (let i = 0; i < w; i++) {
        const gi = g + i * w;
        for (let j = i; j < w; j++) d[gi + j] += u[i] * u[j];
      }
    }
    for (let i = 0; i < w; i++) for (let j = 0; j < i; j++) d[g + i * w + j] = d[g + j * w + i];
  },
  denseMse1_f32(h: Heap, x: number, t: number, w: number, bias: number, rows: number, cols: number, n: number, gw: number, out: number, _scratch: number): void {
    dense1(h, x, t, w, bias, rows, cols, n, gw, out, (z, y) => (z - y) ** 2, (z, y) => (2 * (z - y)) / n);
  },
  denseBce1_f32(h: Heap, x: number, t: number, w: number, bias: number, rows: number, cols: number, n: number, gw: number, out: number, _scratch: number): void {
    dense1(h, x, t, w, bias, rows, cols, n, gw, out,
      (z, y) => Math.max(z, 0) - z * y + Math.log1p(Math.exp(-Math.abs(z))), (z, y) => (sigmoid64(z) - y) / n);
  },
} as const;

/** The fused one-unit dense pass (assembly/fused.ts) in float64: z, loss and d per row, gw = Σ d·x. */
function dense1(
  h: Heap, x: number, t: number, w: number, bias: number, rows: number, cols: number, _n: number, gw: number, out: number,
  loss: (z: number, y: number) => number, deriv: (z: number, y: number) => number,
): void {
  const f = h.f32;
  x >>= 2; t >>= 2; w >>= 2; gw >>= 2;
  const acc = new Float64Array(cols);
  let total = 0;
  let dsum = 0;
  for (let r = 0; r < rows; r++) {
    const o = x + r * cols;
    let z = Math.fround(bias);
    for (let j = 0; j < cols; j++) z += f[o + j] * f[w + j];
    const y = f[t + r];
    total += loss(z, y);
    const d = deriv(z, y);
    dsum += d;
    for (let j = 0; j < cols; j++) acc[j] += d * f[o + j];
  }
  for (let j = 0; j < cols; j++) f[gw + j] = acc[j];
  h.f64[out >> 3] = total;
  h.f64[(out >> 3) + 1] = dsum;
}

export type OpName = keyof typeof OPS_JS;
export const OP_NAMES = Object.keys(OPS_JS) as OpName[];
