// leakyRelu(x; slope = 0.01): x for x > 0, slope·x otherwise; derivative 1 or slope, with
// slope at the kink (left derivative, as PyTorch). Exact: one float32 multiply.
import { ifGt, mul, nanOr, splat } from "../lanes";

@inline export function forward<T>(x: T, slope: T, _kz: T): T {
  return ifGt<T>(x, splat<T>(0.0), x, mul<T>(x, slope));
}

@inline export function backward<T>(x: T, dy: T, slope: T, _kz: T): T {
  return nanOr<T>(x, ifGt<T>(x, splat<T>(0.0), dy, mul<T>(dy, slope)));
}
