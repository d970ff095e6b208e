// Property-based tests (fast-check): on random shapes, inputs and parameters, the three
// backends stay within the registry's bounds of the float64 reference and the two WASM builds
// agree bit for bit.
import fc from "fast-check";
import { beforeAll, describe, it } from "vitest";
import { ACTIVATIONS, type Activation } from "../src/registry.ts";
import type { Backend, Runtime } from "../src/index.ts";
import { runtimes, sameBits, worst } from "./helpers.ts";

let rts: Record<Backend, Runtime>;
beforeAll(async () => {
  rts = await runtimes();
});

/** Any float32, specials included (NaN, ±Inf, ±0, subnormals). */
const anyFloat = fc.float({ noDefaultInfinity: false, noNaN: false });
const domainFloat = (a: Activation) => fc.float({ min: Math.fround(a.domain[0]), max: Math.fround(a.domain[1]), noNaN: true });
const values = (a: Activation) => fc.array(fc.oneof({ weight: 1, arbitrary: anyFloat }, { weight: 4, arbitrary: domainFloat(a) }), { maxLength: 300 });

/** Parameters between half and three times their defaults. */
const params = (a: Activation) =>
  fc.tuple(...a.params.map((p) => fc.double({ min: 0.5, max: 3, noNaN: true }).map((k) => Math.fround(p.default * k))));

describe.each(ACTIVATIONS as readonly Activation[])("$name", (a) => {
  it("random inputs: every backend within tolerance, wasm-simd ≡ wasm", () => {
    fc.assert(
      fc.property(values(a), params(a), fc.integer({ min: 1, max: 9 }), (xs, p, colsSeed) => {
        const x = Float32Array.from(xs);
        const dy = Float32Array.from(xs, (_, i) => Math.fround(Math.sin(i + 1)));
        const named = Object.fromEntries(a.params.map((q, i) => [q.name, p[i]]));
        let cols = x.length;
        if (a.kind === "rowwise") {
          // A divisor of the length near colsSeed (1 row when the length is 0).
          cols = Math.max(1, [...Array(colsSeed).keys()].map((k) => colsSeed - k).find((c) => x.length % c === 0) ?? 1);
        }
        const opts = a.kind === "rowwise" ? { cols } : a.kind === "slope" ? { slope: 0.3 } : named;
        const out = (b: Backend) => ({
          y: rts[b].activation(a.name).forward(x, opts),
          dx: rts[b].activation(a.name).backward(x, dy, opts),
        });
        const s = out("wasm-simd"), w = out("wasm"), j = out("js");
        if (!sameBits(s.y, w.y).equal || !sameBits(s.dx, w.dx).equal) return false;
        if (a.kind === "rowwise") {
          for (let r = 0; r < x.length / cols; r++) {
            const row = Array.from(x.subarray(r * cols, (r + 1) * cols));
            const ref = a.reference.forward(row);
            const { dx, scale } = a.reference.backward(row, Array.from(dy.subarray(r * cols, (r + 1) * cols)));
            for (const got of [s, j]) {
              if (worst(got.y.subarray(r * cols, (r + 1) * cols), ref, row).ulps > a.ulps.forward) return false;
              if (worst(got.dx.subarray(r * cols, (r + 1) * cols), dx, row, scale).ulps > a.ulps.backward) return false;
            }
          }
          return true;
        }
        const pv = a.params.map((q) => named[q.name]);
        const fwd = (v: number) => (a.kind === "slope" ? a.reference.forward(v, Math.fround(0.3)) : a.reference.forward(v, pv));
        const der = (v: number) => (a.kind === "slope" ? a.reference.derivative(v, Math.fround(0.3)) : a.reference.derivative(v, pv));
        const refY = Array.from(x, fwd);
        const refDx = Array.from(x, (v, i) => dy[i] * der(v));
        return [s, j].every((got) => worst(got.y, refY, x).ulps <= a.ulps.forward && worst(got.dx, refDx, x).ulps <= a.ulps.backward);
      }),
      { numRuns: 150, seed: 20261128 },
    );
  });
});

describe("matmul", () => {
  it("random shapes: wasm-simd ≡ wasm, js within the float32 sum bound", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 12 }), fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 19 }), fc.integer(), (m, k, n, seed) => {
        const A = Float32Array.from({ length: m * k }, (_, i) => Math.fround(Math.sin(seed + i)));
        const B = Float32Array.from({ length: k * n }, (_, i) => Math.fround(Math.cos(seed - i)));
        const s = rts["wasm-simd"].matmul(A, B, { m, k, n });
        const w = rts.wasm.matmul(A, B, { m, k, n });
        const j = rts.js.matmul(A, B, { m, k, n });
        if (!sameBits(s, w).equal) return false;
        return Array.from(s).every((v, i) => Math.abs(v - j[i]) <= Math.max(k, 1) * 2 ** -23 * k + 1e-30);
      }),
      { numRuns: 200, seed: 7 },
    );
  });
});
