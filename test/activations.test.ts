// Every activation of the registry, forward and backward, on every backend, against its float64
// reference within the registry's ulp tolerance: the special values, about 2^18 inputs spread
// over the whole float32 range, and random inputs from the activation's domain.
import { beforeAll, describe, expect, it } from "vitest";
import { ACTIVATIONS, type Activation, type Elementwise, type Rowwise, type Slope } from "../src/registry.ts";
import type { Backend, Runtime } from "../src/index.ts";
import { BACKEND_NAMES, SPECIALS, runtimes, sweep, ulpError, uniform, worst } from "./helpers.ts";

let rts: Record<Backend, Runtime>;
beforeAll(async () => {
  rts = await runtimes();
});

/** Defaults, then each parameter halved and tripled. */
function paramSets(a: Activation): number[][] {
  const base = a.params.map((p) => p.default);
  const sets = [base];
  a.params.forEach((_, i) => {
    for (const k of [0.5, 3]) sets.push(base.map((v, j) => (i === j ? v * k : v)));
  });
  return sets.map((s) => s.map(Math.fround));
}

function named(a: Activation, values: number[]): Record<string, number> {
  return Object.fromEntries(a.params.map((p, i) => [p.name, values[i]]));
}

const elementwise = (ACTIVATIONS as readonly Activation[]).filter((a): a is Elementwise => a.kind === "elementwise");
const rowwise = (ACTIVATIONS as readonly Activation[]).filter((a): a is Rowwise => a.kind === "rowwise");
const slopes = (ACTIVATIONS as readonly Activation[]).filter((a): a is Slope => a.kind === "slope");

const wide = (domain: readonly [number, number]): Float32Array =>
  Float32Array.from([...SPECIALS, ...sweep(1 << 18), ...uniform(1 << 14, domain[0], domain[1], 7)]);

describe.each(elementwise)("$name", (a) => {
  const x = wide(a.domain);
  const dy = uniform(x.length, -2, 2, 11);
  describe.each(BACKEND_NAMES)("on %s", (backend) => {
    it.each(paramSets(a).map((p) => [JSON.stringify(named(a, p)), p] as const))(
      `forward within ${a.ulps.forward} ulp with %s`,
      (_label, p) => {
        const y = rts[backend].activation(a.name).forward(x, named(a, p));
        const ref = Array.from(x, (v) => a.reference.forward(v, p));
        const w = worst(y, ref, x);
        expect(w.ulps, `worst at x = ${w.x}: got ${w.got}, reference ${w.ref}`).toBeLessThanOrEqual(a.ulps.forward);
      },
    );
    it.each(paramSets(a).map((p) => [JSON.stringify(named(a, p)), p] as const))(
      `backward within ${a.ulps.backward} ulp with %s`,
      (_label, p) => {
        const dx = rts[backend].activation(a.name).backward(x, dy, named(a, p));
        const ref = Array.from(x, (v, i) => dy[i] * a.reference.derivative(v, p));
        const w = worst(dx, ref, x);
        expect(w.ulps, `worst at x = ${w.x}: got ${w.got}, reference ${w.ref}`).toBeLessThanOrEqual(a.ulps.backward);
      },
    );
  });
});

const COLS = [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 1000];

/** Rows of random values, plus rows holding the special values among ordinary ones. */
function rowsFor(a: Rowwise, cols: number, seed: number): Float32Array {
  const rows = 4;
  const x = uniform(rows * cols, a.domain[0], a.domain[1], seed);
  // Row 1 spans a huge range (shifts far beyond exp's range); row 2 holds tiny values.
  for (let j = 0; j < cols; j++) {
    x[cols + j] = j % 2 === 0 ? x[cols + j] * 1e4 : -1e30;
    x[2 * cols + j] = x[2 * cols + j] * 1e-30;
  }
  return x;
}

function checkRows(a: Rowwise, backend: Backend, x: Float32Array, cols: number): void {
  const rt = rts[backend];
  const dy = uniform(x.length, -2, 2, cols);
  const y = rt.activation(a.name).forward(x, { cols });
  const dx = rt.activation(a.name).backward(x, dy, { cols });
  const refY: number[] = [];
  const refDx: number[] = [];
  const scale: number[] = [];
  for (let r = 0; r < x.length / cols; r++) {
    const row = Array.from(x.subarray(r * cols, (r + 1) * cols));
    refY.push(...a.reference.forward(row));
    const b = a.reference.backward(row, Array.from(dy.subarray(r * cols, (r + 1) * cols)));
    refDx.push(...b.dx);
    scale.push(...b.scale);
  }
  const wy = worst(y, refY, x);
  expect(wy.ulps, `forward worst at element ${wy.at} (x = ${wy.x}): got ${wy.got}, reference ${wy.ref}`)
    .toBeLessThanOrEqual(a.ulps.forward);
  const wd = worst(dx, refDx, x, scale);
  expect(wd.ulps, `backward worst at element ${wd.at} (x = ${wd.x}): got ${wd.got}, reference ${wd.ref}`)
    .toBeLessThanOrEqual(a.ulps.backward);
}

describe.each(rowwise)("$name", (a) => {
  describe.each(BACKEND_NAMES)("on %s", (backend) => {
    it.each(COLS)(`rows of %i within ${a.ulps.forward}/${a.ulps.backward} ulp`, (cols) => {
      checkRows(a, backend, rowsFor(a, cols, cols * 31), cols);
    });

    it("rows holding special values", () => {
      const finite = SPECIALS.filter((v) => Number.isFinite(v));
      // A row per special value s: [s, 1, -2, s/2, -Inf]; each is compared with the reference,
      // whose NaN rows (a NaN or +Inf inside, or only -Inf) must be NaN rows in the kernels too.
      const rows = [...SPECIALS, ...finite.map((v) => v / 3)].map((s) => [s, 1, -2, s / 2, -Infinity]);
      rows.push([-Infinity, -Infinity, -Infinity, -Infinity, -Infinity]);
      checkRows(a, backend, Float32Array.from(rows.flat()), 5);
    });
  });
});

describe.each(slopes)("$name", (a) => {
  const cols = 7;
  const x = Float32Array.from([...SPECIALS, ...uniform(7 * 300 - SPECIALS.length, a.domain[0], a.domain[1], 3)]);
  const dy = uniform(x.length, -2, 2, 5);
  const perFeature = uniform(cols, -0.5, 1.5, 9);
  describe.each(BACKEND_NAMES)("on %s", (backend) => {
    it.each([
      ["shared slope", new Float32Array([Math.fround(0.2)])],
      ["per-feature slopes", perFeature],
    ] as const)("exact forward and dx, slope gradient as the float64 sum, with a %s", (_label, slope) => {
      const rt = rts[backend];
      const y = rt.activation(a.name).forward(x, { slope });
      const dslope = new Float32Array(slope.length);
      const dx = rt.activation(a.name).backward(x, dy, { slope, dslope });
      const at = (i: number): number => slope[slope.length === 1 ? 0 : i % cols];
      expect(worst(y, Array.from(x, (v, i) => a.reference.forward(v, at(i))), x).ulps).toBe(0);
      expect(worst(dx, Array.from(x, (v, i) => dy[i] * a.reference.derivative(v, at(i))), x).ulps).toBe(0);
      const sums = new Float64Array(slope.length);
      const mags = new Float64Array(slope.length);
      x.forEach((v, i) => {
        const j = slope.length === 1 ? 0 : i % cols;
        sums[j] += dy[i] * a.reference.slopeDerivative(v, at(i));
        mags[j] += Math.abs(dy[i] * a.reference.slopeDerivative(v, at(i)));
      });
      for (let j = 0; j < slope.length; j++) {
        if (Number.isNaN(sums[j])) expect(dslope[j]).toBeNaN();
        // Per-feature slope gradients are float32 sums (the shared one is float64): where the
        // terms' magnitudes exceed float32's range the sum may only be non-finite, as any
        // float32 sum would be; otherwise it is within n·2^-24 of the magnitude of its terms.
        else if (mags[j] > 3.4e38 && slope.length > 1) expect(Number.isFinite(dslope[j])).toBe(false);
        else if (slope.length === 1) expect(ulpError(dslope[j], sums[j], mags[j])).toBeLessThanOrEqual(1);
        else expect(Math.abs(dslope[j] - sums[j])).toBeLessThanOrEqual(mags[j] * (x.length / cols) * 2 ** -24 + 1e-30);
      }
    });
  });
});
