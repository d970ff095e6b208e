// tanh: tanh(x) = (e^x − e^(−x))/(e^x + e^(−x)), tanh′(x) = 1 − tanh²(x) = sech²(x).
// Forward: with t = expm1(−2|x|) ∈ (−1, 0], tanh|x| = −t/(2 + t), sign restored with copysign:
// expm1 keeps full relative accuracy near 0 (no 2σ(2x) − 1 cancellation) and ±0 stay signed.
// Backward: sech²x = 4e/(1 + e)² with e = e^(−2|x|) (math.ts bell), accurate in the tails where
// 1 − tanh² cancels.
import { add, copysign_, div, konst, mul, neg, negAbs } from "../lanes";
import { bell, expm1NonPos, expNonPos } from "../math";

@inline export function forward<T>(x: T, kz: T): T {
  const na = negAbs<T>(x, kz);
  const t = expm1NonPos<T>(add<T>(na, na), kz);
  return copysign_<T>(div<T>(neg<T>(t), add<T>(konst<T>(2.0, kz), t)), x, kz);
}

@inline export function backward<T>(x: T, dy: T, kz: T): T {
  const na = negAbs<T>(x, kz);
  return mul<T>(dy, mul<T>(konst<T>(4.0, kz), bell<T>(expNonPos<T>(add<T>(na, na), kz), kz)));
}
