// softplus(x; beta = 1, threshold = 20) = log(1 + e^(βx))/β, and x where βx > threshold
// (PyTorch's definition; βx is formed in float32 as PyTorch does). derivative σ(βx), 1 above the
// threshold. Stable for every input: log(1 + e^z) = max(z, 0) + log1p(e^(−|z|)).
import { abs_, add, div, ifGt, max_, mul, neg, splat } from "../lanes";
import { expNonPos, log1pUnit, sigmoidCore } from "../math";

@inline export function forward<T>(x: T, beta: T, threshold: T): T {
  const z = mul<T>(x, beta);
  const sp = add<T>(max_<T>(z, splat<T>(0.0)), log1pUnit<T>(expNonPos<T>(neg<T>(abs_<T>(z)))));
  return ifGt<T>(z, threshold, x, div<T>(sp, beta));
}

@inline export function backward<T>(x: T, dy: T, beta: T, threshold: T): T {
  const z = mul<T>(x, beta);
  return ifGt<T>(z, threshold, dy, mul<T>(dy, sigmoidCore<T>(z)));
}
