// softplus(x; beta = 1, threshold = 20) = log(1 + e^(βx))/β, and x where βx > threshold
// (PyTorch's definition: the threshold is compared with βx as formed in float32).
// Derivative σ(βx), and 1 above the threshold. Stable for every input:
// log(1 + e^z) = max(z, 0) + log1p(e^(−|z|)). The rounding error of z = β·x is carried into the
// exponential (twoProductLo), so β ≠ 1 costs no accuracy where e^z is sensitive to z.
import { add, atLeast, div, ifGt, mul, neg, negAbs, paramIs, splat } from "../lanes";
import { expNonPos2, log1pUnit, sigmoidCore2, twoProductLo } from "../math";

/** The rounding error of z = x·β: none when β = 1 (the default), where Dekker's product is skipped. */
@inline function productLo<T>(x: T, beta: T, z: T): T {
  return paramIs<T>(beta, 1.0) ? splat<T>(0.0) : twoProductLo<T>(x, beta, z);
}

@inline export function forward<T>(x: T, beta: T, threshold: T): T {
  const z = mul<T>(x, beta);
  const zlo = productLo<T>(x, beta, z);
  const positive = ifGt<T>(z, splat<T>(0.0), zlo, splat<T>(0.0));
  const e = expNonPos2<T>(negAbs<T>(z), ifGt<T>(z, splat<T>(0.0), neg<T>(zlo), zlo));
  const sp = add<T>(atLeast<T>(z, splat<T>(0.0)), add<T>(positive, log1pUnit<T>(e)));
  return ifGt<T>(z, threshold, x, div<T>(sp, beta));
}

@inline export function backward<T>(x: T, dy: T, beta: T, threshold: T): T {
  const z = mul<T>(x, beta);
  const zlo = productLo<T>(x, beta, z);
  return ifGt<T>(z, threshold, dy, mul<T>(dy, sigmoidCore2<T>(z, zlo)));
}
