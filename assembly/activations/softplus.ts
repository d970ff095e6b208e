// softplus(x; beta = 1, threshold = 20) = log(1 + e^(βx))/β, and x where βx > threshold
// (PyTorch's definition: the threshold is compared with βx as formed in float32).
// Derivative σ(βx), and 1 above the threshold. Stable for every input:
// log(1 + e^z) = max(z, 0) + log1p(e^(−|z|)). The rounding error of z = β·x is carried into the
// exponential (twoProductLo), so β ≠ 1 costs no accuracy where e^z is sensitive to z.
import { add, atLeast, div, ifGt, konst, mul, neg, negAbs, paramIs } from "../lanes";
import { expNonPos2, log1pUnit, sigmoidCore2, twoProductLo } from "../math";

/** The rounding error of z = x·β: none when β = 1 (the default), where Dekker's product is skipped. */
@inline function productLo<T>(x: T, beta: T, z: T, kz: T): T {
  return paramIs<T>(beta, 1.0) ? konst<T>(0.0, kz) : twoProductLo<T>(x, beta, z, kz);
}

@inline export function forward<T>(x: T, beta: T, threshold: T, kz: T): T {
  const z = mul<T>(x, beta);
  const zlo = productLo<T>(x, beta, z, kz);
  const positive = ifGt<T>(z, konst<T>(0.0, kz), zlo, konst<T>(0.0, kz));
  const e = expNonPos2<T>(negAbs<T>(z, kz), ifGt<T>(z, konst<T>(0.0, kz), neg<T>(zlo), zlo), kz);
  const sp = add<T>(atLeast<T>(z, konst<T>(0.0, kz)), add<T>(positive, log1pUnit<T>(e, kz)));
  return ifGt<T>(z, threshold, x, div<T>(sp, beta));
}

@inline export function backward<T>(x: T, dy: T, beta: T, threshold: T, kz: T): T {
  const z = mul<T>(x, beta);
  const zlo = productLo<T>(x, beta, z, kz);
  return ifGt<T>(z, threshold, dy, mul<T>(dy, sigmoidCore2<T>(z, zlo, kz)));
}
