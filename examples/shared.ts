// Small helpers the examples share: seeded random data sets, a median timer and a plain-text
// table. Nothing here is part of descent's API; the examples import descent from ../src/index.ts.
import { matrix, type Matrix } from "../src/index.ts";
import { mulberry32 as random } from "../src/random.ts";

/** mulberry32 (descent's own seeded generator): numbers in [0, 1), the same every run. */
export { mulberry32 as random } from "../src/random.ts";

/** A standard normal draw (Box–Muller). */
export function gaussian(r: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
}

/** Points uniform in [−1, 1]², labelled by `label`. */
function labelled(rows: number, seed: number, label: (a: number, b: number) => number): { X: Matrix; y: number[] } {
  const r = random(seed);
  const data = new Float32Array(rows * 2);
  const y: number[] = [];
  for (let i = 0; i < rows; i++) {
    const a = 2 * r() - 1;
    const b = 2 * r() - 1;
    data[2 * i] = a;
    data[2 * i + 1] = b;
    y.push(label(a, b));
  }
  return { X: matrix(data, rows, 2), y };
}

/** XOR: labelled 1 when both coordinates have the same sign. */
export function xor(rows: number, seed: number): { X: Matrix; y: number[] } {
  return labelled(rows, seed, (a, b) => (a * b > 0 ? 1 : 0));
}

/** A disc inside a ring: labelled 1 inside the circle of radius 0.6. */
export function circles(rows: number, seed: number): { X: Matrix; y: number[] } {
  return labelled(rows, seed, (a, b) => (a * a + b * b < 0.36 ? 1 : 0));
}

/** The mean squared error of predictions against targets, in float64. */
export function meanSquaredError(pred: ArrayLike<number>, y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) s += (pred[i] - y[i]) ** 2;
  return s / y.length;
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Runs `fn` `runs` times (after one untimed warm-up run unless `warmUp` is false); returns the
 * median wall time in milliseconds and the last result.
 */
export async function timed<T>(runs: number, fn: () => Promise<T>, warmUp = true): Promise<{ ms: number; result: T }> {
  if (warmUp) await fn();
  const times: number[] = [];
  let result: T | undefined;
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    result = await fn();
    times.push(performance.now() - start);
  }
  return { ms: median(times), result: result as T };
}

/** A number in a few significant digits: 0.1234, 1.2e-7, 152431. */
export function fmt(x: number, digits = 3): string {
  if (x === 0) return "0";
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a >= 1e-3 && a < 1e6) return Number(x.toPrecision(digits)).toString();
  return x.toExponential(digits - 1);
}

const NUMBER = /^(—|[-+]?\d[\d.]*(e[-+]?\d+)?×?)$/;

/** Prints rows as a table with aligned columns (text left, numbers right). */
export function printTable(header: readonly string[], rows: readonly (readonly (string | number)[])[]): void {
  const cells = rows.map((row) => row.map((c) => (typeof c === "number" ? fmt(c) : c)));
  const widths = header.map((h, j) => Math.max(h.length, ...cells.map((row) => row[j].length)));
  const numeric = header.map((_, j) => cells.every((row) => NUMBER.test(row[j])));
  const line = (row: readonly string[]): string =>
    row.map((c, j) => (numeric[j] ? c.padStart(widths[j]) : c.padEnd(widths[j]))).join("  ").trimEnd();
  console.log(line(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const row of cells) console.log(line(row));
}
