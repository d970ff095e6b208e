// Weight updates, in place over parameter buffers (the conventions of PyTorch's optimizers).
// sgd is a map2 (unrolled there); the momentum loop is unrolled four times likewise.
//   sgd:       w −= lr·g
//   momentum:  v = μ·v + g;  w −= lr·v,  or with Nesterov  w −= lr·(g + μ·v)
//   adam:      m = β1·m + (1 − β1)·g;  v = β2·v + (1 − β2)·g²;
//              w −= (lr/(1 − β1^t))·m / (√v/√(1 − β2^t) + ε)      (t counts steps from 1)
import { add, div, ld, mul, splat, sqrt_, st, sub } from "./lanes";
import { at, map2 } from "./reduce";

@final @unmanaged class SgdStep {
  @inline term<T>(w: T, g: T, lr: T, _kz: T): T { return sub<T>(w, mul<T>(lr, g)); }
}

export function sgd_f32(w: usize, g: usize, n: i32, lr: f32): void {
  map2<SgdStep>(w, g, w, n, lr);
}

@inline function momentumLane<T>(w: usize, g: usize, v: usize, off: i32, lr: f32, mu: f32, nesterov: bool): void {
  const gv = ld<T>(at(g, off));
  const vv = add<T>(mul<T>(splat<T>(mu), ld<T>(at(v, off))), gv);
  st<T>(at(v, off), vv);
  const step = nesterov ? add<T>(gv, mul<T>(splat<T>(mu), vv)) : vv;
  st<T>(at(w, off), sub<T>(ld<T>(at(w, off)), mul<T>(splat<T>(lr), step)));
}

export function momentum_f32(w: usize, g: usize, v: usize, n: i32, lr: f32, mu: f32, nesterov: i32): void {
  const nest = nesterov != 0;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 16 <= n; i += 16) {
      momentumLane<v128>(w, g, v, i, lr, mu, nest); momentumLane<v128>(w, g, v, i + 4, lr, mu, nest);
      momentumLane<v128>(w, g, v, i + 8, lr, mu, nest); momentumLane<v128>(w, g, v, i + 12, lr, mu, nest);
    }
    for (; i + 4 <= n; i += 4) momentumLane<v128>(w, g, v, i, lr, mu, nest);
  }
  for (; i < n; i++) momentumLane<f32>(w, g, v, i, lr, mu, nest);
}

@inline function adamLane<T>(
  w: usize, g: usize, m: usize, v: usize, off: i32,
  b1: f32, b2: f32, step: f32, invSqrtBc2: f32, eps: f32,
): void {
  const gv = ld<T>(at(g, off));
  const mv = add<T>(mul<T>(splat<T>(b1), ld<T>(at(m, off))), mul<T>(splat<T>(1.0 - b1), gv));
  const vv = add<T>(mul<T>(splat<T>(b2), ld<T>(at(v, off))), mul<T>(splat<T>(1.0 - b2), mul<T>(gv, gv)));
  st<T>(at(m, off), mv);
  st<T>(at(v, off), vv);
  const denom = add<T>(mul<T>(sqrt_<T>(vv), splat<T>(invSqrtBc2)), splat<T>(eps));
  st<T>(at(w, off), sub<T>(ld<T>(at(w, off)), div<T>(mul<T>(splat<T>(step), mv), denom)));
}

export function adam_f32(
  w: usize, g: usize, m: usize, v: usize, n: i32,
  lr: f32, b1: f32, b2: f32, eps: f32, t: i32,
): void {
  const step = <f32>(<f64>lr / (1.0 - Math.pow(<f64>b1, <f64>t)));
  const invSqrtBc2 = <f32>(1.0 / Math.sqrt(1.0 - Math.pow(<f64>b2, <f64>t)));
  let i = 0;
  if (ASC_FEATURE_SIMD) for (; i + 4 <= n; i += 4) adamLane<v128>(w, g, m, v, i, b1, b2, step, invSqrtBc2, eps);
  for (; i < n; i++) adamLane<f32>(w, g, m, v, i, b1, b2, step, invSqrtBc2, eps);
}
