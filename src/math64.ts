// Float64 helpers shared by the `js` backend's kernels (src/registry.ts, src/ops-js.ts): the
// stable forms of the functions they need, so that each is written once.

/** σ(v) in float64 without overflow. */
export function sigmoid64(v: number): number {
  if (v >= 0) return 1 / (1 + Math.exp(-v));
  const e = Math.exp(v);
  return e / (1 + e);
}

/** log(1 + e^z) in float64 without overflow. */
export function softplus64(z: number): number {
  return Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
}

/** The maximum of f[o .. o + cols), NaN if any is NaN (the kernels' max semantics). */
export function rowMax(f: Float32Array, o: number, cols: number): number {
  let m = -Infinity;
  for (let j = 0; j < cols; j++) {
    const v = f[o + j];
    if (v !== v) return NaN;
    if (v > m) m = v;
  }
  return m;
}

/** Σ_j e^(f[o + j] − m) over a row, in float64. */
export function rowSumExp(f: Float32Array, o: number, cols: number, m: number): number {
  let s = 0;
  for (let j = 0; j < cols; j++) s += Math.exp(f[o + j] - m);
  return s;
}
