// Kernels the models need around the activations and linear algebra:
//   addRow      z[r, :] += b            (a dense layer's bias, broadcast over the rows)
//   blendCols   dst[r, j] = src[r, j] where mask[j] ≠ 0   (per-neuron activations: each group of
//               units takes its columns from the activation computed for it)
//   gram64      G = AᵀA in float64 from float32 A (the closed-form least squares: the caller
//               appends a column of ones and the target, so one pass gives XᵀX, Xᵀ1 and Xᵀy)
// gram64 accumulates every G[i, j] over rows in ascending order with separate f64 multiply and
// add, so the SIMD build, the scalar build and the js backend agree bit for bit.
import { at } from "./reduce";

export function addRow_f32(z: usize, b: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    const zr = at(z, r * cols);
    let j = 0;
    if (ASC_FEATURE_SIMD) {
      for (; j + 4 <= cols; j += 4) {
        const p = at(zr, j);
        v128.store(p, f32x4.add(v128.load(p), v128.load(at(b, j))));
      }
    }
    for (; j < cols; j++) {
      const p = at(zr, j);
      store<f32>(p, load<f32>(p) + load<f32>(at(b, j)));
    }
  }
}

/** mask holds one i32 per column: -1 (all bits set) takes src, 0 keeps dst. */
export function blendCols_f32(src: usize, dst: usize, mask: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    const sr = at(src, r * cols);
    const dr = at(dst, r * cols);
    let j = 0;
    if (ASC_FEATURE_SIMD) {
      for (; j + 4 <= cols; j += 4) {
        const d = at(dr, j);
        v128.store(d, v128.bitselect(v128.load(at(sr, j)), v128.load(d), v128.load(at(mask, j))));
      }
    }
    for (; j < cols; j++) {
      if (load<i32>(at(mask, j)) != 0) store<f32>(at(dr, j), load<f32>(at(sr, j)));
    }
  }
}

/**
 * g (cols × cols float64, row-major) = AᵀA for A rows × cols float32. G's upper triangle (from
 * the even column at or below the diagonal) takes a_i·a_j row after row; four rows share one
 * load and store of G, adding their products one at a time in row order, so the result is the
 * same as row by row. The lower triangle is mirrored at the end.
 */
export function gram64_f64(a: usize, rows: i32, cols: i32, g: usize): void {
  memory.fill(g, 0, <usize>cols * <usize>cols << 3);
  const stride = <usize>cols << 2;
  let r = 0;
  for (; r + 4 <= rows; r += 4) {
    const a0 = at(a, r * cols);
    const a1 = a0 + stride, a2 = a1 + stride, a3 = a2 + stride;
    for (let i = 0; i < cols; i++) {
      const off = <usize>i << 2;
      const x0 = <f64>load<f32>(a0 + off), x1 = <f64>load<f32>(a1 + off);
      const x2 = <f64>load<f32>(a2 + off), x3 = <f64>load<f32>(a3 + off);
      const gi = g + ((<usize>i * <usize>cols) << 3);
      let j = i & ~1;
      if (ASC_FEATURE_SIMD) {
        const v0 = f64x2.splat(x0), v1 = f64x2.splat(x1), v2 = f64x2.splat(x2), v3 = f64x2.splat(x3);
        for (; j + 2 <= cols; j += 2) {
          const pj = gi + (<usize>j << 3);
          const oj = <usize>j << 2;
          let acc = v128.load(pj);
          acc = f64x2.add(acc, f64x2.mul(v0, f64x2.promote_low_f32x4(v128.load64_zero(a0 + oj))));
          acc = f64x2.add(acc, f64x2.mul(v1, f64x2.promote_low_f32x4(v128.load64_zero(a1 + oj))));
          acc = f64x2.add(acc, f64x2.mul(v2, f64x2.promote_low_f32x4(v128.load64_zero(a2 + oj))));
          acc = f64x2.add(acc, f64x2.mul(v3, f64x2.promote_low_f32x4(v128.load64_zero(a3 + oj))));
          v128.store(pj, acc);
        }
      }
      for (; j < cols; j++) {
        const pj = gi + (<usize>j << 3);
        const oj = <usize>j << 2;
        let acc = load<f64>(pj);
        acc += x0 * <f64>load<f32>(a0 + oj);
        acc += x1 * <f64>load<f32>(a1 + oj);
        acc += x2 * <f64>load<f32>(a2 + oj);
        acc += x3 * <f64>load<f32>(a3 + oj);
        store<f64>(pj, acc);
      }
    }
  }
  for (; r < rows; r++) {
    const ar = at(a, r * cols);
    for (let i = 0; i < cols; i++) {
      const ai = <f64>load<f32>(at(ar, i));
      const gi = g + ((<usize>i * <usize>cols) << 3);
      for (let j = i; j < cols; j++) {
        const pj = gi + (<usize>j << 3);
        store<f64>(pj, load<f64>(pj) + ai * <f64>load<f32>(at(ar, j)));
      }
    }
  }
  for (let i = 0; i < cols; i++) {
    for (let j = 0; j < i; j++) {
      store<f64>(g + ((<usize>i * <usize>cols + <usize>j) << 3), load<f64>(g + ((<usize>j * <usize>cols + <usize>i) << 3)));
    }
  }
}
