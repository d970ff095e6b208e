// softmax over rows of `cols`: y_j = e^(x_j − m)/Σ_k e^(x_k − m), m the row maximum.
// Backward (vector-Jacobian product): dx_j = y_j·(dy_j − Σ_k dy_k·y_k), recomputed from x (two
// exp passes per row, no scratch memory, any aliasing of x, dy and dx allowed).
// Accuracy: x − m carries its rounding error into exp (math.ts expShifted), the row sums are
// accumulated in f64, so the forward error is that of one exp, one reciprocal and one product.
// A row holding NaN or +Inf, or only −Inf, is NaN throughout (as in PyTorch).
import { ld, mul, splat, st, sub } from "../lanes";
import { expShifted } from "../math";
import { at, maxOf, secondSum, sum64, sum64x2, map2 } from "../reduce";

@final @unmanaged class ExpShiftedKeep {
  @inline term<T>(x: T, _unused: T, m: T): T { return expShifted<T>(x, m); }
  @inline keep(): bool { return true; }
}

@final @unmanaged class Scale {
  @inline term<T>(e: T, _unused: T, inv: T): T { return mul<T>(e, inv); }
}

@final @unmanaged class ExpAndDyExp {
  @inline term<T>(x: T, _dy: T, m: T): T { return expShifted<T>(x, m); }
  @inline term2<T>(_x: T, dy: T, e: T): T { return mul<T>(dy, e); }
}

export function softmax_f32(x: usize, y: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    const xr = at(x, r * cols);
    const yr = at(y, r * cols);
    const m = maxOf(xr, cols);
    const s = sum64<ExpShiftedKeep>(xr, xr, yr, cols, m);
    map2<Scale>(yr, yr, yr, cols, <f32>(1.0 / s));
  }
}

export function softmax_grad_f32(x: usize, dy: usize, dx: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    const xr = at(x, r * cols);
    const dyr = at(dy, r * cols);
    const dxr = at(dx, r * cols);
    const m = maxOf(xr, cols);
    const s = sum64x2<ExpAndDyExp>(xr, dyr, cols, m);
    const inv = <f32>(1.0 / s);
    const dot = <f32>(secondSum / s);
    let i = 0;
    if (ASC_FEATURE_SIMD) {
      for (; i + 4 <= cols; i += 4) st<v128>(at(dxr, i), gradLane<v128>(ld<v128>(at(xr, i)), ld<v128>(at(dyr, i)), m, inv, dot));
    }
    for (; i < cols; i++) st<f32>(at(dxr, i), gradLane<f32>(ld<f32>(at(xr, i)), ld<f32>(at(dyr, i)), m, inv, dot));
  }
}

@inline function gradLane<T>(x: T, dy: T, m: f32, inv: f32, dot: f32): T {
  const y = mul<T>(expShifted<T>(x, splat<T>(m)), splat<T>(inv));
  return mul<T>(y, sub<T>(dy, splat<T>(dot)));
}
