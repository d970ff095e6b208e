// Derivatives checked by finite differences: the registry's float64 derivative references
// against central differences of the forward references, and every backend's backward kernel
// against the same differences (away from kinks and thresholds, where they are not defined).
import { beforeAll, describe, expect, it } from "vitest";
import { ACTIVATIONS, type Activation, type Elementwise, type Rowwise, type Slope } from "../src/registry.ts";
import type { Backend, Runtime } from "../src/index.ts";
import { BACKEND_NAMES, runtimes, uniform } from "./helpers.ts";

let rts: Record<Backend, Runtime>;
beforeAll(async () => {
  rts = await runtimes();
});

const all = ACTIVATIONS as readonly Activation[];
const H = 1e-5;

/** Central difference of f at x in float64. */
const central = (f: (v: number) => number, x: number): number => (f(x + H) - f(x - H)) / (2 * H);

/** Points of the domain that keep 10·H away from the kink at 0 and the softplus threshold. */
function points(a: Activation, n: number): Float32Array {
  return uniform(n, a.domain[0], a.domain[1], 17).map((v) => (Math.abs(v) < 10 * H ? v + 0.5 : v));
}

describe.each(all.filter((a): a is Elementwise => a.kind === "elementwise"))("$name", (a) => {
  const p = a.params.map((q) => Math.fround(q.default));
  const x = points(a, 400);
  const fd = Array.from(x, (v) => central((t) => a.reference.forward(t, p), v));

  it("reference derivative = finite differences of the reference", () => {
    x.forEach((v, i) => {
      expect(Math.abs(a.reference.derivative(v, p) - fd[i]), `at x = ${v}`).toBeLessThanOrEqual(1e-6 * (1 + Math.abs(fd[i])));
    });
  });

  it.each(BACKEND_NAMES)("backward on %s = finite differences (dy = 1)", (backend) => {
    const dx = rts[backend].activation(a.name).backward(x, new Float32Array(x.length).fill(1));
    x.forEach((v, i) => {
      expect(Math.abs(dx[i] - fd[i]), `at x = ${v}`).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(fd[i])));
    });
  });
});

describe.each(all.filter((a): a is Rowwise => a.kind === "rowwise"))("$name", (a) => {
  const cols = 6;
  const x = uniform(4 * cols, -5, 5, 23);
  const dy = uniform(4 * cols, -1, 1, 29);
  /** d/dx_j of Σ_k dy_k·f(x)_k, by central differences, one row at a time. */
  const fd: number[] = [];
  for (let r = 0; r < 4; r++) {
    const row = Array.from(x.subarray(r * cols, (r + 1) * cols));
    const g = Array.from(dy.subarray(r * cols, (r + 1) * cols));
    const L = (v: number[]): number => a.reference.forward(v).reduce((s, y, k) => s + g[k] * y, 0);
    for (let j = 0; j < cols; j++) fd.push(central((t) => L(row.map((v, k) => (k === j ? t : v))), row[j]));
  }

  it("reference backward = finite differences of the reference", () => {
    for (let r = 0; r < 4; r++) {
      const { dx } = a.reference.backward(
        Array.from(x.subarray(r * cols, (r + 1) * cols)), Array.from(dy.subarray(r * cols, (r + 1) * cols)),
      );
      dx.forEach((d, j) => expect(Math.abs(d - fd[r * cols + j])).toBeLessThanOrEqual(1e-7));
    }
  });

  it.each(BACKEND_NAMES)("backward on %s = finite differences", (backend) => {
    const dx = rts[backend].activation(a.name).backward(x, dy, { cols });
    dx.forEach((d, i) => expect(Math.abs(d - fd[i]), `element ${i}`).toBeLessThanOrEqual(1e-6));
  });
});

describe.each(all.filter((a): a is Slope => a.kind === "slope"))("$name", (a) => {
  const x = points(a, 300);
  const slope = Float32Array.from([0.1, 0.7, -0.3]);
  const dy = uniform(x.length, -1, 1, 31);

  it("reference derivatives in x and in the slope = finite differences", () => {
    x.forEach((v) => {
      for (const s of slope) {
        expect(Math.abs(a.reference.derivative(v, s) - central((t) => a.reference.forward(t, s), v))).toBeLessThanOrEqual(1e-6);
        expect(Math.abs(a.reference.slopeDerivative(v, s) - central((t) => a.reference.forward(v, t), s)))
          .toBeLessThanOrEqual(1e-6 * (1 + Math.abs(v)));
      }
    });
  });

  it.each(BACKEND_NAMES)("slope gradient on %s = finite differences of Σ dy·prelu(x; slope)", (backend) => {
    const dslope = new Float32Array(3);
    rts[backend].activation(a.name).backward(x, dy, { slope, dslope });
    for (let j = 0; j < 3; j++) {
      const L = (t: number): number =>
        Array.from(x).reduce((s, v, i) => s + dy[i] * a.reference.forward(v, i % 3 === j ? t : slope[i % 3]), 0);
      expect(Math.abs(dslope[j] - central(L, slope[j]))).toBeLessThanOrEqual(1e-4);
    }
  });
});
