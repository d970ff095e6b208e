// Losses (mean over all elements, or over rows for the softmax cross-entropy) and their
// gradients with respect to the predictions/logits. Values are accumulated in f64 (every term
// is >= 0, so the sum keeps the relative accuracy of its terms) and rounded once.
//   mse:  L = mean((p − t)²),                         ∂L/∂p = 2(p − t)/n
//   bce:  L = mean(max(z, 0) − z·t + log1p(e^(−|z|))),  ∂L/∂z = (σ(z) − t)/n   (from logits)
//   sce:  L = mean_r(logΣ_j e^(z_rj) − z_r,label),       ∂L/∂z = (softmax(z_r) − onehot)/rows
import { add, atLeast, div, mul, negAbs, splat, sub } from "./lanes";
import { expNonPos, log1pUnit, sigmoidCore } from "./math";
import { at, map2, maxOf, sum64 } from "./reduce";
import { ExpShifted, ExpShiftedKeep, Scale } from "./terms";

@final @unmanaged class SquaredError {
  @inline term<T>(p: T, t: T, _unused: T): T { const d = sub<T>(p, t); return mul<T>(d, d); }
  @inline keep(): bool { return false; }
}

@final @unmanaged class SquaredErrorGrad {
  @inline term<T>(p: T, t: T, n: T): T { const d = sub<T>(p, t); return div<T>(add<T>(d, d), n); }
}

export function mse_f32(p: usize, t: usize, n: i32): f32 {
  return <f32>(sum64<SquaredError>(p, t, 0, n, 0) / <f64>n);
}

export function mse_grad_f32(p: usize, t: usize, g: usize, n: i32): void {
  map2<SquaredErrorGrad>(p, t, g, n, <f32>n);
}

@final @unmanaged class BceTerm {
  @inline term<T>(z: T, t: T, _unused: T): T {
    const softplusNegAbs = log1pUnit<T>(expNonPos<T>(negAbs<T>(z)));
    return add<T>(sub<T>(atLeast<T>(z, splat<T>(0.0)), mul<T>(z, t)), softplusNegAbs);
  }
  @inline keep(): bool { return false; }
}

@final @unmanaged class BceGrad {
  @inline term<T>(z: T, t: T, n: T): T { return div<T>(sub<T>(sigmoidCore<T>(z), t), n); }
}

export function bceWithLogits_f32(z: usize, t: usize, n: i32): f32 {
  return <f32>(sum64<BceTerm>(z, t, 0, n, 0) / <f64>n);
}

export function bceWithLogits_grad_f32(z: usize, t: usize, g: usize, n: i32): void {
  map2<BceGrad>(z, t, g, n, <f32>n);
}

/** Labels are i32 in [0, cols), checked by the caller. */
export function softmaxCrossEntropy_f32(z: usize, labels: usize, rows: i32, cols: i32): f32 {
  let total: f64 = 0;
  for (let r = 0; r < rows; r++) {
    const zr = at(z, r * cols);
    const m = maxOf(zr, cols);
    const s = sum64<ExpShifted>(zr, zr, 0, cols, m);
    const label = load<i32>(labels + (<usize>r << 2));
    total += (<f64>m - <f64>load<f32>(at(zr, label))) + Math.log1p(s - 1.0);
  }
  return <f32>(total / <f64>rows);
}

export function softmaxCrossEntropy_grad_f32(z: usize, labels: usize, g: usize, rows: i32, cols: i32): void {
  const rowsF = <f32>rows;
  for (let r = 0; r < rows; r++) {
    const zr = at(z, r * cols);
    const gr = at(g, r * cols);
    const m = maxOf(zr, cols);
    const s = sum64<ExpShiftedKeep>(zr, zr, gr, cols, m);
    const label = load<i32>(labels + (<usize>r << 2));
    const eLabel = load<f32>(at(gr, label));
    map2<Scale>(gr, gr, gr, cols, <f32>(1.0 / (s * <f64>rows)));
    store<f32>(at(gr, label), (eLabel * <f32>(1.0 / s) - 1.0) / rowsF);
  }
}
