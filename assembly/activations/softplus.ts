// softplus(x; beta = 1, threshold = 20) = log(1 + e^(βx))/β, and x where βx > threshold
// (PyTorch's definition: the threshold is compared with βx as formed in float32).
// Derivative σ(βx), and 1 above the threshold. Stable for every input:
// log(1 + e^z) = max(z, 0) + log1p(e^(−|z|)). The rounding error of z = β·x is carried into the
// exponential (twoProductLo), so β ≠ 1 costs no accuracy where e^z is sensitive to z.
import { add, atLeast, div, ifGt, konst, mul, neg, negAbs } from "../lanes";
import { expNonPos2, log1pUnit, sigmoidCore2, twoProductLo } from "../math";

/**
 * Whether z = x·β is exact for every x, so that Dekker's product can be skipped: β = 1, the
 * default. The generated kernels ask once per call and pass the answer to the lane bodies as
 * `exact`, a constant in each of their two vector loops, whose bodies then have no branch (a branch
 * there would keep binaryen from moving their constants out of the loop, lanes.ts konst).
 */
@inline export function specialise(beta: f32, _threshold: f32): bool {
  return beta == 1.0;
}

/** The rounding error of z = x·β (none when `exact`). */
@inline function productLo<T>(x: T, beta: T, z: T, kz: T, exact: bool): T {
  return exact ? konst<T>(0.0, kz) : twoProductLo<T>(x, beta, z, kz);
}

@inline export function forward<T>(x: T, beta: T, threshold: T, kz: T, exact: bool): T {
  const z = mul<T>(x, beta);
  const zlo = productLo<T>(x, beta, z, kz, exact);
  const positive = ifGt<T>(z, konst<T>(0.0, kz), zlo, konst<T>(0.0, kz));
  const e = expNonPos2<T>(negAbs<T>(z, kz), ifGt<T>(z, konst<T>(0.0, kz), neg<T>(zlo), zlo), kz);
  const sp = add<T>(atLeast<T>(z, konst<T>(0.0, kz)), add<T>(positive, log1pUnit<T>(e, kz)));
  return ifGt<T>(z, threshold, x, div<T>(sp, beta));
}

@inline export function backward<T>(x: T, dy: T, beta: T, threshold: T, kz: T, exact: bool): T {
  const z = mul<T>(x, beta);
  const zlo = productLo<T>(x, beta, z, kz, exact);
  return ifGt<T>(z, threshold, dy, mul<T>(dy, sigmoidCore2<T>(z, zlo, kz)));
}
