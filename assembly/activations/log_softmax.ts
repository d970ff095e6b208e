// logSoftmax over rows of `cols`: y_j = x_j − m − log Σ_k e^(x_k − m), m the row maximum.
// Backward: dx_j = dy_j − softmax(x)_j·Σ_k dy_k, recomputed from x with no scratch memory (e^(x − m)
// is kept in dx between the passes unless dx is dy itself, when it is computed again; both ways
// give the same bits).
// Accuracy: the row sum s (≥ 1: it holds the max's own e^0) is accumulated in f64 and its log is
// taken as log1p(s − 1), so the largest entries (y ≈ −tiny) keep relative accuracy; y_j is then
// formed in double precision as (x_j − m) − log s (x_j − m is exact there) and rounded once.
import { ld, mul, st, sub, subSubF64 } from "../lanes";
import { expFromReduced, expShifted, expShiftedR, expShiftedZ } from "../math";
import { at, maxOf, secondSum, map2p, sum64p, sum64x2 } from "../reduce";
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
    if (dx != dy) {
      // The exponentials, kept in dx by the first pass.
      const s = sum64x2<ExpAndDyKeep>(xr, dyr, dxr, cols, m);
      const k = <f32>(secondSum / s);
      let i = 0;
      if (ASC_FEATURE_SIMD) {
        const kv = f32x4.splat(k);
        if (i + 4 <= cols) do {
          st<v128>(at(dxr, i), gradLane<v128>(ld<v128>(at(dxr, i)), ld<v128>(at(dyr, i)), kv));
          i += 4;
        } while (i + 4 <= cols);
      }
      for (; i < cols; i++) st<f32>(at(dxr, i), gradLane<f32>(ld<f32>(at(dxr, i)), ld<f32>(at(dyr, i)), k));
    } else {
      // dx is dy, whose values the last pass still needs: the exponentials are computed again.
      const s = sum64x2<ExpAndDy>(xr, dyr, 0, cols, m);
      map2p<GradFromX>(xr, dyr, dxr, cols, m, <f32>(secondSum / s), 0);
    }
  }
}

/** dy − e·k. */
@inline function gradLane<T>(e: T, dy: T, k: T): T {
  return sub<T>(dy, mul<T>(e, k));
}

/** logSoftmax's dx from e = e^(x − m): dy − e·k, for map2p. */
@final @unmanaged class GradFromX {
  @inline term<T>(x: T, m: T, kz: T): T { return expShifted<T>(x, m, kz); }
  @inline first<T>(x: T, m: T, kz: T): T { return expShiftedZ<T>(x, m, kz); }
  @inline second<T>(x: T, m: T, z: T, kz: T): T { return expShiftedR<T>(x, m, z, kz); }
  @inline last<T>(z: T, r: T, kz: T): T { return expFromReduced<T>(z, r, kz); }
  @inline apply<T>(e: T, dy: T, k: T, _unused: T): T { return gradLane<T>(e, dy, k); }
}
