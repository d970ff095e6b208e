// Lane-generic arithmetic: every kernel body is written once over a type parameter T that is
// either `f32` (one lane: SIMD tails and the whole scalar build) or `v128` (four f32 lanes).
// Each helper gives the same bits in both forms (the same IEEE operation, or a select with the
// same semantics; no reassociation), so a value never depends on whether it was computed in a
// vector lane or in a tail, and the scalar build is bit-identical to the SIMD build. The one
// difference between builds is madd/nmadd: fused (FMA) in the relaxed-SIMD build, a multiply and
// an add in the others.

/** Lanes per v128 of f32. */
export const LANES = 4;

@inline export function ld<T>(ptr: usize): T {
  if (isVector<T>()) return v128.load(ptr);
  else return load<f32>(ptr);
}

@inline export function st<T>(ptr: usize, value: T): void {
  if (isVector<T>()) v128.store(ptr, value);
  else store<f32>(ptr, value);
}

@inline export function splat<T>(c: f32): T {
  if (isVector<T>()) return f32x4.splat(c);
  else return c;
}

// Constants of lane bodies that run in vector loops. V8 13+ (Turboshaft) builds a v128 constant
// where it is used: inside a loop, at every use, three instructions through a general-purpose
// register (movabs, vmovq, vpunpcklqdq), where V8 11-12 (TurboFan) scheduled each constant once in
// front of the loop; an exp-based lane body has a dozen of them. binaryen, for its part, folds any
// value it can see to be constant back into its uses, so a loop cannot simply keep its constants
// in locals. konst forms a constant as c | kz, kz being all-zero bits loaded from static memory
// (constantBase), which neither compiler can see through: c | kz does not change in the loop,
// binaryen's loop-invariant code motion moves it in front of the (do-while) loop, and V8 keeps it
// in a register, or a stack slot, for the whole loop. Scalar lanes use the plain constant.
// binaryen (as asc runs it) only moves what an earlier pass has made a local of its own: an
// expression that occurs twice or more in a stretch of the loop body without branches. So vector
// loops take two or more vectors per pass and keep branches out of their bodies.

const ZERO_BITS = memory.data<f32>([0, 0, 0, 0]);

/** The all-zero base of konst: loaded once per kernel call, outside its loops. */
@inline export function constantBase<T>(): T {
  if (isVector<T>()) return v128.load(ZERO_BITS);
  else return 0;
}

/** c in every lane, formed from the loop's constantBase kz (see above); exactly c. */
@inline export function konst<T>(c: f32, kz: T): T {
  if (isVector<T>()) return v128.or(f32x4.splat(c), kz);
  else return c;
}

@inline export function add<T>(a: T, b: T): T {
  if (isVector<T>()) return f32x4.add(a, b);
  else return a + b;
}

@inline export function sub<T>(a: T, b: T): T {
  if (isVector<T>()) return f32x4.sub(a, b);
  else return a - b;
}

@inline export function mul<T>(a: T, b: T): T {
  if (isVector<T>()) return f32x4.mul(a, b);
  else return a * b;
}

/**
 * a·b + c. In the relaxed-SIMD build, one f32x4.relaxed_madd: a fused multiply-add, rounded once,
 * on every CPU with FMA (every x64 since 2013 and every ARM64; elsewhere the engine may round
 * twice, so that build's bits can differ between machines, never between runs on one). Its scalar
 * lanes (the tails) go through the same instruction in lane 0, so a value still does not depend
 * on its position in the buffer. In the other builds, a multiply and then an add.
 */
@inline export function madd<T>(a: T, b: T, c: T): T {
  if (ASC_FEATURE_RELAXED_SIMD) {
    if (isVector<T>()) return f32x4.relaxed_madd(a, b, c);
    else return f32x4.extract_lane(f32x4.relaxed_madd(f32x4.splat(a), f32x4.splat(b), f32x4.splat(c)), 0);
  }
  if (isVector<T>()) return f32x4.add(f32x4.mul(a, b), c);
  else return a * b + c;
}

/** c − a·b: fused in the relaxed-SIMD build as madd is, else a multiply and a subtract. */
@inline export function nmadd<T>(a: T, b: T, c: T): T {
  if (ASC_FEATURE_RELAXED_SIMD) {
    if (isVector<T>()) return f32x4.relaxed_nmadd(a, b, c);
    else return f32x4.extract_lane(f32x4.relaxed_nmadd(f32x4.splat(a), f32x4.splat(b), f32x4.splat(c)), 0);
  }
  if (isVector<T>()) return f32x4.sub(c, f32x4.mul(a, b));
  else return c - a * b;
}

@inline export function div<T>(a: T, b: T): T {
  if (isVector<T>()) return f32x4.div(a, b);
  else return a / b;
}

@inline export function sqrt_<T>(a: T): T {
  if (isVector<T>()) return f32x4.sqrt(a);
  else return sqrt<f32>(a);
}

/**
 * x, raised to lo where x < lo; NaN stays NaN. One instruction (wasm pmax), where wasm's
 * NaN- and zero-sign-exact `max` costs V8 a sequence of several on x64.
 */
@inline export function atLeast<T>(x: T, lo: T): T {
  if (isVector<T>()) return f32x4.pmax(x, lo);
  else return select<f32>(lo, x, x < lo);
}

/** x, lowered to hi where x > hi; NaN stays NaN (wasm pmin). */
@inline export function atMost<T>(x: T, hi: T): T {
  if (isVector<T>()) return f32x4.pmin(x, hi);
  else return select<f32>(hi, x, hi < x);
}

/**
 * x clamped to [lo, hi], NaN giving lo: wasm pmax(lo, x), then pmin(hi, ·), one instruction each
 * on x64, where a comparison and a bitselect cost V8 four.
 */
@inline export function clampOrLow<T>(x: T, lo: T, hi: T): T {
  if (isVector<T>()) return f32x4.pmin(hi, f32x4.pmax(lo, x));
  else {
    const raised = select<f32>(x, lo, lo < x);
    return select<f32>(raised, hi, raised < hi);
  }
}

@inline export function neg<T>(a: T): T {
  if (isVector<T>()) return f32x4.neg(a);
  else return -a;
}

@inline export function abs_<T>(a: T): T {
  if (isVector<T>()) return f32x4.abs(a);
  else return abs<f32>(a);
}

/** Magnitude of `mag` with the sign bit of `sgn` (kz: the loop's constantBase). */
@inline export function copysign_<T>(mag: T, sgn: T, kz: T): T {
  if (isVector<T>()) return v128.bitselect(sgn, mag, konst<v128>(-0.0, kz));
  else return copysign<f32>(mag, sgn);
}

/**
 * The float whose exponent field is the low 9 bits of z's mantissa: 2^(k − 127) when z is a
 * magic sum 1.5·2^23 + k (see math.ts roundedLog2) with k in [1, 254].
 */
@inline export function exponentOf<T>(z: T): T {
  if (isVector<T>()) return i32x4.shl(z, 23);
  else return reinterpret<f32>(reinterpret<i32>(z) << 23);
}

/** −|a|: the sign bit set (kz: the loop's constantBase). */
@inline export function negAbs<T>(a: T, kz: T): T {
  if (isVector<T>()) return v128.or(a, konst<v128>(-0.0, kz));
  else return reinterpret<f32>(reinterpret<i32>(a) | 0x80000000);
}

// Comparisons fused with selection, so that one body serves the bool of `f32` and the lane
// mask of `v128`. Each reads `cond(a, b) ? yes : no`; a comparison with NaN is false.

@inline export function ifGt<T>(a: T, b: T, yes: T, no: T): T {
  if (isVector<T>()) return v128.bitselect(yes, no, f32x4.gt(a, b));
  else return select<f32>(yes, no, a > b);
}

@inline export function ifLt<T>(a: T, b: T, yes: T, no: T): T {
  if (isVector<T>()) return v128.bitselect(yes, no, f32x4.lt(a, b));
  else return select<f32>(yes, no, a < b);
}

/**
 * `v` where x > 0 or x is NaN, else +0: one compare and one and-not, where wasm's NaN- and
 * zero-sign-exact `max` costs V8 a sequence of several instructions on x64.
 */
@inline export function keepUnlessNonPos<T>(v: T, x: T): T {
  if (isVector<T>()) return v128.andnot(v, f32x4.le(x, f32x4.splat(0)));
  else return select<f32>(0, v, x <= 0);
}

/** `a` where it is NaN, else `other`: lets a backward pass keep "NaN in, NaN out". */
@inline export function nanOr<T>(a: T, other: T): T {
  if (isVector<T>()) return v128.bitselect(a, other, f32x4.ne(a, a));
  else return select<f32>(a, other, a != a);
}

/**
 * f32((f64(x) − m) − c) per lane: x − m is exact in double precision (both are float32), so the
 * result is rounded once, with no cancellation against a rounded m + c.
 */
@inline export function subSubF64<T>(x: T, m: f64, c: f64): T {
  if (isVector<T>()) {
    const mv = f64x2.splat(m);
    const cv = f64x2.splat(c);
    const lo = f64x2.sub(f64x2.sub(f64x2.promote_low_f32x4(x), mv), cv);
    const hi = f64x2.sub(f64x2.sub(f64x2.promote_low_f32x4(i32x4.shuffle(x, x, 2, 3, 2, 3)), mv), cv);
    return i32x4.shuffle(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5);
  } else {
    return <f32>((<f64>x - m) - c);
  }
}
