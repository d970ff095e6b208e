// softmax over rows of `cols`: y_j = e^(x_j − m)/Σ_k e^(x_k − m), m the row maximum.
// Backward (vector-Jacobian product): dx_j = y_j·(dy_j − Σ_k dy_k·y_k), recomputed from x with
// no scratch memory: e^(x − m) is kept in dx between the passes, or, when dx is dy itself (whose
// values the last pass still needs), computed a second time; both give the same bits. dx may be x
// or dy; partial overlaps are not supported.
// Accuracy: x − m carries its rounding error into exp (math.ts expShifted), the row sums are
// accumulated in f64, so the forward error is that of one exp, one reciprocal and one product.
// A row holding NaN or +Inf, or only −Inf, is NaN throughout (as in PyTorch).
import { ld, mul, splat, st, sub } from "../lanes";
import { expFromReduced, expShifted, expShiftedR, expShiftedZ } from "../math";
import { at, maxOf, secondSum, sum64p, sum64x2, map2, map2p } from "../reduce";
import { ExpShiftedKeep, Scale } from "../terms";

/** e = e^(x − m) in the stages of ExpShifted (terms.ts), and dy·e: sum64x2's two terms. */
@final @unmanaged class ExpAndDyExp {
  @inline term<T>(x: T, m: T, kz: T): T { return expShifted<T>(x, m, kz); }
  @inline first<T>(x: T, m: T, kz: T): T { return expShiftedZ<T>(x, m, kz); }
  @inline second<T>(x: T, m: T, z: T, kz: T): T { return expShiftedR<T>(x, m, z, kz); }
  @inline last<T>(z: T, r: T, kz: T): T { return expFromReduced<T>(z, r, kz); }
  @inline term2<T>(dy: T, e: T): T { return mul<T>(dy, e); }
  @inline keep(): bool { return false; }
}

/** ExpAndDyExp, with e also stored. */
@final @unmanaged class ExpAndDyExpKeep {
  @inline term<T>(x: T, m: T, kz: T): T { return expShifted<T>(x, m, kz); }
  @inline first<T>(x: T, m: T, kz: T): T { return expShiftedZ<T>(x, m, kz); }
  @inline second<T>(x: T, m: T, z: T, kz: T): T { return expShiftedR<T>(x, m, z, kz); }
  @inline last<T>(z: T, r: T, kz: T): T { return expFromReduced<T>(z, r, kz); }
  @inline term2<T>(dy: T, e: T): T { return mul<T>(dy, e); }
  @inline keep(): bool { return true; }
}

export function softmax_f32(x: usize, y: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    const xr = at(x, r * cols);
    const yr = at(y, r * cols);
    const m = maxOf(xr, cols);
    const s = sum64p<ExpShiftedKeep>(xr, yr, cols, m);
    map2<Scale>(yr, yr, yr, cols, <f32>(1.0 / s));
  }
}

export function softmax_grad_f32(x: usize, dy: usize, dx: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    const xr = at(x, r * cols);
    const dyr = at(dy, r * cols);
    const dxr = at(dx, r * cols);
    const m = maxOf(xr, cols);
    if (dx != dy) {
      // The exponentials, kept in dx by the first pass.
      const s = sum64x2<ExpAndDyExpKeep>(xr, dyr, dxr, cols, m);
      const inv = <f32>(1.0 / s);
      const dot = <f32>(secondSum / s);
      let i = 0;
      if (ASC_FEATURE_SIMD) {
        if (i + 4 <= cols) do {
          st<v128>(at(dxr, i), gradLane<v128>(ld<v128>(at(dxr, i)), ld<v128>(at(dyr, i)), splat<v128>(inv), splat<v128>(dot)));
          i += 4;
        } while (i + 4 <= cols);
      }
      for (; i < cols; i++) st<f32>(at(dxr, i), gradLane<f32>(ld<f32>(at(dxr, i)), ld<f32>(at(dyr, i)), inv, dot));
    } else {
      // dx is dy, whose values the last pass still needs: the exponentials are computed again.
      const s = sum64x2<ExpAndDyExp>(xr, dyr, 0, cols, m);
      map2p<GradFromX>(xr, dyr, dxr, cols, m, <f32>(1.0 / s), <f32>(secondSum / s));
    }
  }
}

/** softmax's dx from e = e^(x − m): e·inv·(dy − dot), for map2p. */
@final @unmanaged class GradFromX {
  @inline term<T>(x: T, m: T, kz: T): T { return expShifted<T>(x, m, kz); }
  @inline first<T>(x: T, m: T, kz: T): T { return expShiftedZ<T>(x, m, kz); }
  @inline second<T>(x: T, m: T, z: T, kz: T): T { return expShiftedR<T>(x, m, z, kz); }
  @inline last<T>(z: T, r: T, kz: T): T { return expFromReduced<T>(z, r, kz); }
  @inline apply<T>(e: T, dy: T, inv: T, dot: T): T { return gradLane<T>(e, dy, inv, dot); }
}

@inline function gradLane<T>(e: T, dy: T, inv: T, dot: T): T {
  return mul<T>(mul<T>(e, inv), sub<T>(dy, dot));
}
