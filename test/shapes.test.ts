// Every activation kernel at every SIMD tail length (0–17), long and odd sizes, and in place:
// the SIMD and scalar builds must agree bit for bit, the js backend within the registry's
// tolerance, and an in-place call must give exactly what an out-of-place call gives.
import { beforeAll, describe, expect, it } from "vitest";
import { ACTIVATIONS, type Activation } from "../src/registry.ts";
import type { Backend, Runtime, Tensor } from "../src/index.ts";
import { LENGTHS, SPECIALS, runtimes, sameBits, uniform, worst } from "./helpers.ts";

let rts: Record<Backend, Runtime>;
beforeAll(async () => {
  rts = await runtimes();
});

/** Options that make a call valid for any activation at length n: one row, a shared slope. */
function optionsFor(a: Activation, n: number): { cols?: number; slope?: number } {
  if (a.kind === "rowwise") return { cols: Math.max(n, 1) };
  if (a.kind === "slope") return { slope: 0.3 };
  return {};
}

/** Inputs with special values mixed in, so tails see them too. */
function inputs(n: number, seed: number, domain: readonly [number, number]): Float32Array {
  const x = uniform(n, domain[0], domain[1], seed);
  for (let i = 0; i < n; i += 5) x[i] = SPECIALS[(seed + i) % SPECIALS.length];
  return x;
}

describe.each(ACTIVATIONS as readonly Activation[])("$name", (a) => {
  it.each(LENGTHS)("length %i: wasm-simd ≡ wasm bit for bit, js within tolerance", (n) => {
    // Row-wise ops see one row of n (n = 0 is an empty input: zero rows of one column).
    const x = a.kind === "rowwise" ? uniform(n, a.domain[0], a.domain[1], n + 1) : inputs(n, n + 1, a.domain);
    const dy = uniform(n, -2, 2, n + 2);
    const opts = optionsFor(a, n);
    const run = (b: Backend) => ({
      y: rts[b].activation(a.name).forward(x, opts),
      dx: rts[b].activation(a.name).backward(x, dy, opts),
    });
    const simd = run("wasm-simd");
    const scalar = run("wasm");
    const js = run("js");
    const f = sameBits(simd.y, scalar.y);
    expect(f.equal, `forward differs at ${f.at}: ${simd.y[f.at]} vs ${scalar.y[f.at]}`).toBe(true);
    const b = sameBits(simd.dx, scalar.dx);
    expect(b.equal, `backward differs at ${b.at}: ${simd.dx[b.at]} vs ${scalar.dx[b.at]}`).toBe(true);
    expect(simd.y.length).toBe(n);
    // js and wasm are each within the tolerance of float64, so within twice it of each other.
    expect(worst(simd.y, js.y, x).ulps).toBeLessThanOrEqual(2 * a.ulps.forward + 1);
    if (a.kind !== "rowwise") expect(worst(simd.dx, js.dx, x).ulps).toBeLessThanOrEqual(2 * a.ulps.backward + 1);
  });

  it.each([1, 5, 17, 1000])("in place (out = x) on every backend, length %i", (n) => {
    for (const backend of ["wasm-simd", "wasm", "js"] as const) {
      const rt = rts[backend];
      const op = rt.activation(a.name);
      const x = inputs(n, 3 * n, a.domain);
      const dy = uniform(n, -1, 1, 5 * n);
      const opts = optionsFor(a, n);
      const y = op.forward(x, opts);
      const dx = op.backward(x, dy, opts);

      // Tensors: forward into x itself, backward into dy itself and into x itself.
      const tx: Tensor = rt.tensor(x);
      expect(op.forward(tx, { ...opts, out: tx })).toBe(tx);
      expect(sameBits(tx.data, y).equal).toBe(true);
      const tx2 = rt.tensor(x);
      const tdy = rt.tensor(dy);
      op.backward(tx2, tdy, { ...opts, out: tdy });
      expect(sameBits(tdy.data, dx).equal).toBe(true);
      const tdy2 = rt.tensor(dy);
      op.backward(tx2, tdy2, { ...opts, out: tx2 });
      expect(sameBits(tx2.data, dx).equal).toBe(true);
      [tx, tx2, tdy, tdy2].forEach((t) => t.dispose());

      // Plain arrays: out = x overwrites the caller's array with the result.
      const copy = x.slice();
      expect(op.forward(copy, { ...opts, out: copy })).toBe(copy);
      expect(sameBits(copy, y).equal).toBe(true);
    }
  });
});

describe("empty tensors", () => {
  it.each(["wasm-simd", "wasm", "js"] as const)("row-wise ops on a [2, 0] tensor on %s give an empty result", (backend) => {
    const rt = rts[backend];
    const t = rt.zeros([2, 0]);
    expect(rt.activations.softmax.forward(t).shape).toEqual([2, 0]);
    expect(rt.activations.logSoftmax.backward(t, t).length).toBe(0);
  });
});

describe("pointer level", () => {
  it.each(["wasm-simd", "wasm", "js"] as const)("prelu on %s never writes past n when n is not a multiple of cols", (backend) => {
    const rt = rts[backend];
    const n = 10, cols = 4, guard = 8;
    const x = rt.tensor(uniform(n, -1, 1, 1));
    const slope = rt.tensor([0.1, 0.2, 0.3, 0.4]);
    const y = rt.tensor(new Float32Array(n + guard).fill(7));
    const dx = rt.tensor(new Float32Array(n + guard).fill(7));
    const dslope = rt.tensor(4);
    rt.kernels.prelu_f32(x.ptr, y.ptr, n, slope.ptr, cols);
    rt.kernels.prelu_grad_f32(x.ptr, x.ptr, dx.ptr, n, slope.ptr, cols, dslope.ptr);
    expect(Array.from(y.data.subarray(n))).toEqual(new Array(guard).fill(7));
    expect(Array.from(dx.data.subarray(n))).toEqual(new Array(guard).fill(7));
    for (let i = 0; i < n; i++) {
      const v = x.data[i];
      expect(y.data[i]).toBe(v > 0 ? v : Math.fround(slope.data[i % cols] * v));
    }
  });
});
