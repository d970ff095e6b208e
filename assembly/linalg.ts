// Dense linear algebra over row-major float32 matrices, for regression and dense layers.
//   dot(a, b)        Σ a_i·b_i (float32 accumulation, fixed order: reduce.ts)
//   axpy             y += α·x
//   gemv             y = A·x          (rows × cols) · (cols)
//   gemvT            y = Aᵀ·x         (rows × cols)ᵀ · (rows): a sum of row axpys, no transpose
//   matmul           C = op(A)·op(B), op = identity or transpose (not both transposed):
//                    A·B and Aᵀ·B register-blocked 4 × 8, A·Bᵀ as row dot products
// Every output element of gemvT and of A·B, Aᵀ·B is the same ascending-k chain of float32
// multiply-adds in both builds, and A·Bᵀ uses dot32's shared lane order, so blocking and
// vectorisation never change a result bit.
import { ld, madd, splat, st } from "./lanes";
import { at, dot32, lanesOf, map2 } from "./reduce";

export function dot_f32(a: usize, b: usize, n: i32): f32 {
  return dot32(a, b, n);
}

@final @unmanaged class Axpy {
  @inline term<T>(x: T, y: T, alpha: T, _kz: T): T { return madd<T>(alpha, x, y); }
}

export function axpy_f32(n: i32, alpha: f32, x: usize, y: usize): void {
  map2<Axpy>(x, y, y, n, alpha);
}

export function gemv_f32(a: usize, x: usize, y: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) store<f32>(at(y, r), dot32(at(a, r * cols), x, cols));
}

export function gemvT_f32(a: usize, x: usize, y: usize, rows: i32, cols: i32): void {
  // y may not alias a or x (checked by the caller): it is cleared first.
  memory.fill(y, 0, <usize>cols << 2);
  for (let r = 0; r < rows; r++) map2<Axpy>(at(a, r * cols), y, y, cols, load<f32>(at(x, r)));
}

/**
 * A's layout: element (i, p) of the m × k operand A (or of Aᵀ when transposed) is at
 * a + 4·(i·rowStride + p·colStride).
 */
@inline function aAt(a: usize, i: i32, p: i32, rowStride: i32, colStride: i32): usize {
  return at(a, i * rowStride + p * colStride);
}

/** One output element: Σ_p A[i,p]·B[p,j] in ascending p, from +0. */
@inline function cell(a: usize, b: usize, i: i32, j: i32, k: i32, n: i32, ars: i32, acs: i32): f32 {
  let acc: f32 = 0;
  let pa = aAt(a, i, 0, ars, acs);
  let pb = at(b, j);
  const stepA = <usize>acs << 2;
  const stepB = <usize>n << 2;
  for (let p = 0; p < k; p++, pa += stepA, pb += stepB) acc = madd<f32>(load<f32>(pa), load<f32>(pb), acc);
  return acc;
}

/** A 1 × 4 strip of C (T = v128) or one element (T = f32), same order as cell(). */
@inline function strip<T>(a: usize, b: usize, c: usize, i: i32, j: i32, k: i32, n: i32, ars: i32, acs: i32): void {
  let acc = splat<T>(0.0);
  let pa = aAt(a, i, 0, ars, acs);
  let pb = at(b, j);
  const stepA = <usize>acs << 2;
  const stepB = <usize>n << 2;
  for (let p = 0; p < k; p++, pa += stepA, pb += stepB) acc = madd<T>(splat<T>(load<f32>(pa)), ld<T>(pb), acc);
  st<T>(at(c, i * n + j), acc);
}

/**
 * C = op(A)·B, with op(A) = A (m × k, transA = 0) or Aᵀ (A stored k × m, transA = 1). Both
 * layouts run the same register-blocked code with A's strides swapped: Aᵀ's four rows of a tile
 * are then four adjacent elements of one row of A.
 */
function matmulA(a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, transA: bool): void {
  const ars = transA ? 1 : k;
  const acs = transA ? m : 1;
  if (!ASC_FEATURE_SIMD) {
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) store<f32>(at(c, i * n + j), cell(a, b, i, j, k, n, ars, acs));
    return;
  }
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    let j = 0;
    for (; j + 8 <= n; j += 8) tile4x8(a, b, c, i, j, k, n, ars, acs);
    for (; j + 4 <= n; j += 4) for (let r = 0; r < 4; r++) strip<v128>(a, b, c, i + r, j, k, n, ars, acs);
    for (; j < n; j++) for (let r = 0; r < 4; r++) strip<f32>(a, b, c, i + r, j, k, n, ars, acs);
  }
  for (; i < m; i++) {
    let j = 0;
    for (; j + 4 <= n; j += 4) strip<v128>(a, b, c, i, j, k, n, ars, acs);
    for (; j < n; j++) strip<f32>(a, b, c, i, j, k, n, ars, acs);
  }
}

/**
 * C = A·Bᵀ for A m × k and B stored n × k: every element is a dot product of two contiguous
 * rows (dot32, whose lane order both builds share).
 */
function matmulBt(a: usize, b: usize, c: usize, m: i32, k: i32, n: i32): void {
  for (let i = 0; i < m; i++) {
    const ai = at(a, i * k);
    let j = 0;
    if (ASC_FEATURE_SIMD) for (; j + 4 <= n; j += 4) dots4(ai, at(b, j * k), k, at(c, i * n + j));
    for (; j < n; j++) store<f32>(at(c, i * n + j), dot32(ai, at(b, j * k), k));
  }
}

/** dot32 of one row of A with four consecutive rows of B, sharing A's loads; same order as dot32. */
@inline function dots4(ai: usize, b0: usize, k: i32, out: usize): void {
  const stride = <usize>k << 2;
  const b1 = b0 + stride, b2 = b1 + stride, b3 = b2 + stride;
  let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0);
  let p = 0;
  for (; p + 4 <= k; p += 4) {
    const off = <usize>p << 2;
    const av = v128.load(ai + off);
    s0 = f32x4.add(s0, f32x4.mul(av, v128.load(b0 + off)));
    s1 = f32x4.add(s1, f32x4.mul(av, v128.load(b1 + off)));
    s2 = f32x4.add(s2, f32x4.mul(av, v128.load(b2 + off)));
    s3 = f32x4.add(s3, f32x4.mul(av, v128.load(b3 + off)));
  }
  let t0: f32 = 0, t1: f32 = 0, t2: f32 = 0, t3: f32 = 0;
  for (; p < k; p++) {
    const off = <usize>p << 2;
    const av = load<f32>(ai + off);
    t0 += av * load<f32>(b0 + off);
    t1 += av * load<f32>(b1 + off);
    t2 += av * load<f32>(b2 + off);
    t3 += av * load<f32>(b3 + off);
  }
  store<f32>(out, lanesOf(s0) + t0);
  store<f32>(out + 4, lanesOf(s1) + t1);
  store<f32>(out + 8, lanesOf(s2) + t2);
  store<f32>(out + 12, lanesOf(s3) + t3);
}

/**
 * C = op(A)·op(B), C m × n: op(A) is A (m × k) or, with transA, Aᵀ of A stored k × m; op(B) is
 * B (k × n) or, with transB, Bᵀ of B stored n × k. Both transposed at once is refused by the
 * caller. C may not overlap A or B (checked by the caller).
 */
export function matmul_f32(a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, transA: i32, transB: i32): void {
  if (transB != 0) matmulBt(a, b, c, m, k, n);
  else matmulA(a, b, c, m, k, n, transA != 0);
}

/** C[i..i+4, j..j+8] in eight vector accumulators: B is loaded once per p for four rows. */
@inline function tile4x8(a: usize, b: usize, c: usize, i: i32, j: i32, k: i32, n: i32, ars: i32, acs: i32): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  const a0 = aAt(a, i, 0, ars, acs), a1 = aAt(a, i + 1, 0, ars, acs);
  const a2 = aAt(a, i + 2, 0, ars, acs), a3 = aAt(a, i + 3, 0, ars, acs);
  const step = <usize>acs << 2;
  for (let p = 0; p < k; p++) {
    const bp = at(b, p * n + j);
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    const off = <usize>p * step;
    let s = f32x4.splat(load<f32>(a0 + off));
    c00 = madd<v128>(s, b0, c00); c01 = madd<v128>(s, b1, c01);
    s = f32x4.splat(load<f32>(a1 + off));
    c10 = madd<v128>(s, b0, c10); c11 = madd<v128>(s, b1, c11);
    s = f32x4.splat(load<f32>(a2 + off));
    c20 = madd<v128>(s, b0, c20); c21 = madd<v128>(s, b1, c21);
    s = f32x4.splat(load<f32>(a3 + off));
    c30 = madd<v128>(s, b0, c30); c31 = madd<v128>(s, b1, c31);
  }
  const row0 = at(c, i * n + j), row1 = at(c, (i + 1) * n + j);
  const row2 = at(c, (i + 2) * n + j), row3 = at(c, (i + 3) * n + j);
  v128.store(row0, c00); v128.store(row0, c01, 16);
  v128.store(row1, c10); v128.store(row1, c11, 16);
  v128.store(row2, c20); v128.store(row2, c21, 16);
  v128.store(row3, c30); v128.store(row3, c31, 16);
}
