// Losses (mean over all elements, or over rows for the softmax cross-entropy) and their
// gradients with respect to the predictions/logits. Values are accumulated in f64 (every term
// is >= 0, so the sum keeps the relative accuracy of its terms) and rounded once.
//   mse:  L = mean((p − t)²),                         ∂L/∂p = 2(p − t)/n
//   bce:  L = mean(max(z, 0) − z·t + log1p(e^(−|z|))),  ∂L/∂z = (σ(z) − t)/n   (from logits)
//   sce:  L = mean_r(logΣ_j e^(z_rj) − z_r,label),       ∂L/∂z = (softmax(z_r) − onehot)/rows
import { add, atLeast, div, konst, mul, negAbs, sub } from "./lanes";
import { expFromReduced, expR, expZ, log1pUnit, sigmoidCore } from "./math";
import { at, map2, maxOf, sum64, sum64p, sum64p2 } from "./reduce";
import { ExpShifted, ExpShiftedKeep, Scale } from "./terms";

@final @unmanaged class SquaredError {
  @inline term<T>(p: T, t: T, _unused: T, _kz: T): T { const d = sub<T>(p, t); return mul<T>(d, d); }
  @inline keep(): bool { return false; }
}

@final @unmanaged class SquaredErrorGrad {
  @inline term<T>(p: T, t: T, n: T, _kz: T): T { const d = sub<T>(p, t); return div<T>(add<T>(d, d), n); }
}

export function mse_f32(p: usize, t: usize, n: i32): f32 {
  return <f32>(sum64<SquaredError>(p, t, 0, n, 0) / <f64>n);
}

export function mse_grad_f32(p: usize, t: usize, g: usize, n: i32): void {
  map2<SquaredErrorGrad>(p, t, g, n, <f32>n);
}

/**
 * mse_f32 and mse_grad_f32 in one pass over p and t (the same bits as the two calls: the same
 * gradient expression, and the squared errors summed in sum64's lane order): writes ∂L/∂p to g
 * (which may alias p or t) and returns L.
 */
export function mseWithGrad_f32(p: usize, t: usize, g: usize, n: i32): f32 {
  const nf = <f32>n;
  let total: f64 = 0;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const nv = f32x4.splat(nf);
    let lo = f64x2.splat(0), hi = f64x2.splat(0);
    for (; i + 4 <= n; i += 4) {
      const d = f32x4.sub(v128.load(at(p, i)), v128.load(at(t, i)));
      v128.store(at(g, i), f32x4.div(f32x4.add(d, d), nv));
      const sq = f32x4.mul(d, d);
      lo = f64x2.add(lo, f64x2.promote_low_f32x4(sq));
      hi = f64x2.add(hi, f64x2.promote_low_f32x4(i32x4.shuffle(sq, sq, 2, 3, 2, 3)));
    }
    const pair = f64x2.add(lo, hi);
    total = f64x2.extract_lane(pair, 0) + f64x2.extract_lane(pair, 1);
  } else {
    let s0: f64 = 0, s1: f64 = 0, s2: f64 = 0, s3: f64 = 0;
    for (; i + 4 <= n; i += 4) {
      const d0 = load<f32>(at(p, i)) - load<f32>(at(t, i));
      const d1 = load<f32>(at(p, i + 1)) - load<f32>(at(t, i + 1));
      const d2 = load<f32>(at(p, i + 2)) - load<f32>(at(t, i + 2));
      const d3 = load<f32>(at(p, i + 3)) - load<f32>(at(t, i + 3));
      store<f32>(at(g, i), (d0 + d0) / nf); store<f32>(at(g, i + 1), (d1 + d1) / nf);
      store<f32>(at(g, i + 2), (d2 + d2) / nf); store<f32>(at(g, i + 3), (d3 + d3) / nf);
      s0 += <f64>(d0 * d0); s1 += <f64>(d1 * d1); s2 += <f64>(d2 * d2); s3 += <f64>(d3 * d3);
    }
    total = (s0 + s2) + (s1 + s3);
  }
  let tail: f64 = 0;
  for (; i < n; i++) {
    const d = load<f32>(at(p, i)) - load<f32>(at(t, i));
    store<f32>(at(g, i), (d + d) / nf);
    tail += <f64>(d * d);
  }
  return <f32>((total + tail) / <f64>n);
}

/**
 * max(z, 0) − z·t + log1p(e^(−|z|)): a term for sum64, and in the two stages of sum64p2 (the
 * reduction of e^(−|z|), then its polynomial, the log and the rest, from z and t loaded again).
 */
@final @unmanaged class BceTerm {
  @inline term<T>(z: T, t: T, _unused: T, kz: T): T {
    const f = this.first<T>(z, kz);
    return this.last<T>(f, this.second<T>(z, f, kz), z, t, kz);
  }
  @inline first<T>(z: T, kz: T): T { return expZ<T>(negAbs<T>(z, kz), kz); }
  @inline second<T>(z: T, f: T, kz: T): T { return expR<T>(negAbs<T>(z, kz), f, kz); }
  @inline last<T>(f: T, r: T, z: T, t: T, kz: T): T {
    const softplusNegAbs = log1pUnit<T>(expFromReduced<T>(f, r, kz), kz);
    return add<T>(sub<T>(atLeast<T>(z, konst<T>(0.0, kz)), mul<T>(z, t)), softplusNegAbs);
  }
  @inline keep(): bool { return false; }
}

@final @unmanaged class BceGrad {
  @inline term<T>(z: T, t: T, n: T, kz: T): T { return div<T>(sub<T>(sigmoidCore<T>(z, kz), t), n); }
}

export function bceWithLogits_f32(z: usize, t: usize, n: i32): f32 {
  // Software pipelined in the relaxed-SIMD build only: the default build on Node 22+, where it runs
  // at 1.04× (V8 12) to 1.15× (V8 14) the plain loop. In the SIMD build, the default on Node 20,
  // V8 11 ran it at 0.98× the plain loop, so that build keeps sum64 (same bits either way).
  if (ASC_FEATURE_RELAXED_SIMD) return <f32>(sum64p2<BceTerm>(z, t, n) / <f64>n);
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
    const s = sum64p<ExpShifted>(zr, 0, cols, m);
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
    const s = sum64p<ExpShiftedKeep>(zr, gr, cols, m);
    const label = load<i32>(labels + (<usize>r << 2));
    const eLabel = load<f32>(at(gr, label));
    map2<Scale>(gr, gr, gr, cols, <f32>(1.0 / (s * <f64>rows)));
    store<f32>(at(gr, label), (eLabel * <f32>(1.0 / s) - 1.0) / rowsF);
  }
}
