// One gradient-descent pass of a one-unit dense layer (linear regression, binary logistic
// regression) fused into a single sweep over X: for each block of four rows, z = X·w + b (the four
// dot products share the loads of w), the per-row loss and its derivative d on the four rows as
// one vector (the cross-entropy's log1p and sigmoid included), then gw += Σ d_r·x_r while the rows
// are still in L1. Without fusion the same work reads X twice (gemv, then gemvT) and runs the
// loss and its gradient as separate passes over z.
//   mse: loss_r = (z − t)²,                              d_r = 2(z − t)/n
//   bce: loss_r = max(z, 0) − z·t + log1p(e^(−|z|)),     d_r = (σ(z) − t)/n      (z: logits)
// n is the count the mean is over (all rows, when a worker thread passes only its share).
// Outputs: gw (cols f32) = Σ_r d_r·x_r (the mean's gradient), and at `out` two f64: Σ_r loss_r and
// Σ_r d_r (the bias gradient); `scratch` holds CHUNK floats. The first rows − rows%4 rows go in
// chunks of CHUNK rows and blocks of four; z uses rowDot's lane order, losses and d are summed in
// sum64's, gw takes ((d0x0 + d1x1) + (d2x2 + d3x3)) per block, so the SIMD and scalar builds
// agree bit for bit.
import { add, atLeast, constantBase, div, konst, madd, mul, negAbs, sub } from "./lanes";
import { expNonPos, log1pUnit, sigmoidOf } from "./math";
import { at, lanesOf } from "./reduce";

// A row kind: `shared` is what loss and deriv both need (the cross-entropy's e^(−|z|), computed
// once for the log1p and the sigmoid); kz is the loop's constant base (lanes.ts konst).
@final @unmanaged class SquaredRow {
  @inline shared<T>(z: T, _kz: T): T { return z; }
  @inline loss<T>(z: T, t: T, _s: T, _kz: T): T { const e = sub<T>(z, t); return mul<T>(e, e); }
  @inline deriv<T>(z: T, t: T, n: T, _s: T, _kz: T): T { const e = sub<T>(z, t); return div<T>(add<T>(e, e), n); }
}

@final @unmanaged class LogisticRow {
  @inline shared<T>(z: T, kz: T): T { return expNonPos<T>(negAbs<T>(z, kz), kz); }
  @inline loss<T>(z: T, t: T, e: T, kz: T): T {
    return add<T>(sub<T>(atLeast<T>(z, konst<T>(0.0, kz)), mul<T>(z, t)), log1pUnit<T>(e, kz));
  }
  @inline deriv<T>(z: T, t: T, n: T, e: T, kz: T): T { return div<T>(sub<T>(sigmoidOf<T>(z, e, kz), t), n); }
}

/**
 * x·w for one row in the lane order of dots4rows: two interleaved sets of four lane sums (even
 * and odd groups of four columns, so that a long row is two dependency chains, not one), added
 * lane by lane, combined as (s0 + s2) + (s1 + s3), then the tail columns in order.
 */
@inline function rowDot(x: usize, w: usize, k: i32): f32 {
  let a0: f32 = 0, a1: f32 = 0, a2: f32 = 0, a3: f32 = 0;
  let b0: f32 = 0, b1: f32 = 0, b2: f32 = 0, b3: f32 = 0;
  let p = 0;
  for (; p + 8 <= k; p += 8) {
    const o = <usize>p << 2;
    a0 = madd<f32>(load<f32>(x + o), load<f32>(w + o), a0);
    a1 = madd<f32>(load<f32>(x + o, 4), load<f32>(w + o, 4), a1);
    a2 = madd<f32>(load<f32>(x + o, 8), load<f32>(w + o, 8), a2);
    a3 = madd<f32>(load<f32>(x + o, 12), load<f32>(w + o, 12), a3);
    b0 = madd<f32>(load<f32>(x + o, 16), load<f32>(w + o, 16), b0);
    b1 = madd<f32>(load<f32>(x + o, 20), load<f32>(w + o, 20), b1);
    b2 = madd<f32>(load<f32>(x + o, 24), load<f32>(w + o, 24), b2);
    b3 = madd<f32>(load<f32>(x + o, 28), load<f32>(w + o, 28), b3);
  }
  if (p + 4 <= k) {
    const o = <usize>p << 2;
    a0 = madd<f32>(load<f32>(x + o), load<f32>(w + o), a0);
    a1 = madd<f32>(load<f32>(x + o, 4), load<f32>(w + o, 4), a1);
    a2 = madd<f32>(load<f32>(x + o, 8), load<f32>(w + o, 8), a2);
    a3 = madd<f32>(load<f32>(x + o, 12), load<f32>(w + o, 12), a3);
    p += 4;
  }
  let tail: f32 = 0;
  for (; p < k; p++) tail = madd<f32>(load<f32>(at(x, p)), load<f32>(at(w, p)), tail);
  const s0 = a0 + b0, s1 = a1 + b1, s2 = a2 + b2, s3 = a3 + b3;
  return ((s0 + s2) + (s1 + s3)) + tail;
}

/** rowDot of four consecutive rows (x0, x0 + cols, …) as one vector, sharing the loads of w. */
@inline function dots4rows(x0: usize, w: usize, k: i32): v128 {
  const stride = <usize>k << 2;
  const x1 = x0 + stride, x2 = x1 + stride, x3 = x2 + stride;
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
  let b0 = f32x4.splat(0), b1 = f32x4.splat(0), b2 = f32x4.splat(0), b3 = f32x4.splat(0);
  let p = 0;
  for (; p + 8 <= k; p += 8) {
    const off = <usize>p << 2;
    const wa = v128.load(w + off);
    const wb = v128.load(w + off, 16);
    a0 = madd<v128>(v128.load(x0 + off), wa, a0);
    a1 = madd<v128>(v128.load(x1 + off), wa, a1);
    a2 = madd<v128>(v128.load(x2 + off), wa, a2);
    a3 = madd<v128>(v128.load(x3 + off), wa, a3);
    b0 = madd<v128>(v128.load(x0 + off, 16), wb, b0);
    b1 = madd<v128>(v128.load(x1 + off, 16), wb, b1);
    b2 = madd<v128>(v128.load(x2 + off, 16), wb, b2);
    b3 = madd<v128>(v128.load(x3 + off, 16), wb, b3);
  }
  if (p + 4 <= k) {
    const off = <usize>p << 2;
    const wa = v128.load(w + off);
    a0 = madd<v128>(v128.load(x0 + off), wa, a0);
    a1 = madd<v128>(v128.load(x1 + off), wa, a1);
    a2 = madd<v128>(v128.load(x2 + off), wa, a2);
    a3 = madd<v128>(v128.load(x3 + off), wa, a3);
    p += 4;
  }
  let t0: f32 = 0, t1: f32 = 0, t2: f32 = 0, t3: f32 = 0;
  for (; p < k; p++) {
    const off = <usize>p << 2;
    const wp = load<f32>(w + off);
    t0 = madd<f32>(load<f32>(x0 + off), wp, t0);
    t1 = madd<f32>(load<f32>(x1 + off), wp, t1);
    t2 = madd<f32>(load<f32>(x2 + off), wp, t2);
    t3 = madd<f32>(load<f32>(x3 + off), wp, t3);
  }
  let z = f32x4.splat(lanesOf(f32x4.add(a0, b0)) + t0);
  z = f32x4.replace_lane(z, 1, lanesOf(f32x4.add(a1, b1)) + t1);
  z = f32x4.replace_lane(z, 2, lanesOf(f32x4.add(a2, b2)) + t2);
  return f32x4.replace_lane(z, 3, lanesOf(f32x4.add(a3, b3)) + t3);
}

/** gw[j] += ((d0·x0j + d1·x1j) + (d2·x2j + d3·x3j)) over the columns of one block of rows. */
@inline function accumulate4(gw: usize, x0: usize, k: i32, d0: f32, d1: f32, d2: f32, d3: f32): void {
  const stride = <usize>k << 2;
  const x1 = x0 + stride, x2 = x1 + stride, x3 = x2 + stride;
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    const v0 = f32x4.splat(d0), v1 = f32x4.splat(d1), v2 = f32x4.splat(d2), v3 = f32x4.splat(d3);
    for (; j + 4 <= k; j += 4) {
      const off = <usize>j << 2;
      const a = f32x4.add(f32x4.mul(v0, v128.load(x0 + off)), f32x4.mul(v1, v128.load(x1 + off)));
      const b = f32x4.add(f32x4.mul(v2, v128.load(x2 + off)), f32x4.mul(v3, v128.load(x3 + off)));
      v128.store(gw + off, f32x4.add(v128.load(gw + off), f32x4.add(a, b)));
    }
  }
  for (; j < k; j++) {
    const off = <usize>j << 2;
    const a = d0 * load<f32>(x0 + off) + d1 * load<f32>(x1 + off);
    const b = d2 * load<f32>(x2 + off) + d3 * load<f32>(x3 + off);
    store<f32>(gw + off, load<f32>(gw + off) + (a + b));
  }
}

/**
 * Rows per chunk at most: z for the chunk first, then its losses as independent vectors, then
 * gw. A chunk's rows are read twice, so it is also kept within about 16 KiB (L1).
 */
const CHUNK = 64;

/**
 * Step 2 of fused for one block of four rows (z at scratch + 4j, targets from row r): writes d over
 * z and returns the losses.
 */
@inline function block<Row>(scratch: usize, t: usize, j: i32, r: i32, nv: v128, kz: v128): v128 {
  const row = changetype<Row>(0);
  const zs = at(scratch, j);
  const z = v128.load(zs);
  const tv = v128.load(at(t, r));
  const sh = row.shared<v128>(z, kz);
  v128.store(zs, row.deriv<v128>(z, tv, nv, sh, kz));
  return row.loss<v128>(z, tv, sh, kz);
}

@inline function fused<Row>(x: usize, t: usize, w: usize, bias: f32, rows: i32, cols: i32, n: f32, gw: usize, out: usize, scratch: usize): void {
  const row = changetype<Row>(0);
  memory.fill(gw, 0, <usize>cols << 2);
  // Loss and d lanes as sum64 keeps them: rows ≡ 0..3 (mod 4) of the blocked part.
  let s0: f64 = 0, s1: f64 = 0, s2: f64 = 0, s3: f64 = 0;
  let e0: f64 = 0, e1: f64 = 0, e2: f64 = 0, e3: f64 = 0;
  const blocked = rows & ~3;
  const chunk = max(4, min(CHUNK, (4096 / max(cols, 1)) & ~3));
  for (let c = 0; c < blocked; c += chunk) {
    const end = min(c + chunk, blocked);
    // 1. z for the chunk (rowDot's order), kept in scratch.
    for (let r = c; r < end; r += 4) {
      const xr = at(x, r * cols);
      const zs = at(scratch, r - c);
      if (ASC_FEATURE_SIMD) v128.store(zs, f32x4.add(dots4rows(xr, w, cols), f32x4.splat(bias)));
      else {
        store<f32>(zs, rowDot(xr, w, cols) + bias);
        store<f32>(zs, rowDot(at(xr, cols), w, cols) + bias, 4);
        store<f32>(zs, rowDot(at(xr, 2 * cols), w, cols) + bias, 8);
        store<f32>(zs, rowDot(at(xr, 3 * cols), w, cols) + bias, 12);
      }
    }
    // 2. Losses and derivatives: independent vectors, so the exp/log1p latency overlaps; d
    //    replaces z in scratch. The vector loop is a do-while loop taking two blocks per pass, the
    //    sums in block order, so that the constants of exp and log1p are moved out of it
    //    (lanes.ts konst).
    if (ASC_FEATURE_SIMD) {
      const kz = constantBase<v128>();
      const nv = f32x4.splat(n);
      let r = c;
      if (r + 8 <= end) do {
        let loss = block<Row>(scratch, t, r - c, r, nv, kz);
        let d = v128.load(at(scratch, r - c));
        s0 += <f64>f32x4.extract_lane(loss, 0); s1 += <f64>f32x4.extract_lane(loss, 1);
        s2 += <f64>f32x4.extract_lane(loss, 2); s3 += <f64>f32x4.extract_lane(loss, 3);
        e0 += <f64>f32x4.extract_lane(d, 0); e1 += <f64>f32x4.extract_lane(d, 1);
        e2 += <f64>f32x4.extract_lane(d, 2); e3 += <f64>f32x4.extract_lane(d, 3);
        loss = block<Row>(scratch, t, r + 4 - c, r + 4, nv, kz);
        d = v128.load(at(scratch, r + 4 - c));
        s0 += <f64>f32x4.extract_lane(loss, 0); s1 += <f64>f32x4.extract_lane(loss, 1);
        s2 += <f64>f32x4.extract_lane(loss, 2); s3 += <f64>f32x4.extract_lane(loss, 3);
        e0 += <f64>f32x4.extract_lane(d, 0); e1 += <f64>f32x4.extract_lane(d, 1);
        e2 += <f64>f32x4.extract_lane(d, 2); e3 += <f64>f32x4.extract_lane(d, 3);
        r += 8;
      } while (r + 8 <= end);
      if (r < end) {
        const loss = block<Row>(scratch, t, r - c, r, nv, kz);
        const d = v128.load(at(scratch, r - c));
        s0 += <f64>f32x4.extract_lane(loss, 0); s1 += <f64>f32x4.extract_lane(loss, 1);
        s2 += <f64>f32x4.extract_lane(loss, 2); s3 += <f64>f32x4.extract_lane(loss, 3);
        e0 += <f64>f32x4.extract_lane(d, 0); e1 += <f64>f32x4.extract_lane(d, 1);
        e2 += <f64>f32x4.extract_lane(d, 2); e3 += <f64>f32x4.extract_lane(d, 3);
      }
    } else {
      for (let r = c; r < end; r += 4) {
        const zs = at(scratch, r - c);
        for (let k = 0; k < 4; k++) {
          const p = zs + (<usize>k << 2);
          const z = load<f32>(p);
          const tk = load<f32>(at(t, r + k));
          const sh = row.shared<f32>(z, 0);
          const loss = <f64>row.loss<f32>(z, tk, sh, 0);
          const d = row.deriv<f32>(z, tk, n, sh, 0);
          store<f32>(p, d);
          if (k == 0) { s0 += loss; e0 += <f64>d; }
          else if (k == 1) { s1 += loss; e1 += <f64>d; }
          else if (k == 2) { s2 += loss; e2 += <f64>d; }
          else { s3 += loss; e3 += <f64>d; }
        }
      }
    }
    // 3. gw += Σ d_r·x_r, the chunk's rows read again from cache.
    for (let r = c; r < end; r += 4) {
      const ds = at(scratch, r - c);
      accumulate4(gw, at(x, r * cols), cols, load<f32>(ds), load<f32>(ds, 4), load<f32>(ds, 8), load<f32>(ds, 12));
    }
  }
  let total = (s0 + s2) + (s1 + s3);
  let dsum = (e0 + e2) + (e1 + e3);
  for (let r = blocked; r < rows; r++) {
    const xr = at(x, r * cols);
    const z = rowDot(xr, w, cols) + bias;
    const tr = load<f32>(at(t, r));
    const e = row.shared<f32>(z, 0);
    total += <f64>row.loss<f32>(z, tr, e, 0);
    const d = row.deriv<f32>(z, tr, n, e, 0);
    dsum += <f64>d;
    for (let j = 0; j < cols; j++) {
      const p = at(gw, j);
      store<f32>(p, load<f32>(p) + d * load<f32>(at(xr, j)));
    }
  }
  store<f64>(out, total);
  store<f64>(out, dsum, 8);
}

export function denseMse1_f32(x: usize, t: usize, w: usize, bias: f32, rows: i32, cols: i32, n: f32, gw: usize, out: usize, scratch: usize): void {
  fused<SquaredRow>(x, t, w, bias, rows, cols, n, gw, out, scratch);
}

export function denseBce1_f32(x: usize, t: usize, w: usize, bias: f32, rows: i32, cols: i32, n: f32, gw: usize, out: usize, scratch: usize): void {
  fused<LogisticRow>(x, t, w, bias, rows, cols, n, gw, out, scratch);
}
