// Feature standardization, z = (x - mean) / scale, like scikit-learn's StandardScaler: gradient
// descent converges far faster on features of comparable scale, and the fitted statistics are
// saved with a model so that predictions see the same transform.
import { describe } from "./describe.ts";
import { matrix, toMatrix, type Matrix, type MatrixLike } from "./matrix.ts";

export interface ScalerJSON {
  mean: number[];
  scale: number[];
}

export class StandardScaler {
  #mean: Float64Array | undefined;
  #scale: Float64Array | undefined;

  /** Per-column means from fit (a copy), or undefined before fit. */
  get mean(): Float64Array | undefined {
    return this.#mean?.slice();
  }

  /** Per-column population standard deviations from fit (1 for constant columns; a copy). */
  get scale(): Float64Array | undefined {
    return this.#scale?.slice();
  }

  /** Learns each column's mean and population standard deviation (ddof 0), in float64. */
  fit(X: MatrixLike): this {
    const m = toMatrix(X, "StandardScaler.fit", "X");
    const { data, rows, cols } = m;
    const { mean, m2: scale, min, max } = columnMoments(data, rows, cols);
    for (let j = 0; j < cols; j++) {
      // A constant column's mean can be off by an ulp, leaving a tiny spurious spread whose
      // reciprocal would blow the column up; test constancy exactly instead.
      scale[j] = min[j] === max[j] ? 1 : Math.sqrt(scale[j] / rows);
    }
    this.#mean = mean;
    this.#scale = scale;
    return this;
  }

  /** A new Matrix of (x - mean) / scale, computed in float64 and rounded once. */
  transform(X: MatrixLike): Matrix {
    return this.#apply(X, "StandardScaler.transform", (v, mean, scale) => (v - mean) / scale);
  }

  fitTransform(X: MatrixLike): Matrix {
    return this.fit(X).transform(X);
  }

  /** Undoes transform: z * scale + mean. */
  inverseTransform(X: MatrixLike): Matrix {
    return this.#apply(X, "StandardScaler.inverseTransform", (v, mean, scale) => v * scale + mean);
  }

  toJSON(): ScalerJSON {
    const [mean, scale] = this.#fitted("StandardScaler.toJSON");
    return { mean: Array.from(mean), scale: Array.from(scale) };
  }

  /** A fitted scaler from toJSON()'s output, checked as input from a file would be. */
  static fromJSON(json: unknown): StandardScaler {
    const fn = "StandardScaler.fromJSON";
    if (typeof json !== "object" || json === null || Array.isArray(json)) {
      throw new TypeError(`descent: ${fn}: expected an object { mean, scale }, received ${describe(json)}`);
    }
    const { mean, scale } = json as Record<string, unknown>;
    const m = numbers(mean, fn, "mean");
    const s = numbers(scale, fn, "scale");
    if (m.length !== s.length) {
      throw new RangeError(`descent: ${fn}: mean has ${m.length} values but scale has ${s.length}`);
    }
    s.forEach((v, j) => {
      if (!(v > 0)) throw new RangeError(`descent: ${fn}: scale[${j}] must be > 0, received ${v}`);
    });
    const scaler = new StandardScaler();
    scaler.#mean = m;
    scaler.#scale = s;
    return scaler;
  }

  #apply(X: MatrixLike, fn: string, f: (v: number, mean: number, scale: number) => number): Matrix {
    const [mean, scale] = this.#fitted(fn);
    const { data, rows, cols } = toMatrix(X, fn, "X");
    if (cols !== mean.length) {
      throw new RangeError(`descent: ${fn}: X has ${cols} columns but the scaler was fitted on ${mean.length}`);
    }
    const out = new Float32Array(data.length);
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) out[i * cols + j] = f(data[i * cols + j], mean[j], scale[j]);
    }
    return matrix(out, rows, cols);
  }

  #fitted(fn: string): [Float64Array, Float64Array] {
    if (this.#mean === undefined || this.#scale === undefined) {
      throw new Error(`descent: ${fn}: the scaler is not fitted (call fit first)`);
    }
    return [this.#mean, this.#scale];
  }
}

function numbers(v: unknown, fn: string, arg: string): Float64Array {
  if (!Array.isArray(v)) throw new TypeError(`descent: ${fn}: ${arg} must be an array of numbers, received ${describe(v)}`);
  if (v.length === 0) throw new RangeError(`descent: ${fn}: ${arg} is empty`);
  const out = new Float64Array(v.length);
  v.forEach((x: unknown, j) => {
    if (typeof x !== "number") throw new TypeError(`descent: ${fn}: ${arg}[${j}] must be a number, received ${describe(x)}`);
    if (!Number.isFinite(x)) throw new RangeError(`descent: ${fn}: ${arg}[${j}] must be finite, received ${x}`);
    out[j] = x;
  });
  return out;
}

/**
 * Each column's mean, sum of squared deviations from it, minimum and maximum, in float64. Two
 * passes: the one-pass E[x²] − E[x]² cancels catastrophically for large, narrow columns.
 */
export function columnMoments(
  data: Float32Array, rows: number, cols: number,
): { mean: Float64Array; m2: Float64Array; min: Float64Array; max: Float64Array } {
  const mean = new Float64Array(cols);
  const min = new Float64Array(cols).fill(Infinity);
  const max = new Float64Array(cols).fill(-Infinity);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const v = data[i * cols + j];
      mean[j] += v;
      if (v < min[j]) min[j] = v;
      if (v > max[j]) max[j] = v;
    }
  }
  for (let j = 0; j < cols; j++) mean[j] /= rows;
  const m2 = new Float64Array(cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const d = data[i * cols + j] - mean[j];
      m2[j] += d * d;
    }
  }
  return { mean, m2, min, max };
}
