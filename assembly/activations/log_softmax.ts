// logSoftmax over rows of `cols`: y_j = x_j − m − log Σ_k e^(x_k − m), m the row maximum.
// Backward: dx_j = dy_j − softmax(x)_j·Σ_k dy_k, recomputed from x with no scratch memory (e^(x − m)
// is kept in dx between the passes unless dx is dy itself; both ways give the same bits).
// Accuracy: the row sum s (≥ 1: it holds the max's own e^0) is accumulated in f64 and its log is
// taken as log1p(s − 1), so the largest entries (y ≈ −tiny) keep relative accuracy; y_j is then
// formed in double precision as (x_j − m) − log s (x_j − m is exact there) and rounded once.
import { constantBase, ld, mul, st, sub, subSubF64 } from "../lanes";
import { expFromReduced, expShifted, expShiftedR, expShiftedZ } from "../math";
import { at, maxOf, secondSum, sum64p, sum64x2 } from "../reduce";
import { ExpShifted } from "../terms";

/** e^(x − m) in the stages of ExpShifted (terms.ts), and dy: sum64x2's two terms. */
@final @unmanaged class ExpAndDy {
  @inline term<T>(x: T, m: T, kz: T): T { return expShifted<T>(x, m, kz); }
  @inline first<T>(x: T, m: T, kz: T): T { return expShiftedZ<T>(x, m, kz); }
  @inline second<T>(x: T, m: T, z: T, kz: T): T { return expShiftedR<T>(x, m, z, kz); }
  @inline last<T>(z: T, r: T, kz: T): T { return expFromReduced<T>(z, r, kz); }
  @inline term2<T>(dy: T, _e: T): T { return dy; }
  @inline keep(): bool { return false; }
}

/** ExpAndDy, with e^(x − m) also stored. */
@final @unmanaged class ExpAndDyKeep {
  @inline term<T>(x: T, m: T, kz: T): T { return expShifted<T>(x, m, kz); }
  @inline first<T>(x: T, m: T, kz: T): T { return expShiftedZ<T>(x, m, kz); }
  @inline second<T>(x: T, m: T, z: T, kz: T): T { return expShiftedR<T>(x, m, z, kz); }
  @inline last<T>(z: T, r: T, kz: T): T { return expFromReduced<T>(z, r, kz); }
  @inline term2<T>(dy: T, _e: T): T { return dy; }
  @inline keep(): bool { return true; }
}

export function logSoftmax_f32(x: usize, y: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    const xr = at(x, r * cols);
    const yr = at(y, r * cols);
    const m = maxOf(xr, cols);
    const s = sum64p<ExpShifted>(xr, 0, cols, m);
    const logSum = Math.log1p(s - 1.0);
    let i = 0;
    if (ASC_FEATURE_SIMD) {
      if (i + 4 <= cols) do {
        st<v128>(at(yr, i), subSubF64<v128>(ld<v128>(at(xr, i)), m, logSum));
        i += 4;
      } while (i + 4 <= cols);
    }
    for (; i < cols; i++) st<f32>(at(yr, i), subSubF64<f32>(ld<f32>(at(xr, i)), m, logSum));
  }
}

export function logSoftmax_grad_f32(x: usize, dy: usize, dx: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    const xr = at(x, r * cols);
    const dyr = at(dy, r * cols);
    const dxr = at(dx, r * cols);
    const m = maxOf(xr, cols);
    const keep = dx != dy;
    const s = keep ? sum64x2<ExpAndDyKeep>(xr, dyr, dxr, cols, m) : sum64x2<ExpAndDy>(xr, dyr, 0, cols, m);
    const k = <f32>(secondSum / s);
    const er = keep ? dxr : xr;
    let i = 0;
    if (ASC_FEATURE_SIMD) {
      // One vector loop per source of the exponentials, as in softmax_grad_f32.
      const kv = f32x4.splat(k);
      if (keep) {
        if (i + 4 <= cols) do {
          st<v128>(at(dxr, i), sub<v128>(ld<v128>(at(dyr, i)), mul<v128>(ld<v128>(at(dxr, i)), kv)));
          i += 4;
        } while (i + 4 <= cols);
      } else {
        const mv = f32x4.splat(m);
        const kz = constantBase<v128>();
        if (i + 8 <= cols) do {
          st<v128>(at(dxr, i), sub<v128>(ld<v128>(at(dyr, i)), mul<v128>(expShifted<v128>(ld<v128>(at(xr, i)), mv, kz), kv)));
          st<v128>(at(dxr, i + 4), sub<v128>(ld<v128>(at(dyr, i + 4)), mul<v128>(expShifted<v128>(ld<v128>(at(xr, i + 4)), mv, kz), kv)));
          i += 8;
        } while (i + 8 <= cols);
        if (i + 4 <= cols) {
          st<v128>(at(dxr, i), sub<v128>(ld<v128>(at(dyr, i)), mul<v128>(expShifted<v128>(ld<v128>(at(xr, i)), mv, kz), kv)));
          i += 4;
        }
      }
    }
    for (; i < cols; i++) {
      const e = keep ? ld<f32>(at(er, i)) : expShifted<f32>(ld<f32>(at(er, i)), m, 0);
      st<f32>(at(dxr, i), ld<f32>(at(dyr, i)) - e * k);
    }
  }
}
