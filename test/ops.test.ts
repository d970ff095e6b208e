// Losses, weight updates and linear algebra on every backend: each against a float64 reference
// within a stated bound, the SIMD and scalar builds bit-identical, at every tail length.
import { beforeAll, describe, expect, it } from "vitest";
import type { Backend, Runtime } from "../src/index.ts";
import { LENGTHS, rng, runtimes, sameBits, ulpAt, uniform } from "./helpers.ts";

let rts: Record<Backend, Runtime>;
beforeAll(async () => {
  rts = await runtimes();
});

/**
 * One op case at size n: runs it on a runtime and returns its outputs; `reference` gives the
 * float64 values and, per value, the error allowed (absolute).
 */
interface Case {
  name: string;
  run(rt: Runtime, n: number, seed: number): Float32Array[];
  reference(n: number, seed: number): { values: number[][]; allowed: number[][] };
}

const u = (n: number, seed: number, lo = -3, hi = 3): Float32Array => uniform(n, lo, hi, seed);
const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));
/** `k` float32 ulps of a magnitude. */
const ulps = (k: number, magnitude: number): number => k * ulpAt(magnitude);
/** The classic bound of a float32 sum of n terms: n·2^-24·Σ|terms| (plus a subnormal floor). */
const sumBound = (n: number, absSum: number): number => Math.max(n, 1) * 2 ** -24 * absSum + 2 ** -140;

function labelsFor(rows: number, cols: number, seed: number): Int32Array {
  const r = rng(seed);
  return Int32Array.from({ length: rows }, () => Math.floor(r() * cols));
}

const CASES: Case[] = [
  {
    name: "mse + mseGrad",
    run: (rt, n, s) => {
      const p = u(n, s), t = u(n, s + 1);
      return [new Float32Array([n ? rt.mse(p, t) : 0]), rt.mseGrad(p, t)];
    },
    reference: (n, s) => {
      const p = u(n, s), t = u(n, s + 1);
      const d = Array.from(p, (v, i) => v - t[i]);
      const value = n ? d.reduce((a, b) => a + b * b, 0) / n : 0;
      return {
        values: [[value], d.map((v) => (2 * v) / n)],
        allowed: [[ulps(2, value)], d.map((v) => ulps(2, (2 * v) / n))],
      };
    },
  },
  {
    name: "bceWithLogits + bceWithLogitsGrad",
    run: (rt, n, s) => {
      const z = u(n, s, -20, 20), t = u(n, s + 1, 0, 1);
      return [new Float32Array([n ? rt.bceWithLogits(z, t) : 0]), rt.bceWithLogitsGrad(z, t)];
    },
    reference: (n, s) => {
      const z = u(n, s, -20, 20), t = u(n, s + 1, 0, 1);
      let sum = 0, mag = 0;
      z.forEach((v, i) => {
        const soft = Math.log1p(Math.exp(-Math.abs(v)));
        sum += Math.max(v, 0) - v * t[i] + soft;
        mag += Math.max(v, 0) + Math.abs(v * t[i]) + soft;
      });
      const g = Array.from(z, (v, i) => (sigmoid(v) - t[i]) / n);
      return {
        values: [[n ? sum / n : 0], g],
        allowed: [[ulps(4, n ? mag / n : 0)], Array.from(z, (v, i) => ulps(4, (sigmoid(v) + t[i]) / n))],
      };
    },
  },
  {
    name: "softmaxCrossEntropy + grad (rows of 10)",
    run: (rt, n, s) => {
      const rows = n, cols = 10;
      const z = u(rows * cols, s, -10, 10), l = labelsFor(rows, cols, s);
      return [
        new Float32Array([rows ? rt.softmaxCrossEntropy(z, l, { cols }) : 0]),
        rt.softmaxCrossEntropyGrad(z, l, { cols }),
      ];
    },
    reference: (n, s) => {
      const rows = n, cols = 10;
      const z = u(rows * cols, s, -10, 10), l = labelsFor(rows, cols, s);
      let total = 0, mag = 0;
      const g: number[] = [], allowed: number[] = [];
      for (let r = 0; r < rows; r++) {
        const row = Array.from(z.subarray(r * cols, (r + 1) * cols));
        const m = Math.max(...row);
        const sum = row.reduce((a, v) => a + Math.exp(v - m), 0);
        total += Math.log(sum) + m - row[l[r]];
        mag += Math.abs(m - row[l[r]]) + Math.log(sum);
        row.forEach((v, j) => {
          const p = Math.exp(v - m) / sum;
          g.push((p - (j === l[r] ? 1 : 0)) / rows);
          allowed.push(ulps(4, (p + 1) / rows));
        });
      }
      return { values: [[rows ? total / rows : 0], g], allowed: [[ulps(4, rows ? mag / rows : 0)], allowed] };
    },
  },
  {
    name: "sgd",
    run: (rt, n, s) => {
      const w = u(n, s), g = u(n, s + 1);
      rt.sgd(w, g, { lr: 0.1 });
      return [w];
    },
    reference: (n, s) => {
      const w = u(n, s), g = u(n, s + 1), lr = Math.fround(0.1);
      return {
        values: [Array.from(w, (v, i) => v - lr * g[i])],
        allowed: [Array.from(w, (v, i) => ulps(1, Math.abs(v) + Math.abs(lr * g[i])))],
      };
    },
  },
  {
    name: "momentum (Nesterov)",
    run: (rt, n, s) => {
      const w = u(n, s), g = u(n, s + 1), v = u(n, s + 2);
      rt.momentum(w, g, v, { lr: 0.05, momentum: 0.9, nesterov: true });
      return [w, v];
    },
    reference: (n, s) => {
      const w = u(n, s), g = u(n, s + 1), v = u(n, s + 2);
      const lr = Math.fround(0.05), mu = Math.fround(0.9);
      const v2 = Array.from(v, (vi, i) => mu * vi + g[i]);
      return {
        values: [Array.from(w, (wi, i) => wi - lr * (g[i] + mu * v2[i])), v2],
        allowed: [
          Array.from(w, (wi, i) => ulps(3, Math.abs(wi) + lr * (Math.abs(g[i]) + mu * (mu * Math.abs(v[i]) + Math.abs(g[i]))))),
          Array.from(v, (vi, i) => ulps(1, mu * Math.abs(vi) + Math.abs(g[i]))),
        ],
      };
    },
  },
  {
    name: "adam (step 3)",
    run: (rt, n, s) => {
      const w = u(n, s), g = u(n, s + 1), m = u(n, s + 2, -0.1, 0.1), v = u(n, s + 3, 0, 0.1);
      rt.adam(w, g, m, v, { step: 3, lr: 0.01 });
      return [w, m, v];
    },
    reference: (n, s) => {
      const w = u(n, s), g = u(n, s + 1), m = u(n, s + 2, -0.1, 0.1), v = u(n, s + 3, 0, 0.1);
      const [lr, b1, b2, eps] = [0.01, 0.9, 0.999, 1e-8].map(Math.fround);
      const m2 = Array.from(m, (mi, i) => b1 * mi + (1 - b1) * g[i]);
      const v2 = Array.from(v, (vi, i) => b2 * vi + (1 - b2) * g[i] * g[i]);
      const step = lr / (1 - b1 ** 3);
      const w2 = Array.from(w, (wi, i) => wi - (step * m2[i]) / (Math.sqrt(v2[i]) / Math.sqrt(1 - b2 ** 3) + eps));
      return {
        values: [w2, m2, v2],
        allowed: [
          Array.from(w, (wi, i) => ulps(4, Math.abs(wi) + Math.abs(w2[i] - wi))),
          Array.from(m, (mi, i) => ulps(2, b1 * Math.abs(mi) + (1 - b1) * Math.abs(g[i]))),
          Array.from(v, (vi, i) => ulps(3, b2 * vi + (1 - b2) * g[i] * g[i])),
        ],
      };
    },
  },
  {
    name: "dot",
    run: (rt, n, s) => [new Float32Array([rt.dot(u(n, s), u(n, s + 1))])],
    reference: (n, s) => {
      const a = u(n, s), b = u(n, s + 1);
      const terms = Array.from(a, (v, i) => v * b[i]);
      return {
        values: [[terms.reduce((x, y) => x + y, 0)]],
        allowed: [[sumBound(n, terms.reduce((x, y) => x + Math.abs(y), 0))]],
      };
    },
  },
  {
    name: "axpy",
    run: (rt, n, s) => {
      const y = u(n, s + 1);
      rt.axpy(0.7, u(n, s), y);
      return [y];
    },
    reference: (n, s) => {
      const x = u(n, s), y = u(n, s + 1), a = Math.fround(0.7);
      return {
        values: [Array.from(y, (v, i) => v + a * x[i])],
        allowed: [Array.from(y, (v, i) => ulps(1, Math.abs(v) + Math.abs(a * x[i])))],
      };
    },
  },
  {
    name: "gemv and gemvT (n × 7)",
    run: (rt, n, s) => {
      const A = u(n * 7, s);
      return [rt.gemv(A, u(7, s + 1), { rows: n, cols: 7 }), rt.gemvT(A, u(n, s + 2), { rows: n, cols: 7 })];
    },
    reference: (n, s) => {
      const A = u(n * 7, s), x = u(7, s + 1), xt = u(n, s + 2);
      const y: number[] = [], ya: number[] = [];
      for (let r = 0; r < n; r++) {
        let acc = 0, mag = 0;
        for (let j = 0; j < 7; j++) {
          acc += A[r * 7 + j] * x[j];
          mag += Math.abs(A[r * 7 + j] * x[j]);
        }
        y.push(acc);
        ya.push(sumBound(7, mag));
      }
      const yt: number[] = [], yta: number[] = [];
      for (let j = 0; j < 7; j++) {
        let acc = 0, mag = 0;
        for (let r = 0; r < n; r++) {
          acc += A[r * 7 + j] * xt[r];
          mag += Math.abs(A[r * 7 + j] * xt[r]);
        }
        yt.push(acc);
        yta.push(sumBound(n, mag));
      }
      return { values: [y, yt], allowed: [ya, yta] };
    },
  },
  {
    name: "matmul (n × 9 · 9 × 13)",
    run: (rt, n, s) => [rt.matmul(u(n * 9, s), u(9 * 13, s + 1), { m: n, k: 9, n: 13 })],
    reference: (n, s) => {
      const A = u(n * 9, s), B = u(9 * 13, s + 1);
      const c: number[] = [], allowed: number[] = [];
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < 13; j++) {
          let acc = 0, mag = 0;
          for (let p = 0; p < 9; p++) {
            acc += A[i * 9 + p] * B[p * 13 + j];
            mag += Math.abs(A[i * 9 + p] * B[p * 13 + j]);
          }
          c.push(acc);
          allowed.push(sumBound(9, mag));
        }
      }
      return { values: [c], allowed: [allowed] };
    },
  },
];

describe.each(CASES)("$name", (c) => {
  it.each(LENGTHS)("size %i: every backend within bounds of float64, wasm-simd ≡ wasm", (n) => {
    const seed = 1000 + n;
    const ref = c.reference(n, seed);
    const outs: Partial<Record<Backend, Float32Array[]>> = {};
    for (const backend of ["wasm-simd", "wasm", "js"] as const) {
      const got = c.run(rts[backend], n, seed);
      outs[backend] = got;
      got.forEach((out, k) => {
        expect(out.length).toBe(ref.values[k].length);
        out.forEach((v, i) => {
          const err = Math.abs(v - ref.values[k][i]);
          expect(err, `${backend} output ${k}[${i}] = ${v}, reference ${ref.values[k][i]}`)
            .toBeLessThanOrEqual(ref.allowed[k][i]);
        });
      });
    }
    outs["wasm-simd"]?.forEach((out, k) => {
      const same = sameBits(out, (outs.wasm as Float32Array[])[k]);
      expect(same.equal, `output ${k} differs at ${same.at}`).toBe(true);
    });
  });
});

describe("matmul blocking and transposes", () => {
  const layouts = [
    ["A·B", false, false],
    ["Aᵀ·B", true, false],
    ["A·Bᵀ", false, true],
  ] as const;
  const shapes = [[0, 3, 2], [1, 1, 1], [4, 3, 8], [5, 16, 9], [8, 33, 17], [13, 64, 31], [3, 0, 5]];
  describe.each(layouts)("%s", (_label, transposeA, transposeB) => {
    it.each(shapes)("m=%i k=%i n=%i: every backend within the float32 sum bound, wasm-simd ≡ wasm", (m, k, n) => {
      // Stored layouts: A is [m, k] or [k, m]; B is [k, n] or [n, k].
      const A = uniform(m * k, -1, 1, m + 7 * k), B = uniform(k * n, -1, 1, n + 3 * k);
      const a = (i: number, p: number): number => (transposeA ? A[p * m + i] : A[i * k + p]);
      const b = (p: number, j: number): number => (transposeB ? B[j * k + p] : B[p * n + j]);
      const opts = { m, k, n, transposeA, transposeB };
      const got = { simd: rts["wasm-simd"].matmul(A, B, opts), wasm: rts.wasm.matmul(A, B, opts), js: rts.js.matmul(A, B, opts) };
      expect(sameBits(got.simd, got.wasm).equal).toBe(true);
      for (const out of Object.values(got)) {
        expect(out.length).toBe(m * n);
        for (let i = 0; i < m; i++) {
          for (let j = 0; j < n; j++) {
            let acc = 0, mag = 0;
            for (let p = 0; p < k; p++) {
              acc += a(i, p) * b(p, j);
              mag += Math.abs(a(i, p) * b(p, j));
            }
            expect(Math.abs(out[i * n + j] - acc)).toBeLessThanOrEqual(sumBound(k, mag));
          }
        }
      }
    });
  });

  it("takes shapes from 2-D tensors: Xᵀ·dZ and dZ·Wᵀ of a dense layer", () => {
    const rt = rts["wasm-simd"];
    const X = rt.tensor(uniform(6 * 4, -1, 1, 1), [6, 4]); // batch 6, 4 inputs
    const dZ = rt.tensor(uniform(6 * 3, -1, 1, 2), [6, 3]); // 3 units
    const W = rt.tensor(uniform(4 * 3, -1, 1, 3), [4, 3]);
    const dW = rt.matmul(X, dZ, { transposeA: true });
    const dX = rt.matmul(dZ, W, { transposeB: true });
    expect(dW.shape).toEqual([4, 3]);
    expect(dX.shape).toEqual([6, 4]);
    expect(dW.data[0]).toBeCloseTo([0, 1, 2, 3, 4, 5].reduce((s, r) => s + X.data[r * 4] * dZ.data[r * 3], 0), 5);
    expect(dX.data[0]).toBeCloseTo([0, 1, 2].reduce((s, u) => s + dZ.data[u] * W.data[u], 0), 5);
  });
});

describe("loss gradients in place (out = the predictions/logits)", () => {
  it.each(["wasm-simd", "wasm", "js"] as const)("on %s: same bits as out of place, arrays and tensors", (backend) => {
    const rt = rts[backend];
    for (const n of [1, 5, 17, 1000]) {
      const p = uniform(n * 3, -4, 4, n), t = uniform(n * 3, 0, 1, n + 1);
      const labels = Int32Array.from({ length: n }, (_, i) => i % 3);
      const grads: [string, (x: Float32Array | ReturnType<Runtime["tensor"]>, out?: Float32Array | ReturnType<Runtime["tensor"]>) => unknown][] = [
        ["mseGrad", (x, out) => rt.mseGrad(x, t, { out })],
        ["bceWithLogitsGrad", (x, out) => rt.bceWithLogitsGrad(x, t, { out })],
        ["softmaxCrossEntropyGrad", (x, out) => rt.softmaxCrossEntropyGrad(x, labels, { cols: 3, out })],
      ];
      for (const [name, grad] of grads) {
        const expected = grad(p) as Float32Array;
        const arr = p.slice();
        grad(arr, arr);
        expect(sameBits(arr, expected).equal, `${name} on an array, n = ${n}`).toBe(true);
        const tensor = rt.tensor(p);
        grad(tensor, tensor);
        expect(sameBits(tensor.data, expected).equal, `${name} on a tensor, n = ${n}`).toBe(true);
        tensor.dispose();
      }
    }
  });
});
