// The shared vectorised transcendental cores. All exp-based activations, losses and their
// derivatives get their accuracy here, and every kernel only ever needs these functions for
// arguments <= 0 (sigmoid, tanh, elu, softplus and softmax are all rewritten in terms of
// e^(-|x|) or e^(x - max)), which removes overflow handling from the hot path.
//
// Algorithm (Cody–Waite reduction + minimax polynomial; every multiply-add a madd, fused in the
// relaxed-SIMD build, two roundings elsewhere):
//   n = round(x·log2 e) by a magic-number add whose bits also give 2ⁿ with one shift,
//   r = x − n·ln2  (ln2 split in a 9-bit head and a tail, so n·head is exact)
//   expm1(r) = r + r²·q(r), q of degree 4, on |r| ≤ ln2/2  (approximation error < 0.3·2⁻²⁴)
//   e^x = (2ⁿ⁺⁶⁴·(1 + expm1(r)))·2⁻⁶⁴, so subnormal results round once (in the relaxed-SIMD
//   build, 2ⁿ⁺⁶⁴·expm1(r) + 2ⁿ⁺⁶⁴ as one madd)
//   expm1(x) = 2ⁿ·expm1(r) + (2ⁿ − 1), exact at n = 0, so it keeps full relative accuracy near 0.
// Measured against float64 over 4·10⁶ float32 inputs of every exponent: ≤ 1 ulp for e^x (it is
// elu′ for x <= 0, checked by test/activations.test.ts), ≤ 1.1 ulp for expm1 (elu).
// Every constant is written konst(c, kz), kz being the constant base of the loop the code runs in
// (lanes.ts), and not splat(c): V8 13+ (Turboshaft) builds a v128 constant at every use inside a
// loop, three instructions through a general-purpose register each, a dozen per vector here, where
// V8 11–12 built it once in front of the loop; konst's constants are set up once, before the loop.

import { abs_, add, atLeast, clampOrLow, sub, mul, div, konst, madd, neg, negAbs, nmadd, exponentOf, ifGt, ifLt } from "./lanes";

const LOG2E: f32 = 1.4426950408889634;
const LN2_HI: f32 = 0.693359375;
const LN2_LO: f32 = -2.12194440e-4;
// expm1(r) ≈ r + r²·q(r), q of degree 4 fitted for the least largest relative error on
// |r| ≤ ln2/2 by scripts/fit-expm1.py: 1.7e-8 (0.28·2⁻²⁴) before float32 rounding.
const Q0: f32 = 0.49999997;
const Q1: f32 = 0.16666543;
const Q2: f32 = 0.0416672;
const Q3: f32 = 0.008366521;
const Q4: f32 = 0.0013882512;

/** expm1(r) for |r| <= ln2/2 + a little: the polynomial shared by exp and expm1. */
@inline function expm1Poly<T>(r: T, kz: T): T {
  let q = madd<T>(r, konst<T>(Q4, kz), konst<T>(Q3, kz));
  q = madd<T>(r, q, konst<T>(Q2, kz));
  q = madd<T>(r, q, konst<T>(Q1, kz));
  q = madd<T>(r, q, konst<T>(Q0, kz));
  return madd<T>(mul<T>(r, r), q, r);
}

/**
 * Rounds y = x·log2 e to an integer n by adding a magic number: for |y| < 2^22 the sum lands in
 * [2^23, 2^24), where the float32 spacing is 1, so it is round-to-nearest-even(y) + MAGIC exactly,
 * and its low mantissa bits hold n + BIAS. Returns that sum; n is (sum − MAGIC).
 */
@inline function roundedLog2<T>(x: T, magic: f32, kz: T): T {
  return madd<T>(x, konst<T>(LOG2E, kz), konst<T>(magic, kz));
}

/** r = x − n·ln2, with n·LN2_HI exact (n has at most 8 bits, LN2_HI 9). */
@inline function reduce<T>(x: T, n: T, kz: T): T {
  return nmadd<T>(n, konst<T>(LN2_LO, kz), nmadd<T>(n, konst<T>(LN2_HI, kz), x));
}

// 1.5·2^23 plus the exponent bias: 127 for 2^n itself, 127 + 64 for 2^(n + 64), which keeps the
// scale a normal number down to n = −150 (the result is then scaled by 2^−64, rounding once).
const MAGIC: f32 = 12582912.0 + 127.0;
const MAGIC_64: f32 = 12582912.0 + 127.0 + 64.0;
const TWO_M64: f32 = 5.421010862427522e-20; // 2^−64

/** e^x for x in [−104, 0] from the magic sum z of roundedLog2 (bias 127 + 64) and r. */
@inline export function expFromReduced<T>(z: T, r: T, kz: T): T {
  const p = expm1Poly<T>(r, kz);
  if (ASC_FEATURE_RELAXED_SIMD) {
    // (1 + p)·2^(n+64) as one fused p·s + s, an add and a constant fewer: the same bits, since s
    // is a power of two (rounding p·s + s once is rounding 1 + p, then scaling it exactly).
    const s = exponentOf<T>(z);
    return mul<T>(madd<T>(p, s, s), konst<T>(TWO_M64, kz));
  }
  return mul<T>(mul<T>(add<T>(konst<T>(1.0, kz), p), exponentOf<T>(z)), konst<T>(TWO_M64, kz));
}

/**
 * e^(x + lo) for x <= 0 (−Inf gives 0, NaN gives NaN). `lo` is a small correction term
 * (the rounding error of an operation that produced x), 0 where there is none.
 */
@inline export function expNonPos2<T>(x: T, lo: T, kz: T): T {
  // Below −104 the result is 0 in float32; clamping keeps n within the scale's range (and the
  // correction, meaningless there, is dropped with the rest of the argument).
  const xc = atLeast<T>(x, konst<T>(-104.0, kz));
  const z = roundedLog2<T>(xc, MAGIC_64, kz);
  const n = sub<T>(z, konst<T>(MAGIC_64, kz));
  const r = add<T>(reduce<T>(xc, n, kz), ifLt<T>(x, konst<T>(-104.0, kz), konst<T>(0.0, kz), lo));
  return expFromReduced<T>(z, r, kz);
}

/** e^x for x <= 0. In two halves as expShifted: z = expZ(x), then expFromReduced(z, expR(x, z)). */
@inline export function expNonPos<T>(x: T, kz: T): T {
  const z = expZ<T>(x, kz);
  return expFromReduced<T>(z, expR<T>(x, z, kz), kz);
}

/** The magic sum (roundedLog2) of e^x, x clamped at −104. */
@inline export function expZ<T>(x: T, kz: T): T {
  return roundedLog2<T>(atLeast<T>(x, konst<T>(-104.0, kz)), MAGIC_64, kz);
}

/** The reduced argument of e^x given z = expZ(x). */
@inline export function expR<T>(x: T, z: T, kz: T): T {
  return reduce<T>(atLeast<T>(x, konst<T>(-104.0, kz)), sub<T>(z, konst<T>(MAGIC_64, kz)), kz);
}

/** e^x − 1 for x <= 0, with full relative accuracy near 0 (−Inf gives −1, NaN gives NaN). */
@inline export function expm1NonPos<T>(x: T, kz: T): T {
  // Below −87 the result is −1 in float32; clamping keeps 2ⁿ a normal number.
  const xc = atLeast<T>(x, konst<T>(-87.0, kz));
  const z = roundedLog2<T>(xc, MAGIC, kz);
  const p = expm1Poly<T>(reduce<T>(xc, sub<T>(z, konst<T>(MAGIC, kz)), kz), kz);
  const t = exponentOf<T>(z);
  return madd<T>(t, p, sub<T>(t, konst<T>(1.0, kz)));
}

const SQRT2: f32 = 1.4142135623730951;
// 2·atanh(s) = 2s + 2s·s²·(1/3 + s²/5 + s⁴/7 + s⁶/9 + s⁸/11 + …)
const L3: f32 = 0.3333333333333333;
const L5: f32 = 0.2;
const L7: f32 = 0.14285714285714285;
const L9: f32 = 0.1111111111111111;
const L11: f32 = 0.09090909090909091;

/**
 * log(1 + u) for u in [0, 1] (NaN gives NaN).
 * w = 1 + u is split as 2^k·m with m in [√½, √2]; log m = 2·atanh(s), s = (m − 1)/(m + 1),
 * |s| ≤ 0.172, odd series to s¹¹; the rounding error c of 1 + u is added back as c/w.
 */
@inline export function log1pUnit<T>(u: T, kz: T): T {
  const w = add<T>(konst<T>(1.0, kz), u);
  const c = sub<T>(u, sub<T>(w, konst<T>(1.0, kz)));
  const k = ifGt<T>(w, konst<T>(SQRT2, kz), konst<T>(1.0, kz), konst<T>(0.0, kz));
  const m = ifGt<T>(w, konst<T>(SQRT2, kz), mul<T>(w, konst<T>(0.5, kz)), w);
  const s = div<T>(sub<T>(m, konst<T>(1.0, kz)), add<T>(m, konst<T>(1.0, kz)));
  const s2 = mul<T>(s, s);
  let q = madd<T>(s2, konst<T>(L11, kz), konst<T>(L9, kz));
  q = madd<T>(s2, q, konst<T>(L7, kz));
  q = madd<T>(s2, q, konst<T>(L5, kz));
  q = madd<T>(s2, q, konst<T>(L3, kz));
  const twoS = add<T>(s, s);
  const logm = madd<T>(mul<T>(twoS, s2), q, twoS);
  const tail = madd<T>(k, konst<T>(LN2_LO, kz), div<T>(c, w));
  return madd<T>(k, konst<T>(LN2_HI, kz), add<T>(logm, tail));
}

/**
 * e^(x − m) for m >= x (m the row maximum), with the rounding error of x − m carried into
 * the exponent (TwoSum), so that large shifts do not cost relative accuracy. Written in two
 * halves, z = expShiftedZ(x, m) and then expFromReduced(z, expShiftedR(x, m, z)), for the
 * software-pipelined loops of reduce.ts (sum64p), which run each half on different vectors.
 */
@inline export function expShifted<T>(x: T, m: T, kz: T): T {
  const z = expShiftedZ<T>(x, m, kz);
  return expFromReduced<T>(z, expShiftedR<T>(x, m, z, kz), kz);
}

/** The magic sum (roundedLog2) of e^(x − m): that of x − m, clamped at −104 as in expNonPos2. */
@inline export function expShiftedZ<T>(x: T, m: T, kz: T): T {
  return roundedLog2<T>(atLeast<T>(sub<T>(x, m), konst<T>(-104.0, kz)), MAGIC_64, kz);
}

/** The reduced argument of e^(x − m) given z = expShiftedZ(x, m), with x − m's rounding error added. */
@inline export function expShiftedR<T>(x: T, m: T, z: T, kz: T): T {
  const d = sub<T>(x, m);
  const bv = sub<T>(d, x);
  const err = add<T>(sub<T>(x, sub<T>(d, bv)), sub<T>(neg<T>(m), bv));
  const r = reduce<T>(atLeast<T>(d, konst<T>(-104.0, kz)), sub<T>(z, konst<T>(MAGIC_64, kz)), kz);
  // Where d >= −104, |err| <= ulp(d)/2 <= 2^-18, untouched by the clamp. Below, err may be large,
  // or NaN where d is −Inf, and must not count: the argument is −104 there (z and r are those of
  // −104, r = −104 + 150·ln2 ≈ −0.028), and with err in [LN2_LO, Q4] ≈ [−2.1e-4, 1.4e-3] the
  // result stays below 2^-150, which rounds to +0 as without it. Two instructions, where testing d
  // costs four, and two constants the loop holds anyway.
  return add<T>(r, clampOrLow<T>(err, konst<T>(LN2_LO, kz), konst<T>(Q4, kz)));
}

/** σ from x and e = e^(−|x|) ∈ (0, 1]: 1/(1 + e) for x >= 0, e/(1 + e) below. */
@inline export function sigmoidOf<T>(x: T, e: T, kz: T): T {
  const num = ifLt<T>(x, konst<T>(0.0, kz), e, konst<T>(1.0, kz));
  // NaN: the comparison is false and selects 1, but e is NaN, so the quotient is NaN.
  return div<T>(num, add<T>(konst<T>(1.0, kz), e));
}

/** σ(x) = 1/(1 + e^(−x)), written with e = e^(−|x|) ∈ (0, 1] so nothing overflows. */
@inline export function sigmoidCore<T>(x: T, kz: T): T {
  return sigmoidOf<T>(x, expNonPos<T>(negAbs<T>(x, kz), kz), kz);
}

/** σ(x + lo) for a small correction lo (see twoProductLo). */
@inline export function sigmoidCore2<T>(x: T, lo: T, kz: T): T {
  return sigmoidOf<T>(x, expNonPos2<T>(negAbs<T>(x, kz), ifLt<T>(x, konst<T>(0.0, kz), lo, neg<T>(lo)), kz), kz);
}

const SPLIT: f32 = 4097.0; // 2^12 + 1: Dekker's split of a 24-bit significand into 12 + 12 bits

/**
 * The rounding error of the float32 product p = a·b (a·b − p exactly, by Dekker's algorithm,
 * no FMA needed); 0 where |p| is beyond 2^100, where the split itself could overflow and the
 * error is irrelevant to every caller.
 */
@inline export function twoProductLo<T>(a: T, b: T, p: T, kz: T): T {
  const as = mul<T>(a, konst<T>(SPLIT, kz));
  const ah = sub<T>(as, sub<T>(as, a));
  const al = sub<T>(a, ah);
  const bs = mul<T>(b, konst<T>(SPLIT, kz));
  const bh = sub<T>(bs, sub<T>(bs, b));
  const bl = sub<T>(b, bh);
  const err = add<T>(add<T>(add<T>(sub<T>(mul<T>(ah, bh), p), mul<T>(ah, bl)), mul<T>(al, bh)), mul<T>(al, bl));
  return ifLt<T>(abs_<T>(p), konst<T>(1.2676506e30, kz), err, konst<T>(0.0, kz));
}

/**
 * e/(1 + e)² for e in [0, 1] (the shape of σ′ and sech²). The rounding error c of d = 1 + e is
 * exact (d − 1 is exact for d in [1, 2]) and is carried into the square: (1 + e)² ≈ d·(d + 2c).
 */
@inline export function bell<T>(e: T, kz: T): T {
  const d = add<T>(konst<T>(1.0, kz), e);
  const c = sub<T>(e, sub<T>(d, konst<T>(1.0, kz)));
  return div<T>(e, mul<T>(d, add<T>(d, add<T>(c, c))));
}

/** σ′(x) = e/(1 + e)² with e = e^(−|x|): symmetric, no cancellation. */
@inline export function sigmoidPrimeCore<T>(x: T, kz: T): T {
  return bell<T>(expNonPos<T>(negAbs<T>(x, kz), kz), kz);
}
