// prelu(x; slope): x for x > 0, a·x otherwise, where a is one shared slope (cols = 1) or one
// slope per feature (per neuron), broadcast over the last dimension of length cols.
// Backward: dx = dy for x > 0, a·dy otherwise (a at the kink, the left derivative), and
// dslope = Σ over the broadcast positions of (x > 0 ? 0 : x·dy), written (not accumulated) to
// dslope. Exact forward and dx; dslope is a float32 sum (f64 for the shared slope).
import { ifGt, ld, mul, nanOr, splat, st } from "../lanes";
import { at, sum64 } from "../reduce";

@inline function fwdLane<T>(x: T, a: T): T {
  return ifGt<T>(x, splat<T>(0.0), x, mul<T>(x, a));
}

@inline function dxLane<T>(x: T, dy: T, a: T): T {
  return nanOr<T>(x, ifGt<T>(x, splat<T>(0.0), dy, mul<T>(dy, a)));
}

@inline function dslopeLane<T>(x: T, dy: T): T {
  return ifGt<T>(x, splat<T>(0.0), splat<T>(0.0), mul<T>(x, dy));
}

@final @unmanaged class SlopeTerm {
  @inline term<T>(x: T, dy: T, _unused: T, _kz: T): T { return dslopeLane<T>(x, dy); }
  @inline keep(): bool { return false; }
}

export function prelu_f32(x: usize, y: usize, n: i32, slope: usize, cols: i32): void {
  if (cols == 1) {
    const a = load<f32>(slope);
    let i = 0;
    if (ASC_FEATURE_SIMD) {
      const av = f32x4.splat(a);
      for (; i + 4 <= n; i += 4) st<v128>(at(y, i), fwdLane<v128>(ld<v128>(at(x, i)), av));
    }
    for (; i < n; i++) st<f32>(at(y, i), fwdLane<f32>(ld<f32>(at(x, i)), a));
    return;
  }
  for (let base = 0; base < n; base += cols) {
    // A trailing partial row (n not a multiple of cols) is cut short, never overrun.
    const width = min(cols, n - base);
    let j = 0;
    if (ASC_FEATURE_SIMD) {
      for (; j + 4 <= width; j += 4) {
        st<v128>(at(y, base + j), fwdLane<v128>(ld<v128>(at(x, base + j)), ld<v128>(at(slope, j))));
      }
    }
    for (; j < width; j++) st<f32>(at(y, base + j), fwdLane<f32>(ld<f32>(at(x, base + j)), ld<f32>(at(slope, j))));
  }
}

export function prelu_grad_f32(x: usize, dy: usize, dx: usize, n: i32, slope: usize, cols: i32, dslope: usize): void {
  if (cols == 1) {
    // The slope gradient is read from x and dy before dx (which may alias them) is written.
    store<f32>(dslope, <f32>sum64<SlopeTerm>(x, dy, 0, n, 0));
    const a = load<f32>(slope);
    let i = 0;
    if (ASC_FEATURE_SIMD) {
      const av = f32x4.splat(a);
      for (; i + 4 <= n; i += 4) st<v128>(at(dx, i), dxLane<v128>(ld<v128>(at(x, i)), ld<v128>(at(dy, i)), av));
    }
    for (; i < n; i++) st<f32>(at(dx, i), dxLane<f32>(ld<f32>(at(x, i)), ld<f32>(at(dy, i)), a));
    return;
  }
  memory.fill(dslope, 0, <usize>cols << 2);
  for (let base = 0; base < n; base += cols) {
    const width = min(cols, n - base);
    let j = 0;
    if (ASC_FEATURE_SIMD) {
      for (; j + 4 <= width; j += 4) {
        const xv = ld<v128>(at(x, base + j));
        const dyv = ld<v128>(at(dy, base + j));
        st<v128>(at(dslope, j), f32x4.add(ld<v128>(at(dslope, j)), dslopeLane<v128>(xv, dyv)));
        st<v128>(at(dx, base + j), dxLane<v128>(xv, dyv, ld<v128>(at(slope, j))));
      }
    }
    for (; j < width; j++) {
      const xs = ld<f32>(at(x, base + j));
      const dys = ld<f32>(at(dy, base + j));
      st<f32>(at(dslope, j), ld<f32>(at(dslope, j)) + dslopeLane<f32>(xs, dys));
      st<f32>(at(dx, base + j), dxLane<f32>(xs, dys, ld<f32>(at(slope, j))));
    }
  }
}
