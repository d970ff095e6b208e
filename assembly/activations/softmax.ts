// softmax over rows of `cols`: y_j = e^(x_j − m)/Σ_k e^(x_k − m), m the row maximum.
// Backward (vector-Jacobian product): dx_j = y_j·(dy_j − Σ_k dy_k·y_k), recomputed from x with
// no scratch memory: e^(x − m) is kept in dx between the passes, or, when dx is dy itself (whose
// values the last pass still needs), computed a second time; both give the same bits. dx may be x
// or dy; partial overlaps are not supported.
// Accuracy: x − m carries its rounding error into exp (math.ts expShifted), the row sums are
// accumulated in f64, so the forward error is that of one exp, one reciprocal and one product.
// A row holding NaN or +Inf, or only −Inf, is NaN throughout (as in PyTorch).
import { constantBase, ld, mul, splat, st, sub } from "../lanes";
import { expFromReduced, expShifted, expShiftedR, expShiftedZ } from "../math";
import { at, maxOf, secondSum, sum64p, sum64x2, map2 } from "../reduce";
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
    const keep = dx != dy;
    const s = keep ? sum64x2<ExpAndDyExpKeep>(xr, dyr, dxr, cols, m) : sum64x2<ExpAndDyExp>(xr, dyr, 0, cols, m);
    const inv = <f32>(1.0 / s);
    const dot = <f32>(secondSum / s);
    // The exponentials: kept in dx by the pass above, or recomputed from x.
    const er = keep ? dxr : xr;
    let i = 0;
    if (ASC_FEATURE_SIMD) {
      // One vector loop per source of the exponentials, so that neither body branches, and the
      // one that recomputes them takes two vectors per pass: both so that the constants of exp
      // are moved out of the loop (lanes.ts konst).
      if (keep) {
        if (i + 4 <= cols) do {
          st<v128>(at(dxr, i), gradLane<v128>(ld<v128>(at(dxr, i)), ld<v128>(at(dyr, i)), inv, dot));
          i += 4;
        } while (i + 4 <= cols);
      } else {
        const mv = f32x4.splat(m);
        const kz = constantBase<v128>();
        if (i + 8 <= cols) do {
          st<v128>(at(dxr, i), gradLane<v128>(expShifted<v128>(ld<v128>(at(xr, i)), mv, kz), ld<v128>(at(dyr, i)), inv, dot));
          st<v128>(at(dxr, i + 4), gradLane<v128>(expShifted<v128>(ld<v128>(at(xr, i + 4)), mv, kz), ld<v128>(at(dyr, i + 4)), inv, dot));
          i += 8;
        } while (i + 8 <= cols);
        if (i + 4 <= cols) {
          st<v128>(at(dxr, i), gradLane<v128>(expShifted<v128>(ld<v128>(at(xr, i)), mv, kz), ld<v128>(at(dyr, i)), inv, dot));
          i += 4;
        }
      }
    }
    for (; i < cols; i++) {
      const e = keep ? ld<f32>(at(er, i)) : expShifted<f32>(ld<f32>(at(er, i)), m, 0);
      st<f32>(at(dxr, i), gradLane<f32>(e, ld<f32>(at(dyr, i)), inv, dot));
    }
  }
}

@inline function gradLane<T>(e: T, dy: T, inv: f32, dot: f32): T {
  return mul<T>(mul<T>(e, splat<T>(inv)), sub<T>(dy, splat<T>(dot)));
}
