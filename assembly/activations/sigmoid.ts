// sigmoid: σ(x) = 1/(1 + e^(−x)), σ′(x) = σ(x)(1 − σ(x)).
// Saturates to exactly 0 below x ≈ −103.3 (through subnormals) and to 1 above x ≈ 16.6.
// Both directions use e = e^(−|x|) ∈ (0, 1] (math.ts), so nothing overflows; σ′ is e/(1 + e)²,
// which keeps relative accuracy in both tails where σ(1 − σ) would cancel.
import { mul } from "../lanes";
import { sigmoidCore, sigmoidPrimeCore } from "../math";

@inline export function forward<T>(x: T, kz: T): T {
  return sigmoidCore<T>(x, kz);
}

@inline export function backward<T>(x: T, dy: T, kz: T): T {
  return mul<T>(dy, sigmoidPrimeCore<T>(x, kz));
}
