// Kernels the models need around the activations and linear algebra:
//   addRow      z[r, :] += b            (a dense layer's bias, broadcast over the rows)
//   blendCols   dst[r, j] = src[r, j] where mask[j] ≠ 0   (per-neuron activations: each group of
//               units takes its columns from the activation computed for it)
//   copy, fill  n floats copied, or set to one value (the steps of a training pass that a thread
//               runs from a recorded program, where no JavaScript can do them)
//   colSums64   column sums in float64 (the means the closed form centres on)
//   gram64      the float64 Gram matrix of [X | y] centred on given shifts (the closed form's
//               one pass over the data)
// Both accumulate every entry over rows in ascending order with separate f64 operations, so the
// SIMD build, the scalar build and the js backend agree bit for bit.
import { at } from "./reduce";

export function copy_f32(src: usize, dst: usize, n: i32): void {
  memory.copy(dst, src, <usize>n << 2);
}

export function fill_f32(dst: usize, value: f32, n: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const v = f32x4.splat(value);
    for (; i + 4 <= n; i += 4) v128.store(at(dst, i), v);
  }
  for (; i < n; i++) store<f32>(at(dst, i), value);
}

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

/** out[j] (f64) = Σ_r a[r, j], rows in order. */
export function colSums64_f64(a: usize, rows: i32, cols: i32, out: usize): void {
  memory.fill(out, 0, <usize>cols << 3);
  for (let r = 0; r < rows; r++) {
    const ar = at(a, r * cols);
    let j = 0;
    if (ASC_FEATURE_SIMD) {
      for (; j + 2 <= cols; j += 2) {
        const p = out + (<usize>j << 3);
        v128.store(p, f64x2.add(v128.load(p), f64x2.promote_low_f32x4(v128.load64_zero(at(ar, j)))));
      }
    }
    for (; j < cols; j++) {
      const p = out + (<usize>j << 3);
      store<f64>(p, load<f64>(p) + <f64>load<f32>(at(ar, j)));
    }
  }
}

/** u = [a_r − shift[0..cols), y_r − shift[cols]] in float64 (exact for data of one scale). */
@inline function centredRow(ar: usize, yr: f32, shift: usize, cols: i32, u: usize): void {
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    for (; j + 2 <= cols; j += 2) {
      const a = f64x2.promote_low_f32x4(v128.load64_zero(at(ar, j)));
      const s = f64x2.promote_low_f32x4(v128.load64_zero(at(shift, j)));
      v128.store(u + (<usize>j << 3), f64x2.sub(a, s));
    }
  }
  for (; j < cols; j++) store<f64>(u + (<usize>j << 3), <f64>load<f32>(at(ar, j)) - <f64>load<f32>(at(shift, j)));
  store<f64>(u + (<usize>cols << 3), <f64>yr - <f64>load<f32>(at(shift, cols)));
}

/**
 * The float64 Gram matrix of [X − s | y − s_y], the closed form's one pass over the data: g
 * ((cols + 1)² f64, row-major) = Σ_r u_r·u_rᵀ with u_r = [a_r − shift, y_r − shift[cols]].
 * Centring on a shift near the column means keeps the products small, so the float64 sums do
 * not cancel. Four rows are centred into `scratch` (4·(cols + 1) f64) and share one load and
 * store of G, adding their products one at a time in row order, as the scalar remainder does:
 * every entry is the same row-ascending chain of float64 operations in both builds. The upper
 * triangle (from the even column at or below the diagonal) is computed, the lower mirrored.
 */
export function gram64_f64(a: usize, y: usize, shift: usize, rows: i32, cols: i32, g: usize, scratch: usize): void {
  const w = cols + 1;
  const rowBytes = <usize>w << 3;
  memory.fill(g, 0, <usize>w * <usize>w << 3);
  const u0 = scratch, u1 = u0 + rowBytes, u2 = u1 + rowBytes, u3 = u2 + rowBytes;
  let r = 0;
  for (; r + 4 <= rows; r += 4) {
    const ar = at(a, r * cols);
    const stride = <usize>cols << 2;
    centredRow(ar, load<f32>(at(y, r)), shift, cols, u0);
    centredRow(ar + stride, load<f32>(at(y, r + 1)), shift, cols, u1);
    centredRow(ar + 2 * stride, load<f32>(at(y, r + 2)), shift, cols, u2);
    centredRow(ar + 3 * stride, load<f32>(at(y, r + 3)), shift, cols, u3);
    for (let i = 0; i < w; i++) {
      const off = <usize>i << 3;
      const x0 = load<f64>(u0 + off), x1 = load<f64>(u1 + off), x2 = load<f64>(u2 + off), x3 = load<f64>(u3 + off);
      const gi = g + <usize>i * rowBytes;
      let j = i & ~1;
      if (ASC_FEATURE_SIMD) {
        const v0 = f64x2.splat(x0), v1 = f64x2.splat(x1), v2 = f64x2.splat(x2), v3 = f64x2.splat(x3);
        for (; j + 2 <= w; j += 2) {
          const oj = <usize>j << 3;
          let acc = v128.load(gi + oj);
          acc = f64x2.add(acc, f64x2.mul(v0, v128.load(u0 + oj)));
          acc = f64x2.add(acc, f64x2.mul(v1, v128.load(u1 + oj)));
          acc = f64x2.add(acc, f64x2.mul(v2, v128.load(u2 + oj)));
          acc = f64x2.add(acc, f64x2.mul(v3, v128.load(u3 + oj)));
          v128.store(gi + oj, acc);
        }
      }
      for (; j < w; j++) {
        const oj = <usize>j << 3;
        let acc = load<f64>(gi + oj);
        acc += x0 * load<f64>(u0 + oj);
        acc += x1 * load<f64>(u1 + oj);
        acc += x2 * load<f64>(u2 + oj);
        acc += x3 * load<f64>(u3 + oj);
        store<f64>(gi + oj, acc);
      }
    }
  }
  for (; r < rows; r++) {
    centredRow(at(a, r * cols), load<f32>(at(y, r)), shift, cols, u0);
    for (let i = 0; i < w; i++) {
      const xi = load<f64>(u0 + (<usize>i << 3));
      const gi = g + <usize>i * rowBytes;
      for (let j = i; j < w; j++) {
        const oj = <usize>j << 3;
        store<f64>(gi + oj, load<f64>(gi + oj) + xi * load<f64>(u0 + oj));
      }
    }
  }
  for (let i = 0; i < w; i++) {
    for (let j = 0; j < i; j++) store<f64>(g + <usize>i * rowBytes + (<usize>j << 3), load<f64>(g + <usize>j * rowBytes + (<usize>i << 3)));
  }
}
