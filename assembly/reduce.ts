// Reductions with one fixed summation order, shared by the SIMD and the scalar build so that
// both give bit-identical sums:
//   the main part (the first n − n%4 elements) is summed in four lane sums s0..s3, lane k taking
//   the elements i ≡ k (mod 4); they are combined as (s0 + s2) + (s1 + s3); the tail elements
//   are summed in order from 0 and added last.
// The SIMD build keeps the lanes in vector registers; the scalar build keeps them in four locals.
// A reduction is parameterised by an op class (never instantiated: its methods are @inline and
// called on a null reference) whose `term` computes one lane's contribution. The vector loops are
// guarded do-while loops: binaryen's loop-invariant code motion only moves code that runs on every
// pass through a loop body, and asc puts a `for` body inside an `if`.

import { constantBase, LANES, ld, st } from "./lanes";

/** Address of the i-th f32 after ptr. */
@inline export function at(ptr: usize, i: i32): usize {
  return ptr + (<usize>i << 2);
}

/** Lane 2,3 of a v128 moved to lanes 0,1, for promotion to f64x2. */
@inline function high(v: v128): v128 {
  return i32x4.shuffle(v, v, 2, 3, 2, 3);
}

/**
 * The largest element of [ptr, ptr + 4n): NaN if any is NaN, −Inf if n is 0, and +0 (never −0)
 * when the largest is a zero, so the result does not depend on the order of the elements. The
 * vector loop uses pmax (one instruction; wasm's NaN-exact max costs V8 several on x64) and
 * tracks NaNs in a mask beside it.
 */
@inline export function maxOf(ptr: usize, n: i32): f32 {
  let m: f32 = -Infinity;
  let nan = false;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    let mv = f32x4.splat(-Infinity);
    let nv = i32x4.splat(0);
    for (; i + LANES <= n; i += LANES) {
      const v = v128.load(at(ptr, i));
      mv = f32x4.pmax(mv, v);
      nv = v128.or(nv, f32x4.ne(v, v));
    }
    const a = f32x4.extract_lane(mv, 0), b = f32x4.extract_lane(mv, 1);
    const c = f32x4.extract_lane(mv, 2), d = f32x4.extract_lane(mv, 3);
    m = select<f32>(a, b, a > b);
    m = select<f32>(m, c, m > c);
    m = select<f32>(m, d, m > d);
    nan = v128.any_true(nv);
  }
  for (; i < n; i++) {
    const v = load<f32>(at(ptr, i));
    m = select<f32>(v, m, v > m);
    nan = nan || v != v;
  }
  return nan ? NaN : m + 0.0;
}

/** op.term of the vectors at element i of a and b, also stored at out when op.keep(). */
@inline function termAt<Op>(a: usize, b: usize, out: usize, i: i32, kv: v128, kz: v128): v128 {
  const op = changetype<Op>(0);
  const v = op.term<v128>(ld<v128>(at(a, i)), ld<v128>(at(b, i)), kv, kz);
  if (op.keep()) st<v128>(at(out, i), v);
  return v;
}

/**
 * Σ op.term(a[i], b[i], k, kz) accumulated in f64 (kz: the loop's constant base, lanes.ts konst;
 * 0 for scalar lanes); when op.keep() each term is also stored to out[i]
 * (which may alias a or b: each element is read before it is written).
 */
@inline export function sum64<Op>(a: usize, b: usize, out: usize, n: i32, k: f32): f64 {
  const op = changetype<Op>(0);
  let lanes: f64 = 0;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const kv = f32x4.splat(k);
    const kz = constantBase<v128>();
    let lo = f64x2.splat(0);
    let hi = f64x2.splat(0);
    // Four vectors per pass, added in order (the sums are those of one vector per pass), so that
    // the constants of op.term are moved out of the loop (lanes.ts konst).
    if (i + 4 * LANES <= n) do {
      const v0 = termAt<Op>(a, b, out, i, kv, kz);
      lo = f64x2.add(lo, f64x2.promote_low_f32x4(v0)); hi = f64x2.add(hi, f64x2.promote_low_f32x4(high(v0)));
      const v1 = termAt<Op>(a, b, out, i + LANES, kv, kz);
      lo = f64x2.add(lo, f64x2.promote_low_f32x4(v1)); hi = f64x2.add(hi, f64x2.promote_low_f32x4(high(v1)));
      const v2 = termAt<Op>(a, b, out, i + 2 * LANES, kv, kz);
      lo = f64x2.add(lo, f64x2.promote_low_f32x4(v2)); hi = f64x2.add(hi, f64x2.promote_low_f32x4(high(v2)));
      const v3 = termAt<Op>(a, b, out, i + 3 * LANES, kv, kz);
      lo = f64x2.add(lo, f64x2.promote_low_f32x4(v3)); hi = f64x2.add(hi, f64x2.promote_low_f32x4(high(v3)));
      i += 4 * LANES;
    } while (i + 4 * LANES <= n);
    if (i + LANES <= n) do {
      const v = termAt<Op>(a, b, out, i, kv, kz);
      lo = f64x2.add(lo, f64x2.promote_low_f32x4(v)); hi = f64x2.add(hi, f64x2.promote_low_f32x4(high(v)));
      i += LANES;
    } while (i + LANES <= n);
    const pair = f64x2.add(lo, hi);
    lanes = f64x2.extract_lane(pair, 0) + f64x2.extract_lane(pair, 1);
  } else {
    let s0: f64 = 0, s1: f64 = 0, s2: f64 = 0, s3: f64 = 0;
    for (; i + LANES <= n; i += LANES) {
      const v0 = op.term<f32>(ld<f32>(at(a, i)), ld<f32>(at(b, i)), k, 0);
      const v1 = op.term<f32>(ld<f32>(at(a, i + 1)), ld<f32>(at(b, i + 1)), k, 0);
      const v2 = op.term<f32>(ld<f32>(at(a, i + 2)), ld<f32>(at(b, i + 2)), k, 0);
      const v3 = op.term<f32>(ld<f32>(at(a, i + 3)), ld<f32>(at(b, i + 3)), k, 0);
      if (op.keep()) {
        st<f32>(at(out, i), v0); st<f32>(at(out, i + 1), v1);
        st<f32>(at(out, i + 2), v2); st<f32>(at(out, i + 3), v3);
      }
      s0 += v0; s1 += v1; s2 += v2; s3 += v3;
    }
    lanes = (s0 + s2) + (s1 + s3);
  }
  let tail: f64 = 0;
  for (; i < n; i++) {
    const v = op.term<f32>(ld<f32>(at(a, i)), ld<f32>(at(b, i)), k, 0);
    if (op.keep()) st<f32>(at(out, i), v);
    tail += v;
  }
  return lanes + tail;
}

/** The second sum of the last sum64x2 call. */
export let secondSum: f64 = 0;

/**
 * Two sums in one pass: Σ op.term(a, b, k, kz) (returned) and Σ op.term2(a, b, term) (in secondSum),
 * both in f64 and in the order described at the top of this file; when op.keep() each term is
 * also stored to out[i] (which may alias a or b: each element is read before it is written).
 */
@inline export function sum64x2<Op>(a: usize, b: usize, out: usize, n: i32, k: f32): f64 {
  const op = changetype<Op>(0);
  let first: f64 = 0;
  let second: f64 = 0;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const kv = f32x4.splat(k);
    const kz = constantBase<v128>();
    let lo = f64x2.splat(0), hi = f64x2.splat(0), lo2 = f64x2.splat(0), hi2 = f64x2.splat(0);
    // Two vectors per pass, added in order, as in sum64.
    if (i + 2 * LANES <= n) do {
      const va0 = ld<v128>(at(a, i));
      const vb0 = ld<v128>(at(b, i));
      const v0 = op.term<v128>(va0, vb0, kv, kz);
      const w0 = op.term2<v128>(va0, vb0, v0);
      if (op.keep()) st<v128>(at(out, i), v0);
      lo = f64x2.add(lo, f64x2.promote_low_f32x4(v0));
      hi = f64x2.add(hi, f64x2.promote_low_f32x4(high(v0)));
      lo2 = f64x2.add(lo2, f64x2.promote_low_f32x4(w0));
      hi2 = f64x2.add(hi2, f64x2.promote_low_f32x4(high(w0)));
      const va1 = ld<v128>(at(a, i + LANES));
      const vb1 = ld<v128>(at(b, i + LANES));
      const v1 = op.term<v128>(va1, vb1, kv, kz);
      const w1 = op.term2<v128>(va1, vb1, v1);
      if (op.keep()) st<v128>(at(out, i + LANES), v1);
      lo = f64x2.add(lo, f64x2.promote_low_f32x4(v1));
      hi = f64x2.add(hi, f64x2.promote_low_f32x4(high(v1)));
      lo2 = f64x2.add(lo2, f64x2.promote_low_f32x4(w1));
      hi2 = f64x2.add(hi2, f64x2.promote_low_f32x4(high(w1)));
      i += 2 * LANES;
    } while (i + 2 * LANES <= n);
    if (i + LANES <= n) {
      const va = ld<v128>(at(a, i));
      const vb = ld<v128>(at(b, i));
      const v = op.term<v128>(va, vb, kv, kz);
      const w = op.term2<v128>(va, vb, v);
      if (op.keep()) st<v128>(at(out, i), v);
      lo = f64x2.add(lo, f64x2.promote_low_f32x4(v));
      hi = f64x2.add(hi, f64x2.promote_low_f32x4(high(v)));
      lo2 = f64x2.add(lo2, f64x2.promote_low_f32x4(w));
      hi2 = f64x2.add(hi2, f64x2.promote_low_f32x4(high(w)));
      i += LANES;
    }
    const pair = f64x2.add(lo, hi);
    const pair2 = f64x2.add(lo2, hi2);
    first = f64x2.extract_lane(pair, 0) + f64x2.extract_lane(pair, 1);
    second = f64x2.extract_lane(pair2, 0) + f64x2.extract_lane(pair2, 1);
  } else {
    let s0: f64 = 0, s1: f64 = 0, s2: f64 = 0, s3: f64 = 0;
    let t0: f64 = 0, t1: f64 = 0, t2: f64 = 0, t3: f64 = 0;
    for (; i + LANES <= n; i += LANES) {
      const a0 = ld<f32>(at(a, i)), b0 = ld<f32>(at(b, i));
      const a1 = ld<f32>(at(a, i + 1)), b1 = ld<f32>(at(b, i + 1));
      const a2 = ld<f32>(at(a, i + 2)), b2 = ld<f32>(at(b, i + 2));
      const a3 = ld<f32>(at(a, i + 3)), b3 = ld<f32>(at(b, i + 3));
      const v0 = op.term<f32>(a0, b0, k, 0), v1 = op.term<f32>(a1, b1, k, 0);
      const v2 = op.term<f32>(a2, b2, k, 0), v3 = op.term<f32>(a3, b3, k, 0);
      if (op.keep()) {
        st<f32>(at(out, i), v0); st<f32>(at(out, i + 1), v1);
        st<f32>(at(out, i + 2), v2); st<f32>(at(out, i + 3), v3);
      }
      s0 += v0; s1 += v1; s2 += v2; s3 += v3;
      t0 += op.term2<f32>(a0, b0, v0); t1 += op.term2<f32>(a1, b1, v1);
      t2 += op.term2<f32>(a2, b2, v2); t3 += op.term2<f32>(a3, b3, v3);
    }
    first = (s0 + s2) + (s1 + s3);
    second = (t0 + t2) + (t1 + t3);
  }
  let tail: f64 = 0;
  let tail2: f64 = 0;
  for (; i < n; i++) {
    const va = ld<f32>(at(a, i));
    const vb = ld<f32>(at(b, i));
    const v = op.term<f32>(va, vb, k, 0);
    if (op.keep()) st<f32>(at(out, i), v);
    tail += v;
    tail2 += op.term2<f32>(va, vb, v);
  }
  secondSum = second + tail2;
  return first + tail;
}

/** The four f32 lane sums of v combined in this file's order: (s0 + s2) + (s1 + s3). */
@inline export function lanesOf(v: v128): f32 {
  return (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 2)) + (f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 3));
}

/**
 * Σ a[i]·b[i] in f32 (BLAS sdot semantics), in the order described at the top of this file. A
 * multiply and an add in every build, also the relaxed one: its one accumulator is a chain of
 * dependent additions, and a fused multiply-add has the longer latency (the relaxed build ran it
 * at 0.76× on Node 26).
 */
@inline export function dot32(a: usize, b: usize, n: i32): f32 {
  let lanes: f32 = 0;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    let acc = f32x4.splat(0);
    for (; i + LANES <= n; i += LANES) acc = f32x4.add(acc, f32x4.mul(v128.load(at(a, i)), v128.load(at(b, i))));
    lanes = lanesOf(acc);
  } else {
    let s0: f32 = 0, s1: f32 = 0, s2: f32 = 0, s3: f32 = 0;
    for (; i + LANES <= n; i += LANES) {
      s0 += load<f32>(at(a, i)) * load<f32>(at(b, i));
      s1 += load<f32>(at(a, i + 1)) * load<f32>(at(b, i + 1));
      s2 += load<f32>(at(a, i + 2)) * load<f32>(at(b, i + 2));
      s3 += load<f32>(at(a, i + 3)) * load<f32>(at(b, i + 3));
    }
    lanes = (s0 + s2) + (s1 + s3);
  }
  let tail: f32 = 0;
  for (; i < n; i++) tail += load<f32>(at(a, i)) * load<f32>(at(b, i));
  return lanes + tail;
}

/**
 * out[i] = op.term(a[i], b[i], k, kz) for every i (an elementwise map with the same lane body in
 * the vector loop and the tail). out may alias a or b.
 */
@inline export function map2<Op>(a: usize, b: usize, out: usize, n: i32, k: f32): void {
  const op = changetype<Op>(0);
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const kv = f32x4.splat(k);
    const kz = constantBase<v128>();
    // Unrolled four times (see scripts/generate.ts); each vector is stored before the next load.
    if (i + 4 * LANES <= n) do {
      const pa = at(a, i), pb = at(b, i), po = at(out, i);
      v128.store(po, op.term<v128>(v128.load(pa), v128.load(pb), kv, kz));
      v128.store(po, op.term<v128>(v128.load(pa, 16), v128.load(pb, 16), kv, kz), 16);
      v128.store(po, op.term<v128>(v128.load(pa, 32), v128.load(pb, 32), kv, kz), 32);
      v128.store(po, op.term<v128>(v128.load(pa, 48), v128.load(pb, 48), kv, kz), 48);
      i += 4 * LANES;
    } while (i + 4 * LANES <= n);
    if (i + LANES <= n) do {
      st<v128>(at(out, i), op.term<v128>(ld<v128>(at(a, i)), ld<v128>(at(b, i)), kv, kz));
      i += LANES;
    } while (i + LANES <= n);
  }
  for (; i < n; i++) st<f32>(at(out, i), op.term<f32>(ld<f32>(at(a, i)), ld<f32>(at(b, i)), k, 0));
}
