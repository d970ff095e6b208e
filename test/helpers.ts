// Shared test tools: the three backends, float32 ulp measurement, seeded random data and the
// special values every kernel is fed.
import { createRuntime, type Backend, type Runtime } from "../src/index.ts";
import { mulberry32 } from "../src/random.ts";
import { hasRelaxedSimd } from "../src/wasm.ts";

/**
 * The backends this engine runs: the relaxed-SIMD build where relaxed SIMD validates (Node ≥ 22;
 * Node 20 with --experimental-wasm-relaxed-simd), then wasm-simd, wasm and js.
 */
export const BACKEND_NAMES: readonly Backend[] = [...(hasRelaxedSimd() ? ["wasm-relaxed" as const] : []), "wasm-simd", "wasm", "js"];

/** One independent runtime per backend of BACKEND_NAMES, created once per test file. */
export async function runtimes(): Promise<Record<Backend, Runtime>> {
  const entries = await Promise.all(BACKEND_NAMES.map(async (b) => [b, await createRuntime({ backend: b })] as const));
  return Object.fromEntries(entries) as Record<Backend, Runtime>;
}

const f32buf = new Float32Array(1);
const u32buf = new Uint32Array(f32buf.buffer);

export function bitsToFloat(bits: number): number {
  u32buf[0] = bits >>> 0;
  return f32buf[0];
}

/** The float32 unit in the last place at the magnitude of `v` (2^-149 among subnormals). */
export function ulpAt(v: number): number {
  const a = Math.abs(Math.fround(Math.abs(v)));
  if (a < 2 ** -126) return 2 ** -149;
  if (!Number.isFinite(a)) return 2 ** 104;
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  if (2 ** (e + 1) <= a) e++;
  return 2 ** (e - 23);
}

/**
 * Error of a float32 result against a float64 reference, in float32 ulps of the reference (or
 * of `scale` when given: for results that are differences of larger terms). NaN must meet NaN
 * and an infinite reference must be met exactly.
 */
export function ulpError(got: number, ref: number, scale?: number): number {
  if (Number.isNaN(ref) || Number.isNaN(got)) return Number.isNaN(ref) && Number.isNaN(got) ? 0 : Infinity;
  const r32 = Math.fround(ref);
  if (!Number.isFinite(r32) || !Number.isFinite(got)) return got === r32 ? 0 : Infinity;
  // 0 means correctly rounded: the float32 nearest to the reference.
  if (got === r32) return 0;
  return Math.abs(got - ref) / ulpAt(scale ?? ref);
}

/** Seeded PRNG, so that every failure is reproducible. */
export const rng = mulberry32;

export function uniform(n: number, lo: number, hi: number, seed: number): Float32Array {
  const r = rng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * r();
  return out;
}

/** ±0, subnormals, the edges of exp's range and of the kernels' reductions, ±Inf, NaN. */
export const SPECIALS: readonly number[] = (() => {
  const positive = [
    0, 2 ** -149, 2 ** -140, 2 ** -126 - 2 ** -149, 2 ** -126, 1e-30, 1e-10, 1e-7, 5.9604645e-8, 1e-4, 0.01,
    0.1733, 0.25, 0.3465, 0.3466, 0.5, 0.6931472, 1, 1.5, 2, 3, 5, 8.3, 9.01, 15, 16.6, 17, 20, 20.000002, 30,
    40, 50, 86.9, 87, 87.33654, 88, 88.72283, 88.7229, 89, 100, 103.27893, 103.97, 104, 105, 150, 1e5, 1e10,
    1e30, 3.4028235e38, Infinity,
  ];
  return [...positive, ...positive.map((v) => -v), NaN].map((v) => Math.fround(v));
})();

/** About `count` float32 values spread over the whole bit-pattern range (both signs). */
export function sweep(count: number): Float32Array {
  const out = new Float32Array(count);
  const stride = Math.floor(2 ** 32 / count) | 1;
  for (let i = 0; i < count; i++) out[i] = bitsToFloat((i * stride + 12345) >>> 0);
  return out;
}

/** Same bits, treating every NaN as equal (wasm NaN payloads are not specified). */
export function sameBits(a: Float32Array, b: Float32Array): { equal: boolean; at: number } {
  if (a.length !== b.length) return { equal: false, at: -1 };
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < a.length; i++) {
    if (ua[i] !== ub[i] && !(Number.isNaN(a[i]) && Number.isNaN(b[i]))) return { equal: false, at: i };
  }
  return { equal: true, at: -1 };
}

/** Lengths that exercise every SIMD tail, plus a long and some odd sizes. */
export const LENGTHS: readonly number[] = [...Array.from({ length: 18 }, (_, i) => i), 31, 63, 101, 257, 1000, 1001];

/** Worst error of `got` against `ref` with its position, for readable failures. */
export function worst(
  got: Float32Array, ref: ArrayLike<number>, inputs: ArrayLike<number>, scale?: ArrayLike<number>,
): { ulps: number; at: number; x: number; got: number; ref: number } {
  let w = { ulps: 0, at: -1, x: NaN, got: NaN, ref: NaN };
  for (let i = 0; i < got.length; i++) {
    const e = ulpError(got[i], ref[i], scale?.[i]);
    if (e > w.ulps || (Number.isNaN(e) && !Number.isNaN(w.ulps))) w = { ulps: e, at: i, x: inputs[i], got: got[i], ref: ref[i] };
  }
  return w;
}
