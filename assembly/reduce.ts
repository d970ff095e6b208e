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
//
// Software pipelining (sum64p, sum64x2). The engine compiles a loop body's operations in the
// order of the WebAssembly code, and binaryen folds every value used once into the expression
// that uses it: each vector of a pass becomes one expression tree, emitted whole, one after the
// other. V8 11–12 (TurboFan, Node 20 and 22) reschedules the body and interleaves the vectors'
// dependency chains; V8 13+ (Turboshaft, Node 24 and 26) keeps the order (with
// --turbo-instruction-scheduling it interleaves too), and an exp-based reduction then runs its
// four long chains nearly one at a time (0.8× Node 20's speed on softmaxCrossEntropy). Staging
// values in locals does not help: binaryen folds them back. What it cannot fold is a value
// carried from one pass to the next, so the pipelined loops split a term in two stages and run,
// in each pass, the second stage of four vectors and then the first stage of the next four, whose
// results carry over in locals: two runs of independent chains, in an order no compiler undoes.
// Same terms, same order of addition, same bits; 1.2–1.3× on Node 20 as well as on Node 26.

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
 * The largest element of [ptr, ptr + 4n), NaN elements skipped: −Inf if there is none, and +0
 * (never −0) when the largest is a zero, so the result does not depend on the order of the
 * elements. Its callers sum e^(x − max) over the same elements, a sum that is NaN if one of them
 * is NaN (or if the max is ±Inf), so the row comes out NaN without a NaN test here. The vector
 * loop uses pmax (one instruction; wasm's NaN-exact max costs V8 several on x64), four vectors per
 * pass in four running maxima.
 */
@inline export function maxOf(ptr: usize, n: i32): f32 {
  let m: f32 = -Infinity;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    let m0 = f32x4.splat(-Infinity);
    let m1 = m0, m2 = m0, m3 = m0;
    if (i + 4 * LANES <= n) do {
      const p = at(ptr, i);
      m0 = f32x4.pmax(m0, v128.load(p)); m1 = f32x4.pmax(m1, v128.load(p, 16));
      m2 = f32x4.pmax(m2, v128.load(p, 32)); m3 = f32x4.pmax(m3, v128.load(p, 48));
      i += 4 * LANES;
    } while (i + 4 * LANES <= n);
    if (i + LANES <= n) do {
      m0 = f32x4.pmax(m0, v128.load(at(ptr, i)));
      i += LANES;
    } while (i + LANES <= n);
    const mv = f32x4.pmax(f32x4.pmax(m0, m1), f32x4.pmax(m2, m3));
    const a = f32x4.extract_lane(mv, 0), b = f32x4.extract_lane(mv, 1);
    const c = f32x4.extract_lane(mv, 2), d = f32x4.extract_lane(mv, 3);
    m = select<f32>(a, b, a > b);
    m = select<f32>(m, c, m > c);
    m = select<f32>(m, d, m > d);
  }
  for (; i < n; i++) {
    const v = load<f32>(at(ptr, i));
    m = select<f32>(v, m, v > m);
  }
  return m + 0.0;
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

/** lo plus the low two lanes of v, in f64. */
@inline function addLow(lo: v128, v: v128): v128 {
  return f64x2.add(lo, f64x2.promote_low_f32x4(v));
}

/**
 * Σ op.term(a[i], k) in f64, as sum64, for an op whose term comes in two stages (see the top of
 * this file): term(a, k) = op.last(f, op.second(a, k, f)), f = op.first(a, k); software
 * pipelined, with the same terms summed in the same order, so the same bits. When op.keep()
 * each term is also stored to out[i], which may alias a (each element is read before it is written).
 */
@inline export function sum64p<Op>(a: usize, out: usize, n: i32, k: f32): f64 {
  const op = changetype<Op>(0);
  let lanes: f64 = 0;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const kv = f32x4.splat(k);
    const kz = constantBase<v128>();
    let lo = f64x2.splat(0);
    let hi = f64x2.splat(0);
    if (i + 4 * LANES <= n) {
      // The first stage of the first four vectors.
      let p = at(a, i);
      let a0 = v128.load(p), a1 = v128.load(p, 16), a2 = v128.load(p, 32), a3 = v128.load(p, 48);
      let f0 = op.first<v128>(a0, kv, kz), f1 = op.first<v128>(a1, kv, kz);
      let f2 = op.first<v128>(a2, kv, kz), f3 = op.first<v128>(a3, kv, kz);
      let s0 = op.second<v128>(a0, kv, f0, kz), s1 = op.second<v128>(a1, kv, f1, kz);
      let s2 = op.second<v128>(a2, kv, f2, kz), s3 = op.second<v128>(a3, kv, f3, kz);
      i += 4 * LANES;
      if (i + 4 * LANES <= n) do {
        // The second stage of the previous four vectors, then the first stage of the next four.
        const v0 = op.last<v128>(f0, s0, kz), v1 = op.last<v128>(f1, s1, kz);
        const v2 = op.last<v128>(f2, s2, kz), v3 = op.last<v128>(f3, s3, kz);
        if (op.keep()) {
          const po = at(out, i - 4 * LANES);
          v128.store(po, v0); v128.store(po, v1, 16); v128.store(po, v2, 32); v128.store(po, v3, 48);
        }
        lo = addLow(lo, v0); hi = addLow(hi, high(v0));
        lo = addLow(lo, v1); hi = addLow(hi, high(v1));
        lo = addLow(lo, v2); hi = addLow(hi, high(v2));
        lo = addLow(lo, v3); hi = addLow(hi, high(v3));
        p = at(a, i);
        a0 = v128.load(p); a1 = v128.load(p, 16); a2 = v128.load(p, 32); a3 = v128.load(p, 48);
        f0 = op.first<v128>(a0, kv, kz); f1 = op.first<v128>(a1, kv, kz);
        f2 = op.first<v128>(a2, kv, kz); f3 = op.first<v128>(a3, kv, kz);
        s0 = op.second<v128>(a0, kv, f0, kz); s1 = op.second<v128>(a1, kv, f1, kz);
        s2 = op.second<v128>(a2, kv, f2, kz); s3 = op.second<v128>(a3, kv, f3, kz);
        i += 4 * LANES;
      } while (i + 4 * LANES <= n);
      // The second stage of the last four.
      const v0 = op.last<v128>(f0, s0, kz), v1 = op.last<v128>(f1, s1, kz);
      const v2 = op.last<v128>(f2, s2, kz), v3 = op.last<v128>(f3, s3, kz);
      if (op.keep()) {
        const po = at(out, i - 4 * LANES);
        v128.store(po, v0); v128.store(po, v1, 16); v128.store(po, v2, 32); v128.store(po, v3, 48);
      }
      lo = addLow(lo, v0); hi = addLow(hi, high(v0));
      lo = addLow(lo, v1); hi = addLow(hi, high(v1));
      lo = addLow(lo, v2); hi = addLow(hi, high(v2));
      lo = addLow(lo, v3); hi = addLow(hi, high(v3));
    }
    if (i + LANES <= n) do {
      const v = op.term<v128>(ld<v128>(at(a, i)), kv, kz);
      if (op.keep()) st<v128>(at(out, i), v);
      lo = addLow(lo, v); hi = addLow(hi, high(v));
      i += LANES;
    } while (i + LANES <= n);
    const pair = f64x2.add(lo, hi);
    lanes = f64x2.extract_lane(pair, 0) + f64x2.extract_lane(pair, 1);
  } else {
    let s0: f64 = 0, s1: f64 = 0, s2: f64 = 0, s3: f64 = 0;
    for (; i + LANES <= n; i += LANES) {
      const v0 = op.term<f32>(ld<f32>(at(a, i)), k, 0);
      const v1 = op.term<f32>(ld<f32>(at(a, i + 1)), k, 0);
      const v2 = op.term<f32>(ld<f32>(at(a, i + 2)), k, 0);
      const v3 = op.term<f32>(ld<f32>(at(a, i + 3)), k, 0);
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
    const v = op.term<f32>(ld<f32>(at(a, i)), k, 0);
    if (op.keep()) st<f32>(at(out, i), v);
    tail += v;
  }
  return lanes + tail;
}

/**
 * Σ op.term(a[i], b[i]) in f64, as sum64, for an op whose term comes in two stages that read the
 * inputs again in the second: term(a, b, _, kz) = op.last(f, op.second(a, f), a, b), f = op.first(a);
 * software pipelined as sum64p, with a and b loaded again in the second stage rather than carried
 * (a load is cheaper than the registers). Same terms, same order, same bits as sum64.
 */
@inline export function sum64p2<Op>(a: usize, b: usize, n: i32): f64 {
  const op = changetype<Op>(0);
  let lanes: f64 = 0;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const kz = constantBase<v128>();
    let lo = f64x2.splat(0);
    let hi = f64x2.splat(0);
    if (i + 4 * LANES <= n) {
      let p = at(a, i);
      let a0 = v128.load(p), a1 = v128.load(p, 16), a2 = v128.load(p, 32), a3 = v128.load(p, 48);
      let f0 = op.first<v128>(a0, kz), f1 = op.first<v128>(a1, kz);
      let f2 = op.first<v128>(a2, kz), f3 = op.first<v128>(a3, kz);
      let s0 = op.second<v128>(a0, f0, kz), s1 = op.second<v128>(a1, f1, kz);
      let s2 = op.second<v128>(a2, f2, kz), s3 = op.second<v128>(a3, f3, kz);
      i += 4 * LANES;
      if (i + 4 * LANES <= n) do {
        const pa = at(a, i - 4 * LANES), pb = at(b, i - 4 * LANES);
        const v0 = op.last<v128>(f0, s0, v128.load(pa), v128.load(pb), kz);
        const v1 = op.last<v128>(f1, s1, v128.load(pa, 16), v128.load(pb, 16), kz);
        const v2 = op.last<v128>(f2, s2, v128.load(pa, 32), v128.load(pb, 32), kz);
        const v3 = op.last<v128>(f3, s3, v128.load(pa, 48), v128.load(pb, 48), kz);
        lo = addLow(lo, v0); hi = addLow(hi, high(v0));
        lo = addLow(lo, v1); hi = addLow(hi, high(v1));
        lo = addLow(lo, v2); hi = addLow(hi, high(v2));
        lo = addLow(lo, v3); hi = addLow(hi, high(v3));
        p = at(a, i);
        a0 = v128.load(p); a1 = v128.load(p, 16); a2 = v128.load(p, 32); a3 = v128.load(p, 48);
        f0 = op.first<v128>(a0, kz); f1 = op.first<v128>(a1, kz);
        f2 = op.first<v128>(a2, kz); f3 = op.first<v128>(a3, kz);
        s0 = op.second<v128>(a0, f0, kz); s1 = op.second<v128>(a1, f1, kz);
        s2 = op.second<v128>(a2, f2, kz); s3 = op.second<v128>(a3, f3, kz);
        i += 4 * LANES;
      } while (i + 4 * LANES <= n);
      const pa = at(a, i - 4 * LANES), pb = at(b, i - 4 * LANES);
      const v0 = op.last<v128>(f0, s0, v128.load(pa), v128.load(pb), kz);
      const v1 = op.last<v128>(f1, s1, v128.load(pa, 16), v128.load(pb, 16), kz);
      const v2 = op.last<v128>(f2, s2, v128.load(pa, 32), v128.load(pb, 32), kz);
      const v3 = op.last<v128>(f3, s3, v128.load(pa, 48), v128.load(pb, 48), kz);
      lo = addLow(lo, v0); hi = addLow(hi, high(v0));
      lo = addLow(lo, v1); hi = addLow(hi, high(v1));
      lo = addLow(lo, v2); hi = addLow(hi, high(v2));
      lo = addLow(lo, v3); hi = addLow(hi, high(v3));
    }
    if (i + LANES <= n) do {
      const v = op.term<v128>(ld<v128>(at(a, i)), ld<v128>(at(b, i)), kz, kz);
      lo = addLow(lo, v); hi = addLow(hi, high(v));
      i += LANES;
    } while (i + LANES <= n);
    const pair = f64x2.add(lo, hi);
    lanes = f64x2.extract_lane(pair, 0) + f64x2.extract_lane(pair, 1);
  } else {
    let s0: f64 = 0, s1: f64 = 0, s2: f64 = 0, s3: f64 = 0;
    for (; i + LANES <= n; i += LANES) {
      s0 += op.term<f32>(ld<f32>(at(a, i)), ld<f32>(at(b, i)), 0, 0);
      s1 += op.term<f32>(ld<f32>(at(a, i + 1)), ld<f32>(at(b, i + 1)), 0, 0);
      s2 += op.term<f32>(ld<f32>(at(a, i + 2)), ld<f32>(at(b, i + 2)), 0, 0);
      s3 += op.term<f32>(ld<f32>(at(a, i + 3)), ld<f32>(at(b, i + 3)), 0, 0);
    }
    lanes = (s0 + s2) + (s1 + s3);
  }
  let tail: f64 = 0;
  for (; i < n; i++) tail += op.term<f32>(ld<f32>(at(a, i)), ld<f32>(at(b, i)), 0, 0);
  return lanes + tail;
}

/** The second sum of the last sum64x2 call. */
export let secondSum: f64 = 0;

/**
 * Two sums in one pass: Σ op.term(a, k, kz) (returned) and Σ op.term2(b, term) (in secondSum),
 * both in f64 and in the order described at the top of this file; when op.keep() each term is
 * also stored to out[i] (which may alias a or b: each element is read before it is written).
 * The term comes in two stages as for sum64p, and the vector loop is software pipelined the same
 * way (b is read in the second stage).
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
    if (i + 4 * LANES <= n) {
      let p = at(a, i);
      let a0 = v128.load(p), a1 = v128.load(p, 16), a2 = v128.load(p, 32), a3 = v128.load(p, 48);
      let f0 = op.first<v128>(a0, kv, kz), f1 = op.first<v128>(a1, kv, kz);
      let f2 = op.first<v128>(a2, kv, kz), f3 = op.first<v128>(a3, kv, kz);
      let s0 = op.second<v128>(a0, kv, f0, kz), s1 = op.second<v128>(a1, kv, f1, kz);
      let s2 = op.second<v128>(a2, kv, f2, kz), s3 = op.second<v128>(a3, kv, f3, kz);
      i += 4 * LANES;
      if (i + 4 * LANES <= n) do {
        const pb = at(b, i - 4 * LANES);
        const v0 = op.last<v128>(f0, s0, kz), v1 = op.last<v128>(f1, s1, kz);
        const v2 = op.last<v128>(f2, s2, kz), v3 = op.last<v128>(f3, s3, kz);
        const w0 = op.term2<v128>(v128.load(pb), v0), w1 = op.term2<v128>(v128.load(pb, 16), v1);
        const w2 = op.term2<v128>(v128.load(pb, 32), v2), w3 = op.term2<v128>(v128.load(pb, 48), v3);
        if (op.keep()) {
          const po = at(out, i - 4 * LANES);
          v128.store(po, v0); v128.store(po, v1, 16); v128.store(po, v2, 32); v128.store(po, v3, 48);
        }
        lo = addLow(lo, v0); hi = addLow(hi, high(v0)); lo2 = addLow(lo2, w0); hi2 = addLow(hi2, high(w0));
        lo = addLow(lo, v1); hi = addLow(hi, high(v1)); lo2 = addLow(lo2, w1); hi2 = addLow(hi2, high(w1));
        lo = addLow(lo, v2); hi = addLow(hi, high(v2)); lo2 = addLow(lo2, w2); hi2 = addLow(hi2, high(w2));
        lo = addLow(lo, v3); hi = addLow(hi, high(v3)); lo2 = addLow(lo2, w3); hi2 = addLow(hi2, high(w3));
        p = at(a, i);
        a0 = v128.load(p); a1 = v128.load(p, 16); a2 = v128.load(p, 32); a3 = v128.load(p, 48);
        f0 = op.first<v128>(a0, kv, kz); f1 = op.first<v128>(a1, kv, kz);
        f2 = op.first<v128>(a2, kv, kz); f3 = op.first<v128>(a3, kv, kz);
        s0 = op.second<v128>(a0, kv, f0, kz); s1 = op.second<v128>(a1, kv, f1, kz);
        s2 = op.second<v128>(a2, kv, f2, kz); s3 = op.second<v128>(a3, kv, f3, kz);
        i += 4 * LANES;
      } while (i + 4 * LANES <= n);
      const pb = at(b, i - 4 * LANES);
      const v0 = op.last<v128>(f0, s0, kz), v1 = op.last<v128>(f1, s1, kz);
      const v2 = op.last<v128>(f2, s2, kz), v3 = op.last<v128>(f3, s3, kz);
      const w0 = op.term2<v128>(v128.load(pb), v0), w1 = op.term2<v128>(v128.load(pb, 16), v1);
      const w2 = op.term2<v128>(v128.load(pb, 32), v2), w3 = op.term2<v128>(v128.load(pb, 48), v3);
      if (op.keep()) {
        const po = at(out, i - 4 * LANES);
        v128.store(po, v0); v128.store(po, v1, 16); v128.store(po, v2, 32); v128.store(po, v3, 48);
      }
      lo = addLow(lo, v0); hi = addLow(hi, high(v0)); lo2 = addLow(lo2, w0); hi2 = addLow(hi2, high(w0));
      lo = addLow(lo, v1); hi = addLow(hi, high(v1)); lo2 = addLow(lo2, w1); hi2 = addLow(hi2, high(w1));
      lo = addLow(lo, v2); hi = addLow(hi, high(v2)); lo2 = addLow(lo2, w2); hi2 = addLow(hi2, high(w2));
      lo = addLow(lo, v3); hi = addLow(hi, high(v3)); lo2 = addLow(lo2, w3); hi2 = addLow(hi2, high(w3));
    }
    if (i + LANES <= n) do {
      const vb = ld<v128>(at(b, i));
      const v = op.term<v128>(ld<v128>(at(a, i)), kv, kz);
      const w = op.term2<v128>(vb, v);
      if (op.keep()) st<v128>(at(out, i), v);
      lo = addLow(lo, v); hi = addLow(hi, high(v)); lo2 = addLow(lo2, w); hi2 = addLow(hi2, high(w));
      i += LANES;
    } while (i + LANES <= n);
    const pair = f64x2.add(lo, hi);
    const pair2 = f64x2.add(lo2, hi2);
    first = f64x2.extract_lane(pair, 0) + f64x2.extract_lane(pair, 1);
    second = f64x2.extract_lane(pair2, 0) + f64x2.extract_lane(pair2, 1);
  } else {
    let s0: f64 = 0, s1: f64 = 0, s2: f64 = 0, s3: f64 = 0;
    let t0: f64 = 0, t1: f64 = 0, t2: f64 = 0, t3: f64 = 0;
    for (; i + LANES <= n; i += LANES) {
      const b0 = ld<f32>(at(b, i)), b1 = ld<f32>(at(b, i + 1));
      const b2 = ld<f32>(at(b, i + 2)), b3 = ld<f32>(at(b, i + 3));
      const v0 = op.term<f32>(ld<f32>(at(a, i)), k, 0), v1 = op.term<f32>(ld<f32>(at(a, i + 1)), k, 0);
      const v2 = op.term<f32>(ld<f32>(at(a, i + 2)), k, 0), v3 = op.term<f32>(ld<f32>(at(a, i + 3)), k, 0);
      if (op.keep()) {
        st<f32>(at(out, i), v0); st<f32>(at(out, i + 1), v1);
        st<f32>(at(out, i + 2), v2); st<f32>(at(out, i + 3), v3);
      }
      s0 += v0; s1 += v1; s2 += v2; s3 += v3;
      t0 += op.term2<f32>(b0, v0); t1 += op.term2<f32>(b1, v1);
      t2 += op.term2<f32>(b2, v2); t3 += op.term2<f32>(b3, v3);
    }
    first = (s0 + s2) + (s1 + s3);
    second = (t0 + t2) + (t1 + t3);
  }
  let tail: f64 = 0;
  let tail2: f64 = 0;
  for (; i < n; i++) {
    const vb = ld<f32>(at(b, i));
    const v = op.term<f32>(ld<f32>(at(a, i)), k, 0);
    if (op.keep()) st<f32>(at(out, i), v);
    tail += v;
    tail2 += op.term2<f32>(vb, v);
  }
  secondSum = second + tail2;
  return first + tail;
}

/**
 * out[i] = op.apply(e, b[i], p, q) for every i, e being op's term of a[i] in the two stages of
 * sum64p (e = op.last(f, op.second(a[i], k, f)), f = op.first(a[i], k)): an elementwise map
 * software pipelined as sum64p is. out may alias a or b (element i is read before it is written).
 */
@inline export function map2p<Op>(a: usize, b: usize, out: usize, n: i32, k: f32, p: f32, q: f32): void {
  const op = changetype<Op>(0);
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const kv = f32x4.splat(k), pv = f32x4.splat(p), qv = f32x4.splat(q);
    const kz = constantBase<v128>();
    if (i + 4 * LANES <= n) {
      let pa = at(a, i);
      let a0 = v128.load(pa), a1 = v128.load(pa, 16), a2 = v128.load(pa, 32), a3 = v128.load(pa, 48);
      let f0 = op.first<v128>(a0, kv, kz), f1 = op.first<v128>(a1, kv, kz);
      let f2 = op.first<v128>(a2, kv, kz), f3 = op.first<v128>(a3, kv, kz);
      let s0 = op.second<v128>(a0, kv, f0, kz), s1 = op.second<v128>(a1, kv, f1, kz);
      let s2 = op.second<v128>(a2, kv, f2, kz), s3 = op.second<v128>(a3, kv, f3, kz);
      i += 4 * LANES;
      if (i + 4 * LANES <= n) do {
        const pb = at(b, i - 4 * LANES), po = at(out, i - 4 * LANES);
        v128.store(po, op.apply<v128>(op.last<v128>(f0, s0, kz), v128.load(pb), pv, qv));
        v128.store(po, op.apply<v128>(op.last<v128>(f1, s1, kz), v128.load(pb, 16), pv, qv), 16);
        v128.store(po, op.apply<v128>(op.last<v128>(f2, s2, kz), v128.load(pb, 32), pv, qv), 32);
        v128.store(po, op.apply<v128>(op.last<v128>(f3, s3, kz), v128.load(pb, 48), pv, qv), 48);
        pa = at(a, i);
        a0 = v128.load(pa); a1 = v128.load(pa, 16); a2 = v128.load(pa, 32); a3 = v128.load(pa, 48);
        f0 = op.first<v128>(a0, kv, kz); f1 = op.first<v128>(a1, kv, kz);
        f2 = op.first<v128>(a2, kv, kz); f3 = op.first<v128>(a3, kv, kz);
        s0 = op.second<v128>(a0, kv, f0, kz); s1 = op.second<v128>(a1, kv, f1, kz);
        s2 = op.second<v128>(a2, kv, f2, kz); s3 = op.second<v128>(a3, kv, f3, kz);
        i += 4 * LANES;
      } while (i + 4 * LANES <= n);
      const pb = at(b, i - 4 * LANES), po = at(out, i - 4 * LANES);
      v128.store(po, op.apply<v128>(op.last<v128>(f0, s0, kz), v128.load(pb), pv, qv));
      v128.store(po, op.apply<v128>(op.last<v128>(f1, s1, kz), v128.load(pb, 16), pv, qv), 16);
      v128.store(po, op.apply<v128>(op.last<v128>(f2, s2, kz), v128.load(pb, 32), pv, qv), 32);
      v128.store(po, op.apply<v128>(op.last<v128>(f3, s3, kz), v128.load(pb, 48), pv, qv), 48);
    }
    if (i + LANES <= n) do {
      st<v128>(at(out, i), op.apply<v128>(op.term<v128>(ld<v128>(at(a, i)), kv, kz), ld<v128>(at(b, i)), pv, qv));
      i += LANES;
    } while (i + LANES <= n);
  }
  for (; i < n; i++) st<f32>(at(out, i), op.apply<f32>(op.term<f32>(ld<f32>(at(a, i)), k, 0), ld<f32>(at(b, i)), p, q));
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
