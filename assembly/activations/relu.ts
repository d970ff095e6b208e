// relu: max(0, x); relu′(x) = 1 for x > 0, else 0 (the left derivative at the kink, as PyTorch).
// Exact. NaN propagates forward and backward; relu(−0) = +0. Written as "keep x unless x <= 0"
// (compare + and-not) rather than wasm's max, which V8 lowers to a longer NaN-exact sequence.
import { keepUnlessNonPos, nanOr } from "../lanes";

@inline export function forward<T>(x: T, _kz: T): T {
  return keepUnlessNonPos<T>(x, x);
}

@inline export function backward<T>(x: T, dy: T, _kz: T): T {
  return nanOr<T>(x, keepUnlessNonPos<T>(dy, x));
}
