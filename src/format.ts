// How descent's objects print: float32 values in their shortest form, tensors as nested lists
// elided past a size as NumPy and PyTorch do, byte counts, and the hook Node's util.inspect (and
// so console.log) calls. No runtime internals ever reach the text.

/** The key util.inspect looks for; a registered symbol, so no import of node:util is needed. */
export const INSPECT = Symbol.for("nodejs.util.inspect.custom");

/** What util.inspect passes to a custom inspector (the part used here). */
export interface InspectOptions {
  stylize?: (text: string, style: string) => string;
}

/** The shortest decimal that reads back as the same float32 (0.1, not 0.10000000149011612). */
export function formatFloat32(v: number): string {
  if (Object.is(v, -0)) return "-0";
  if (!Number.isFinite(v) || Number.isInteger(v) && Math.abs(v) < 1e21) return String(v);
  for (let p = 1; p < 10; p++) {
    const s = Number(v.toPrecision(p));
    if (Math.fround(s) === v) return String(s);
  }
  return String(v);
}

/** Above this many values a tensor prints its first and last few per dimension (NumPy's and PyTorch's threshold). */
export const PRINT_THRESHOLD = 1000;
/** Values kept at each end of an elided dimension (NumPy's and PyTorch's edgeitems). */
export const EDGE_ITEMS = 3;

/**
 * Values of a row-major array of `shape` as nested lists, `[[1, 2], [3, 4]]`; with more than
 * PRINT_THRESHOLD values, every dimension longer than 2·EDGE_ITEMS shows its ends around "…".
 * A shape of no dimensions is a scalar.
 */
export function formatValues(values: ArrayLike<number>, shape: readonly number[], number: (text: string) => string = (s) => s): string {
  const elide = values.length > PRINT_THRESHOLD;
  const strides = shape.map((_, d) => shape.slice(d + 1).reduce((a, b) => a * b, 1));
  const level = (d: number, offset: number): string => {
    if (d === shape.length) return number(formatFloat32(values[offset]));
    const n = shape[d];
    const indices = elide && n > 2 * EDGE_ITEMS
      ? [...Array.from({ length: EDGE_ITEMS }, (_, i) => i), -1, ...Array.from({ length: EDGE_ITEMS }, (_, i) => n - EDGE_ITEMS + i)]
      : Array.from({ length: n }, (_, i) => i);
    return `[${indices.map((i) => (i < 0 ? "…" : level(d + 1, offset + i * strides[d]))).join(", ")}]`;
  };
  return level(0, 0);
}

/** A byte count in B, KiB, MiB or GiB, with three significant digits. */
export function formatBytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB"];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} B` : `${Number(v.toPrecision(3))} ${units[u]}`;
}

/** "1 tensor", "3 tensors". */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}
