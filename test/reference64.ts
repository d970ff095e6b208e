// Float64 references the model tests measure against, written independently of src/models:
// least squares by Householder QR, logistic regression by damped Newton's method, and a dense
// network's objective built from the registry's float64 activation references (for finite
// differences).
import { ACTIVATIONS, type Activation } from "../src/registry.ts";

export interface Data64 {
  x: Float64Array;
  rows: number;
  cols: number;
}

/** Population-std standardisation (scikit-learn's StandardScaler; 1 for a constant column). */
export function standardize64(data: ArrayLike<number>, rows: number, cols: number): Data64 {
  const x = new Float64Array(rows * cols);
  for (let j = 0; j < cols; j++) {
    let mean = 0;
    for (let r = 0; r < rows; r++) mean += data[r * cols + j];
    mean /= rows;
    let v = 0;
    for (let r = 0; r < rows; r++) v += (data[r * cols + j] - mean) ** 2;
    const sd = v === 0 ? 1 : Math.sqrt(v / rows);
    for (let r = 0; r < rows; r++) x[r * cols + j] = (data[r * cols + j] - mean) / sd;
  }
  return { x, rows, cols };
}

/** min over w, b of mean((X·w + b − y)²), by Householder QR of [X | 1]. */
export function leastSquaresMse(data: ArrayLike<number>, rows: number, cols: number, y: ArrayLike<number>): number {
  const n = cols + 1;
  const a = new Float64Array(rows * n);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < cols; j++) a[r * n + j] = data[r * cols + j];
    a[r * n + cols] = 1;
  }
  const b = Float64Array.from(y);
  for (let k = 0; k < n; k++) {
    let norm = 0;
    for (let r = k; r < rows; r++) norm += a[r * n + k] ** 2;
    norm = Math.sqrt(norm);
    const alpha = a[k * n + k] > 0 ? -norm : norm;
    const v = new Float64Array(rows);
    for (let r = k; r < rows; r++) v[r] = a[r * n + k];
    v[k] -= alpha;
    let vv = 0;
    for (let r = k; r < rows; r++) vv += v[r] * v[r];
    if (vv === 0) continue;
    for (let j = k; j < n; j++) {
      let s = 0;
      for (let r = k; r < rows; r++) s += v[r] * a[r * n + j];
      s = (2 * s) / vv;
      for (let r = k; r < rows; r++) a[r * n + j] -= s * v[r];
    }
    let s = 0;
    for (let r = k; r < rows; r++) s += v[r] * b[r];
    s = (2 * s) / vv;
    for (let r = k; r < rows; r++) b[r] -= s * v[r];
  }
  // The residual norm is the part of Qᵀy below the first n rows.
  let res = 0;
  for (let r = n; r < rows; r++) res += b[r] ** 2;
  return res / rows;
}

/** Mean cross-entropy + (l2/2)·‖W‖² of a softmax (k ≥ 3, W d × k) or sigmoid (k = 1) model. */
export function logisticObjective(d: Data64, codes: ArrayLike<number>, k: number, w: ArrayLike<number>, b: ArrayLike<number>, l2: number): number {
  const { x, rows, cols } = d;
  let total = 0;
  const z = new Float64Array(k);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < k; c++) {
      let s = b[c];
      for (let j = 0; j < cols; j++) s += x[r * cols + j] * w[j * k + c];
      z[c] = s;
    }
    if (k === 1) {
      const t = codes[r];
      total += Math.max(z[0], 0) - z[0] * t + Math.log1p(Math.exp(-Math.abs(z[0])));
    } else {
      const m = Math.max(...z);
      let s = 0;
      for (let c = 0; c < k; c++) s += Math.exp(z[c] - m);
      total += m + Math.log(s) - z[codes[r]];
    }
  }
  let norm = 0;
  for (let i = 0; i < cols * k; i++) norm += w[i] * w[i];
  return total / rows + (l2 / 2) * norm;
}

/** The optimum of logisticObjective by damped Newton (exact Hessian), in float64. */
export function logisticOptimum(d: Data64, codes: ArrayLike<number>, k: number, l2: number): number {
  const { x, rows, cols } = d;
  const p = (cols + 1) * k;
  const theta = new Float64Array(p); // [W (cols × k) row-major, b (k)]
  const split = (t: Float64Array): [Float64Array, Float64Array] => [t.subarray(0, cols * k), t.subarray(cols * k)];
  let f = logisticObjective(d, codes, k, ...split(theta), l2);
  for (let iter = 0; iter < 200; iter++) {
    const g = new Float64Array(p);
    const h = new Float64Array(p * p);
    const feat = (r: number, j: number): number => (j < cols ? x[r * cols + j] : 1);
    const index = (j: number, c: number): number => (j < cols ? j * k + c : cols * k + c);
    const [w, b] = split(theta);
    const z = new Float64Array(k);
    const q = new Float64Array(k);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < k; c++) {
        let s = b[c];
        for (let j = 0; j < cols; j++) s += x[r * cols + j] * w[j * k + c];
        z[c] = s;
      }
      if (k === 1) q[0] = 1 / (1 + Math.exp(-z[0]));
      else {
        const m = Math.max(...z);
        let s = 0;
        for (let c = 0; c < k; c++) s += (q[c] = Math.exp(z[c] - m));
        for (let c = 0; c < k; c++) q[c] /= s;
      }
      for (let c = 0; c < k; c++) {
        const err = q[c] - (k === 1 ? codes[r] : codes[r] === c ? 1 : 0);
        for (let j = 0; j <= cols; j++) g[index(j, c)] += (err * feat(r, j)) / rows;
        for (let c2 = 0; c2 < k; c2++) {
          const curv = k === 1 ? q[0] * (1 - q[0]) : q[c] * ((c === c2 ? 1 : 0) - q[c2]);
          for (let j = 0; j <= cols; j++) {
            for (let j2 = 0; j2 <= cols; j2++) h[index(j, c) * p + index(j2, c2)] += (curv * feat(r, j) * feat(r, j2)) / rows;
          }
        }
      }
    }
    for (let i = 0; i < cols * k; i++) {
      g[i] += l2 * theta[i];
      h[i * p + i] += l2;
    }
    let gmax = 0;
    for (const v of g) gmax = Math.max(gmax, Math.abs(v));
    if (gmax < 1e-13) break;
    // Softmax's parameters are only determined up to a shift shared by the classes: damp.
    for (let i = 0; i < p; i++) h[i * p + i] += 1e-10;
    const step = gaussSolve(h, g, p);
    let t = 1;
    for (;;) {
      const next = theta.map((v, i) => v - t * step[i]);
      const fn = logisticObjective(d, codes, k, ...split(next), l2);
      if (fn <= f || t < 1e-10) {
        theta.set(next);
        f = fn;
        break;
      }
      t /= 2;
    }
  }
  return f;
}

function gaussSolve(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const m = a.slice();
  const x = b.slice();
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r * n + c]) > Math.abs(m[piv * n + c])) piv = r;
    if (piv !== c) {
      for (let j = 0; j < n; j++) [m[c * n + j], m[piv * n + j]] = [m[piv * n + j], m[c * n + j]];
      [x[c], x[piv]] = [x[piv], x[c]];
    }
    for (let r = c + 1; r < n; r++) {
      const f = m[r * n + c] / m[c * n + c];
      if (f === 0) continue;
      for (let j = c; j < n; j++) m[r * n + j] -= f * m[c * n + j];
      x[r] -= f * x[c];
    }
  }
  for (let r = n - 1; r >= 0; r--) {
    let s = x[r];
    for (let j = r + 1; j < n; j++) s -= m[r * n + j] * x[j];
    x[r] = s / m[r * n + r];
  }
  return x;
}

/** A dense layer for the float64 network: weights, activation per neuron (undefined = linear). */
export interface Layer64 {
  w: Float64Array;
  b: Float64Array;
  inputs: number;
  units: number;
  /** One entry per unit, or a single row-wise activation for the whole layer. */
  activation: { name: string; params: readonly number[] } | undefined | readonly ({ name: string; params: readonly number[] } | undefined)[];
  slope?: Float64Array;
}

const BY_NAME = new Map<string, Activation>((ACTIVATIONS as readonly Activation[]).map((a) => [a.name, a]));

function activate64(layer: Layer64, z: Float64Array): Float64Array {
  const { units } = layer;
  const out = new Float64Array(z.length);
  const rows = z.length / units;
  const act = layer.activation;
  if (act !== undefined && !Array.isArray(act) && BY_NAME.get((act as { name: string }).name)?.kind === "rowwise") {
    const a = BY_NAME.get((act as { name: string }).name) as Extract<Activation, { kind: "rowwise" }>;
    for (let r = 0; r < rows; r++) out.set(a.reference.forward(Array.from(z.subarray(r * units, (r + 1) * units))), r * units);
    return out;
  }
  for (let i = 0; i < z.length; i++) {
    const j = i % units;
    const spec = Array.isArray(act) ? act[j] : act;
    if (spec === undefined) {
      out[i] = z[i];
      continue;
    }
    const a = BY_NAME.get(spec.name) as Activation;
    if (a.kind === "elementwise") out[i] = a.reference.forward(z[i], spec.params);
    else if (a.kind === "slope") {
      const s = layer.slope as Float64Array;
      out[i] = a.reference.forward(z[i], s.length === 1 ? s[0] : s[j]);
    }
  }
  return out;
}

/** The mean loss (+ l2 term) of a float64 network: "mse" on the output, or cross-entropies from logits. */
export function networkObjective(
  layers: readonly Layer64[], x: Float64Array, rows: number, y: ArrayLike<number>,
  loss: "mse" | "binaryCrossentropy" | "categoricalCrossentropy", l2: number,
): number {
  let input = x;
  let z = new Float64Array(0);
  layers.forEach((l, li) => {
    z = new Float64Array(rows * l.units);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < l.units; c++) {
        let s = l.b[c];
        for (let j = 0; j < l.inputs; j++) s += input[r * l.inputs + j] * l.w[j * l.units + c];
        z[r * l.units + c] = s;
      }
    }
    if (li < layers.length - 1 || loss === "mse") input = activate64(l, z);
  });
  const out = layers[layers.length - 1];
  let total = 0;
  if (loss === "mse") {
    for (let i = 0; i < input.length; i++) total += (input[i] - y[i]) ** 2;
    total /= input.length;
  } else if (loss === "binaryCrossentropy") {
    for (let i = 0; i < z.length; i++) total += Math.max(z[i], 0) - z[i] * y[i] + Math.log1p(Math.exp(-Math.abs(z[i])));
    total /= z.length;
  } else {
    const k = out.units;
    for (let r = 0; r < rows; r++) {
      const row = z.subarray(r * k, (r + 1) * k);
      const m = Math.max(...row);
      let s = 0;
      for (const v of row) s += Math.exp(v - m);
      total += m + Math.log(s) - row[y[r]];
    }
    total /= rows;
  }
  let norm = 0;
  for (const l of layers) for (const v of l.w) norm += v * v;
  return total + (l2 / 2) * norm;
}
