// Dense linear algebra over row-major float32 matrices, for regression and dense layers.
//   dot(a, b)        Σ a_i·b_i (float32 accumulation, fixed order: reduce.ts)
//   axpy             y += α·x
//   gemv             y = A·x          (rows × cols) · (cols)
//   gemvT            y = Aᵀ·x         (rows × cols)ᵀ · (rows): a sum of row axpys, no transpose
//   matmul           C = op(A)·op(B), op = identity or transpose (not both transposed): B packed
//                    in panels of eight columns, register-blocked 4 × 8 tiles
// Every output element of gemvT and of matmul is the same ascending-k chain of float32
// multiply-adds (fused in the relaxed-SIMD build) in every build and every path (tile, strip,
// packed or not), so blocking and vectorisation never change a result bit.
import { madd } from "./lanes";
import { at, dot32, map2 } from "./reduce";

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
 * Where the operands' elements are: A(i, p) of the m × k operand op(A) at a + 4·(i·ars + p·acs),
 * B(p, j) of the k × n operand op(B) at b + 4·(p·bps + j·bjs) (strides swapped for a transpose).
 */
@inline function elem(x: usize, r: i32, q: i32, rs: i32, qs: i32): usize {
  return at(x, r * rs + q * qs);
}

/** One output element: Σ_p A(i,p)·B(p,j) in ascending p, from +0. */
@inline function cell(a: usize, b: usize, i: i32, j: i32, k: i32, ars: i32, acs: i32, bps: i32, bjs: i32): f32 {
  let acc: f32 = 0;
  let pa = elem(a, i, 0, ars, acs);
  let pb = elem(b, 0, j, bps, bjs);
  const stepA = <usize>acs << 2;
  const stepB = <usize>bps << 2;
  for (let p = 0; p < k; p++, pa += stepA, pb += stepB) acc = madd<f32>(load<f32>(pa), load<f32>(pb), acc);
  return acc;
}

/** B(p, j..j+3) as a vector: one load where B's rows are contiguous, four where it is transposed. */
@inline function bRow4(pb: usize, bjs: i32): v128 {
  if (bjs == 1) return v128.load(pb);
  const s = <usize>bjs << 2;
  return f32x4(load<f32>(pb), load<f32>(pb + s), load<f32>(pb + 2 * s), load<f32>(pb + 3 * s));
}

/** A 1 × 4 strip of C, same order as cell(). */
@inline function strip4(a: usize, b: usize, c: usize, i: i32, j: i32, k: i32, n: i32, ars: i32, acs: i32, bps: i32, bjs: i32): void {
  let acc = f32x4.splat(0);
  let pa = elem(a, i, 0, ars, acs);
  let pb = elem(b, 0, j, bps, bjs);
  const stepA = <usize>acs << 2;
  const stepB = <usize>bps << 2;
  for (let p = 0; p < k; p++, pa += stepA, pb += stepB) acc = madd<v128>(f32x4.splat(load<f32>(pa)), bRow4(pb, bjs), acc);
  v128.store(at(c, i * n + j), acc);
}

/**
 * Copies B(·, j..j+8) into `panel` as k rows of 8 contiguous floats, so that the tiles that use
 * it read B sequentially from L1 however B is laid out (its rows 1 KiB apart for a 256-wide layer,
 * or transposed).
 */
@inline function pack8(b: usize, panel: usize, j: i32, k: i32, bps: i32, bjs: i32): void {
  const stepB = <usize>bps << 2;
  let pb = elem(b, 0, j, bps, bjs);
  let out = panel;
  if (bjs == 1) {
    for (let p = 0; p < k; p++, pb += stepB, out += 32) {
      v128.store(out, v128.load(pb));
      v128.store(out, v128.load(pb, 16), 16);
    }
  } else {
    const s = <usize>bjs << 2;
    for (let p = 0; p < k; p++, pb += stepB, out += 32) {
      for (let jj = 0; jj < 8; jj++) store<f32>(out + (<usize>jj << 2), load<f32>(pb + <usize>jj * s));
    }
  }
}

/** C[i..i+4, j..j+8] from a packed panel, in eight vector accumulators: same order as cell(). */
@inline function tile4x8(a: usize, panel: usize, c: usize, i: i32, j: i32, k: i32, n: i32, ars: i32, acs: i32): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  const a0 = elem(a, i, 0, ars, acs), a1 = elem(a, i + 1, 0, ars, acs);
  const a2 = elem(a, i + 2, 0, ars, acs), a3 = elem(a, i + 3, 0, ars, acs);
  const step = <usize>acs << 2;
  let bp = panel;
  let off: usize = 0;
  for (let p = 0; p < k; p++, bp += 32, off += step) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
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

/** C[i, j..j+8] from a packed panel (the rows below a multiple of four). */
@inline function row1x8(a: usize, panel: usize, c: usize, i: i32, j: i32, k: i32, n: i32, ars: i32, acs: i32): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0);
  const a0 = elem(a, i, 0, ars, acs);
  const step = <usize>acs << 2;
  let bp = panel;
  let off: usize = 0;
  for (let p = 0; p < k; p++, bp += 32, off += step) {
    const s = f32x4.splat(load<f32>(a0 + off));
    c0 = madd<v128>(s, v128.load(bp), c0);
    c1 = madd<v128>(s, v128.load(bp, 16), c1);
  }
  const row = at(c, i * n + j);
  v128.store(row, c0);
  v128.store(row, c1, 16);
}

/**
 * C = op(A)·op(B), C m × n: op(A) is A (m × k) or, with transA, Aᵀ of A stored k × m; op(B) is
 * B (k × n) or, with transB, Bᵀ of B stored n × k. Both transposed at once is refused by the
 * caller. C may not overlap A or B (checked by the caller). `panel` is scratch for 8·k floats
 * (0: none, and B is read where it is, slower). Column panels of eight outer, four-row tiles
 * inner: each panel is packed once and stays in L1 while A streams past it.
 */
export function matmul_f32(a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, transA: i32, transB: i32, panel: usize): void {
  const ars = transA != 0 ? 1 : k;
  const acs = transA != 0 ? m : 1;
  const bps = transB != 0 ? 1 : n;
  const bjs = transB != 0 ? k : 1;
  if (!ASC_FEATURE_SIMD) {
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) store<f32>(at(c, i * n + j), cell(a, b, i, j, k, ars, acs, bps, bjs));
    return;
  }
  let j = 0;
  if (panel != 0) {
    for (; j + 8 <= n; j += 8) {
      pack8(b, panel, j, k, bps, bjs);
      let i = 0;
      for (; i + 4 <= m; i += 4) tile4x8(a, panel, c, i, j, k, n, ars, acs);
      for (; i < m; i++) row1x8(a, panel, c, i, j, k, n, ars, acs);
    }
  }
  for (; j + 4 <= n; j += 4) for (let i = 0; i < m; i++) strip4(a, b, c, i, j, k, n, ars, acs, bps, bjs);
  for (; j < n; j++) for (let i = 0; i < m; i++) store<f32>(at(c, i * n + j), cell(a, b, i, j, k, ars, acs, bps, bjs));
}
