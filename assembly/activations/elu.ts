// elu(x; alpha = 1): x for x > 0, alpha·(e^x − 1) otherwise; derivative 1 or alpha·e^x
// (alpha at the kink, the left derivative). The negative side uses expm1, so elu keeps full
// relative accuracy near 0; both sides clamp the argument to <= 0 so the cores never overflow.
import { atMost, ifGt, konst, mul, nanOr } from "../lanes";
import { expm1NonPos, expNonPos } from "../math";

@inline export function forward<T>(x: T, alpha: T, kz: T): T {
  const negative = mul<T>(alpha, expm1NonPos<T>(atMost<T>(x, konst<T>(0.0, kz)), kz));
  return ifGt<T>(x, konst<T>(0.0, kz), x, negative);
}

@inline export function backward<T>(x: T, dy: T, alpha: T, kz: T): T {
  const negative = mul<T>(dy, mul<T>(alpha, expNonPos<T>(atMost<T>(x, konst<T>(0.0, kz)), kz)));
  return nanOr<T>(x, ifGt<T>(x, konst<T>(0.0, kz), dy, negative));
}
