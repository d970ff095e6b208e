// relu: max(0, x); relu′(x) = 1 for x > 0, else 0 (the left derivative at the kink, as PyTorch).
// Exact. NaN propagates forward (wasm max) and backward (nanOr); relu(−0) = +0.
import { ifGt, max_, nanOr, splat } from "../lanes";

@inline export function forward<T>(x: T): T {
  return max_<T>(x, splat<T>(0.0));
}

@inline export function backward<T>(x: T, dy: T): T {
  return nanOr<T>(x, ifGt<T>(x, splat<T>(0.0), dy, splat<T>(0.0)));
}
