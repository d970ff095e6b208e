// The dense row-major float32 matrix the data layer and the models pass around, and the checks
// that turn user input (number[][] or a Matrix) into one with messages that point at the bad cell.
import { describe } from "./describe.ts";

/** A dense matrix, row-major: element (i, j) is data[i * cols + j]. */
export interface Matrix {
  readonly data: Float32Array;
  readonly rows: number;
  readonly cols: number;
}

/** What functions that take a matrix accept: a Matrix, or its rows as arrays of numbers. */
export type MatrixLike = Matrix | readonly (readonly number[])[];

type Row = ArrayLike<unknown>;

/** A Matrix from its rows (every row the same length). */
export function matrix(rows: readonly (readonly number[])[]): Matrix;
/** A Matrix over flat row-major data; a Float32Array is used as is, not copied. */
export function matrix(data: Float32Array | readonly number[], rows: number, cols: number): Matrix;
export function matrix(a: unknown, rows?: number, cols?: number): Matrix {
  if (rows === undefined && cols === undefined) return fromRows(a, "matrix", "rows", false);
  for (const [name, v] of [["rows", rows], ["cols", cols]] as const) {
    if (typeof v !== "number") throw new TypeError(`descent: matrix: ${name} must be a number, received ${describe(v)}`);
    if (!Number.isInteger(v) || v < 0) {
      throw new RangeError(`descent: matrix: ${name} must be a non-negative integer, received ${v}`);
    }
  }
  const r = rows as number, c = cols as number;
  let data: Float32Array;
  if (a instanceof Float32Array) data = a;
  else if (Array.isArray(a)) {
    for (let i = 0; i < a.length; i++) {
      if (typeof a[i] !== "number") {
        throw new TypeError(`descent: matrix: data[${i}] must be a number, received ${describe(a[i])}`);
      }
    }
    data = Float32Array.from(a as number[]);
  } else {
    throw new TypeError(`descent: matrix: data must be a Float32Array or an array of numbers, received ${describe(a)}`);
  }
  if (data.length !== r * c) {
    throw new RangeError(`descent: matrix: data has ${data.length} values but ${r} rows × ${c} cols need ${r * c}`);
  }
  return make(data, r, c);
}

/** Whether `x` is a Matrix whose data length agrees with its shape. */
export function isMatrix(x: unknown): x is Matrix {
  if (typeof x !== "object" || x === null) return false;
  const m = x as Partial<Matrix>;
  return m.data instanceof Float32Array && isCount(m.rows) && isCount(m.cols) && m.data.length === m.rows * m.cols;
}

/**
 * Validates and converts a matrix argument: a Matrix is returned as is (not copied), rows are
 * copied into a new one. Rejects anything else, ragged rows, an empty matrix and NaN or ±Infinity,
 * naming `fn`, `arg` and the cell (0-based row and column).
 */
export function toMatrix(x: unknown, fn: string, arg: string): Matrix {
  let m: Matrix;
  if (isMatrix(x)) {
    m = x;
    checkFinite(m, fn, arg);
  } else if (Array.isArray(x)) {
    m = fromRows(x, fn, arg, true);
  } else {
    const d = (x as Partial<Matrix> | null)?.data;
    if (typeof x === "object" && x !== null && d instanceof Float32Array) {
      const { rows, cols } = x as Matrix;
      throw new RangeError(`descent: ${fn}: ${arg} is not a valid Matrix: data has ${d.length} values, rows = ${rows}, cols = ${cols}`);
    }
    throw new TypeError(`descent: ${fn}: ${arg} must be a Matrix or an array of rows (number[][]), received ${describe(x)}`);
  }
  if (m.rows === 0) throw new RangeError(`descent: ${fn}: ${arg} has no rows`);
  if (m.cols === 0) throw new RangeError(`descent: ${fn}: ${arg} has no columns (its rows are empty)`);
  return m;
}

/**
 * Validates a 1-D target vector: a Float32Array (returned as is, not copied), another numeric
 * typed array or an array of numbers (copied), every value finite in float32. With `rows`, its
 * length must match the rows of X.
 */
export function toVector(y: unknown, fn: string, arg: string, rows?: number): Float32Array {
  let v: Float32Array;
  if (y instanceof Float32Array) v = y;
  else if (Array.isArray(y)) {
    for (let i = 0; i < y.length; i++) {
      if (typeof y[i] !== "number") {
        throw new TypeError(`descent: ${fn}: ${arg}[${i}] must be a number, received ${describe(y[i])}`);
      }
    }
    v = Float32Array.from(y as number[]);
  } else if (isNumericView(y)) {
    v = Float32Array.from(y);
  } else {
    throw new TypeError(`descent: ${fn}: ${arg} must be a Float32Array or an array of numbers, received ${describe(y)}`);
  }
  if (rows !== undefined && v.length !== rows) {
    throw new RangeError(`descent: ${fn}: ${arg} has ${v.length} values but X has ${rows} rows`);
  }
  if (v.length === 0) throw new RangeError(`descent: ${fn}: ${arg} is empty`);
  for (let i = 0; i < v.length; i++) {
    if (!Number.isFinite(v[i])) {
      const original = (y as ArrayLike<number>)[i];
      throw new RangeError(`descent: ${fn}: ${arg}[${i}] ${badValue(original)} (index ${i}, counting from 0)`);
    }
  }
  return v;
}

// -------------------------------------------------------------------- helpers

function make(data: Float32Array, rows: number, cols: number): Matrix {
  return Object.freeze({ data, rows, cols });
}

function isCount(v: unknown): v is number {
  return typeof v === "number" && Number.isInteger(v) && v >= 0;
}

function isNumericView(v: unknown): v is ArrayLike<number> {
  return ArrayBuffer.isView(v) && !(v instanceof DataView) && !(v instanceof BigInt64Array) && !(v instanceof BigUint64Array);
}

/** Why a value that is not finite in float32 was refused; finite float64 values can overflow. */
function badValue(v: number): string {
  return Number.isFinite(v) ? `= ${v} overflows float32` : `is ${v}`;
}

function fromRows(x: unknown, fn: string, arg: string, finite: boolean): Matrix {
  if (!Array.isArray(x)) {
    throw new TypeError(`descent: ${fn}: ${arg} must be an array of rows (number[][]), received ${describe(x)}`);
  }
  const rows = x.length;
  if (rows > 0 && typeof x[0] === "number") {
    // The common slip: one feature written as a flat list.
    throw new TypeError(
      `descent: ${fn}: ${arg} must be an array of rows (number[][]), received an array of numbers; ` +
      `for one feature per row write [[${x[0]}], ...]`,
    );
  }
  const cols = rows > 0 ? rowOf(x, 0, fn, arg).length : 0;
  const data = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const row = rowOf(x, i, fn, arg);
    if (row.length !== cols) {
      throw new RangeError(
        `descent: ${fn}: ${arg}[${i}] has ${row.length} values but ${arg}[0] has ${cols} (every row must have the same length)`,
      );
    }
    for (let j = 0; j < cols; j++) {
      const v = row[j];
      if (typeof v !== "number") {
        throw new TypeError(`descent: ${fn}: ${arg}[${i}][${j}] must be a number, received ${describe(v)}`);
      }
      const f = Math.fround(v);
      if (finite && !Number.isFinite(f)) {
        throw new RangeError(`descent: ${fn}: ${arg}[${i}][${j}] ${badValue(v)} (row ${i}, column ${j}, counting from 0)`);
      }
      data[i * cols + j] = f;
    }
  }
  return make(data, rows, cols);
}

function rowOf(x: readonly unknown[], i: number, fn: string, arg: string): Row {
  const row = x[i];
  if (Array.isArray(row) || isNumericView(row)) return row as Row;
  throw new TypeError(`descent: ${fn}: ${arg}[${i}] must be an array of numbers, received ${describe(row)}`);
}

function checkFinite(m: Matrix, fn: string, arg: string): void {
  const d = m.data;
  // Fast path: a float64 sum of float32 values cannot overflow, so it is finite exactly when every
  // value is (NaN and ±Infinity propagate); four sums keep the additions independent.
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  const n4 = d.length & ~3;
  for (let k = 0; k < n4; k += 4) {
    s0 += d[k];
    s1 += d[k + 1];
    s2 += d[k + 2];
    s3 += d[k + 3];
  }
  for (let k = n4; k < d.length; k++) s0 += d[k];
  if (Number.isFinite(s0 + s1 + s2 + s3)) return;
  for (let k = 0; k < d.length; k++) {
    if (!Number.isFinite(d[k])) {
      const i = Math.floor(k / m.cols), j = k % m.cols;
      throw new RangeError(`descent: ${fn}: ${arg}[${i}][${j}] is ${d[k]} (row ${i}, column ${j}, counting from 0)`);
    }
  }
}
