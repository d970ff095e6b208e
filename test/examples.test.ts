// The examples in examples/ answer the course's questions with numbers; these tests run each
// example's main() (its printing silenced) and hold it to the claims its text makes.
import { readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from "vitest";
import { main as whyActivations } from "../examples/01-why-activations.ts";
import { main as perLayerOrPerNeuron } from "../examples/02-per-layer-or-per-neuron.ts";
import { main as gradientDescentVsClosedForm } from "../examples/03-gradient-descent-vs-closed-form.ts";
import { main as regressionAsANetwork } from "../examples/04-regression-as-a-network.ts";
import { parseCsv, type Matrix } from "../src/index.ts";

let log: MockInstance<typeof console.log>;
beforeEach(() => {
  log = vi.spyOn(console, "log").mockImplementation(() => {});
});
afterEach(() => {
  log.mockRestore();
});

const printed = (): string => log.mock.calls.map((args) => args.join(" ")).join("\n");

/** The least-squares MSE of y on X (with an intercept), by the normal equations solved in float64. */
function leastSquaresMse(X: Matrix, y: ArrayLike<number>): number {
  const d = X.cols + 1;
  const row = (r: number): number[] => [...X.data.subarray(r * X.cols, (r + 1) * X.cols), 1];
  const A = Array.from({ length: d }, () => new Array<number>(d + 1).fill(0));
  for (let r = 0; r < X.rows; r++) {
    const x = row(r);
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) A[i][j] += x[i] * x[j];
      A[i][d] += x[i] * y[r];
    }
  }
  for (let c = 0; c < d; c++) {
    const p = A.reduce((best, _, r) => (r >= c && Math.abs(A[r][c]) > Math.abs(A[best][c]) ? r : best), c);
    [A[c], A[p]] = [A[p], A[c]];
    for (let r = 0; r < d; r++) {
      if (r === c) continue;
      const f = A[r][c] / A[c][c];
      for (let j = c; j <= d; j++) A[r][j] -= f * A[c][j];
    }
  }
  const w = A.map((a, i) => a[d] / a[i]);
  let s = 0;
  for (let r = 0; r < X.rows; r++) {
    const x = row(r);
    s += (x.reduce((acc, v, i) => acc + v * w[i], 0) - y[r]) ** 2;
  }
  return s / X.rows;
}

describe("examples", () => {
  it("01: stacked linear layers collapse into one; activations are what fit XOR", async () => {
    const r = await whyActivations();
    expect(r.stackParameters).toBe(2 * 8 + 8 + 8 * 8 + 8 + 8 + 1);
    expect(r.collapsedParameters).toBe(3);
    expect(r.collapseError).toBeLessThan(1e-4);
    // No straight line classifies more than about 2/3 of XOR; the linear stack is one.
    expect(r.accuracy.logistic).toBeLessThanOrEqual(0.75);
    expect(r.accuracy.linearStack).toBeLessThanOrEqual(0.75);
    expect(r.accuracy.linearStack).toBeLessThanOrEqual(r.accuracy.logistic + 0.03);
    expect(r.accuracy.tanhStack).toBeGreaterThanOrEqual(0.95);
    expect(r.accuracy.reluStack).toBeGreaterThanOrEqual(0.95);
    expect(printed()).toContain(`largest difference ${r.collapseError.toExponential(1)}`);
  });

  it("02: per-layer and per-neuron activations both fit; PReLU learns a slope per layer or per neuron", async () => {
    const r = await perLayerOrPerNeuron();
    expect(r.rows.map((row) => row.slopes?.length)).toEqual([undefined, 1, 4, 4]);
    for (const row of r.rows) {
      expect(row.accuracy, row.name).toBeGreaterThanOrEqual(0.95);
      expect(row.loss, row.name).toBeLessThan(0.15);
    }
    const [, perLayer, perNeuron, mixed] = r.rows.map((row) => row.slopes ?? []);
    expect(perLayer[0]).not.toBe(0.25);
    for (const s of perNeuron) expect(s).not.toBe(0.25);
    // In the mixed layer only the last neuron is a PReLU: the other slopes are never used.
    expect(mixed.slice(0, 3)).toEqual([0.25, 0.25, 0.25]);
    expect(mixed[3]).not.toBe(0.25);
    expect(r.msPerEpoch.perLayer).toBeGreaterThan(0);
    expect(r.msPerEpoch.perNeuron).toBeGreaterThan(0);
    expect(printed()).toContain("per neuron: relu, tanh, sigmoid, prelu");
  });

  it("03: the closed form is the exact optimum; gradient descent gets within 1e-3 of it", async () => {
    const r = await gradientDescentVsClosedForm();
    const { X, y } = parseCsv(readFileSync(new URL("../data/penguins.csv", import.meta.url), "utf8"), { target: "body_mass_g" });
    const optimum = leastSquaresMse(X, y as Float32Array);
    const [normal, adam, momentum] = r.penguins;
    expect(normal.solver).toMatch(/closed form/);
    expect(Math.abs(normal.mse - optimum) / optimum).toBeLessThan(1e-6);
    expect(normal.epochs).toBe(0);
    expect([adam.epochs, momentum.epochs]).toEqual([1000, 3000]);
    for (const gd of [adam, momentum]) {
      expect(normal.mse).toBeLessThanOrEqual(gd.mse * (1 + 1e-6));
      expect(gd.gap).toBeLessThan(1e-3);
      expect(gd.gap).toBe((gd.mse - normal.mse) / normal.mse);
    }
    for (const row of r.penguins) expect(row.ms).toBeGreaterThan(0);
    expect(r.wide.map((w) => w.features)).toEqual([10, 100, 400]);
    for (const w of r.wide) {
      // The timings compare like with like: gradient descent reached the optimum too.
      expect(Math.abs(w.gdGap)).toBeLessThan(1e-5);
      expect(w.normalMs).toBeGreaterThan(0);
      expect(w.gdMs).toBeGreaterThan(0);
    }
  });

  it("04: linear and logistic regression train exactly as the one-layer network they are", async () => {
    const r = await regressionAsANetwork();
    expect(r.rows.map((row) => row.parameters)).toEqual([3 + 1, 4 + 1, 4 * 3 + 3]);
    for (const row of r.rows) {
      expect(row.maxDifference, row.model).toBeLessThanOrEqual(1e-6);
      expect(row.referenceError, row.model).toBeLessThan(1e-5);
    }
  });
});
