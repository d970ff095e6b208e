// A seeded train/test split, like scikit-learn's train_test_split: the same seed gives the same
// split on every run and machine, so an evaluation can be repeated exactly.
import { mulberry32 } from "../random.ts";
import { describe, quote } from "./describe.ts";
import { readLabels, type Labels } from "./labels.ts";
import { matrix, toMatrix, type Matrix, type MatrixLike } from "./matrix.ts";

export interface SplitOptions {
  /** A fraction of the rows in (0, 1), rounded up, or a whole number of rows (default 0.25). */
  testSize?: number;
  /** Seed of the shuffle (default 0). */
  seed?: number;
  /** Shuffle before splitting (default true); without it the test part is the last rows. */
  shuffle?: boolean;
  /** A label per row: each class is split in the same proportion as the whole. */
  stratify?: Labels;
}

export interface Split<Y> {
  XTrain: Matrix;
  XTest: Matrix;
  yTrain: Y;
  yTest: Y;
}

const FN = "trainTestSplit";

/** Splits rows of X and y alike into a training and a test part; y's parts have y's array type. */
export function trainTestSplit<Y extends Labels | Float32Array>(X: MatrixLike, y: Y, options: SplitOptions = {}): Split<Y> {
  const m = toMatrix(X, FN, "X");
  const n = m.rows;
  if (!Array.isArray(y) && !(ArrayBuffer.isView(y) && !(y instanceof DataView))) {
    throw new TypeError(`descent: ${FN}: y must be an array or a typed array, received ${describe(y)}`);
  }
  if (y.length !== n) throw new RangeError(`descent: ${FN}: y has ${y.length} values but X has ${n} rows`);
  const { train, test } = splitIndices(n, options);
  return { XTrain: takeRows(m, train), XTest: takeRows(m, test), yTrain: take(y, train), yTest: take(y, test) };
}

/**
 * The rows trainTestSplit puts in each part, for `n` rows: the same parts for the same n, options
 * and seed. @internal (the command line splits its rows once and takes X, y and kept columns alike)
 */
export function splitIndices(n: number, options: SplitOptions = {}): { train: number[]; test: number[] } {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`descent: ${FN}: options must be an object, received ${describe(options)}`);
  }
  const { testSize = 0.25, seed = 0, shuffle = true, stratify } = options;
  const nTest = testCount(testSize, n);
  if (typeof seed !== "number") throw new TypeError(`descent: ${FN}: seed must be a number, received ${describe(seed)}`);
  if (!Number.isInteger(seed)) throw new RangeError(`descent: ${FN}: seed must be an integer, received ${seed}`);
  if (typeof shuffle !== "boolean") throw new TypeError(`descent: ${FN}: shuffle must be a boolean, received ${describe(shuffle)}`);

  if (stratify !== undefined) {
    if (!shuffle) throw new RangeError(`descent: ${FN}: stratify needs shuffle: true (a stratified split picks rows at random)`);
    const [train, test] = stratifiedIndices(stratify, n, nTest, mulberry32(seed));
    return { train, test };
  }
  const order = Array.from({ length: n }, (_, i) => i);
  if (!shuffle) return { train: order.slice(0, n - nTest), test: order.slice(n - nTest) };
  shuffleInPlace(order, mulberry32(seed));
  return { train: order.slice(nTest), test: order.slice(0, nTest) };
}

function testCount(testSize: unknown, n: number): number {
  if (typeof testSize !== "number") {
    throw new TypeError(`descent: ${FN}: testSize must be a number, received ${describe(testSize)}`);
  }
  let count: number;
  // Round away float noise first: 0.07 * 100 is 7.000000000000001, which must not become 8
  // (scikit-learn's ceil does make it 8).
  if (testSize > 0 && testSize < 1) count = Math.ceil(Number((testSize * n).toPrecision(12)));
  else if (Number.isInteger(testSize) && testSize >= 1) count = testSize;
  else {
    throw new RangeError(`descent: ${FN}: testSize must be a fraction in (0, 1) or a whole number of rows >= 1, received ${testSize}`);
  }
  if (count >= n) {
    throw new RangeError(
      `descent: ${FN}: testSize = ${testSize} puts ${count} of the ${n} rows in the test part, leaving none for training`,
    );
  }
  return count;
}

/** Fisher–Yates, driven by the seeded generator. */
function shuffleInPlace<T>(a: T[], rand: () => number): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
}

/**
 * Per class, the share of the test part closest to its share of the rows: floor(count · nTest / n),
 * then the rows left over go one each to the classes with the largest remainders (ties at random),
 * as scikit-learn's StratifiedShuffleSplit does.
 */
function stratifiedIndices(stratify: Labels, n: number, nTest: number, rand: () => number): [number[], number[]] {
  const { values, kind } = readLabels(stratify, FN, "stratify");
  if (values.length !== n) throw new RangeError(`descent: ${FN}: stratify has ${values.length} labels but X has ${n} rows`);
  const groups = new Map<string | number, number[]>();
  values.forEach((v, i) => {
    const g = groups.get(v);
    if (g === undefined) groups.set(v, [i]);
    else g.push(i);
  });
  const classes = [...groups.keys()].sort(
    kind === "number" ? (a, b) => (a as number) - (b as number) : (a, b) => (a < b ? -1 : a > b ? 1 : 0),
  );
  for (const c of classes) {
    if ((groups.get(c) as number[]).length < 2) {
      const name = typeof c === "string" ? quote(c) : String(c);
      throw new RangeError(
        `descent: ${FN}: stratify: class ${name} has only 1 member; every class needs at least 2 to appear in both parts`,
      );
    }
  }
  const k = classes.length;
  if (nTest < k || n - nTest < k) {
    throw new RangeError(
      `descent: ${FN}: a stratified split of ${k} classes needs at least ${k} rows in each part; ` +
      `the test part has ${nTest} and the training part ${n - nTest}`,
    );
  }
  const counts = classes.map((c) => (groups.get(c) as number[]).length);
  const share = counts.map((c) => Math.floor((c * nTest) / n));
  const rest = counts.map((c) => (c * nTest) % n);
  let left = nTest - share.reduce((a, b) => a + b, 0);
  const order = Array.from({ length: k }, (_, i) => i);
  shuffleInPlace(order, rand);
  order.sort((a, b) => rest[b] - rest[a]); // stable: equal remainders stay in random order
  for (const c of order) {
    if (left === 0) break;
    if (rest[c] > 0) {
      share[c]++;
      left--;
    }
  }
  const train: number[] = [], test: number[] = [];
  classes.forEach((c, ci) => {
    const members = (groups.get(c) as number[]).slice();
    shuffleInPlace(members, rand);
    test.push(...members.slice(0, share[ci]));
    train.push(...members.slice(share[ci]));
  });
  // Without this the parts would be sorted by class, which per-row training would notice.
  shuffleInPlace(train, rand);
  shuffleInPlace(test, rand);
  return [train, test];
}

/** The given rows of a matrix, in that order. @internal */
export function takeRows(m: Matrix, rows: readonly number[]): Matrix {
  const { data, cols } = m;
  const out = new Float32Array(rows.length * cols);
  rows.forEach((r, i) => out.set(data.subarray(r * cols, (r + 1) * cols), i * cols));
  return matrix(out, rows.length, cols);
}

/** The given entries of an array or a typed array, in that order, in an array of its type. @internal */
export function take<Y extends Labels | Float32Array>(y: Y, idx: readonly number[]): Y {
  if (Array.isArray(y)) return idx.map((i) => y[i]) as unknown as Y;
  const typed = y as unknown as Float32Array;
  const out = new (typed.constructor as Float32ArrayConstructor)(idx.length);
  idx.forEach((i, k) => (out[k] = typed[i]));
  return out as unknown as Y;
}
