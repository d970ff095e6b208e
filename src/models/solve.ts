// Float64 numerics on the small side of a fit: solving the normal equations (Cholesky, with a
// symmetric eigendecomposition for rank-deficient systems, giving the minimum-norm solution as
// numpy's lstsq does) and L-BFGS for the logistic regression's smooth convex objective.

/**
 * Least squares' closed form from one float64 Gram pass: `g` = Σ u·uᵀ over the rows
 * u = [x − s | y − s_y] (`cols` + 1 wide, s the shift the pass subtracted), `mean` the columns'
 * means. The standardisation statistics follow from it (population standard deviations, 1 for a
 * constant column or without `standardize`), and the standardised system
 * (ZᵀZ + (n·l2/2)·I)·w = Zᵀt is solved; in standardised units the bias is 0. Shared by fit (one
 * Gram pass over X in memory) and fitBatches (Gram matrices added batch by batch).
 */
export function normalSolution(
  rows: number, cols: number, mean: Float64Array, shift: ArrayLike<number>, g: Float64Array, l2: number, standardize: boolean, fn: string,
): { w: Float64Array; scale: Float64Array } {
  const w1 = cols + 1;
  // Centred on the means instead of the shifts: Σ(u − δ)(u − δ)ᵀ = G − n·δδᵀ, δ = mean − s.
  const delta = Float64Array.from(mean, (v, j) => v - shift[j]);
  const c = (i: number, j: number): number => g[i * w1 + j] - rows * delta[i] * delta[j];
  const scale = new Float64Array(w1);
  for (let j = 0; j < w1; j++) {
    const v = c(j, j);
    scale[j] = standardize && v > 0 ? Math.sqrt(v / rows) : 1;
  }
  const a = new Float64Array(cols * cols);
  const rhs = new Float64Array(cols);
  for (let i = 0; i < cols; i++) {
    for (let j = 0; j < cols; j++) a[i * cols + j] = c(i, j) / (scale[i] * scale[j]);
    a[i * cols + i] += (rows * l2) / 2;
    rhs[i] = c(i, cols) / (scale[i] * scale[cols]);
  }
  const w = solveSymmetric(a, rhs, cols);
  if (!w.every(Number.isFinite)) {
    throw new RangeError(`descent: ${fn}: the normal equations have no finite solution (is a feature far larger than float32 can hold?)`);
  }
  return { w, scale };
}

/** Solves A·x = b for symmetric positive semi-definite A (n × n, row-major); A and b are not modified. */
export function solveSymmetric(a: Float64Array, b: Float64Array, n: number): Float64Array {
  return cholesky(a, b, n) ?? pseudoSolve(a, b, n);
}

/** Cholesky solve, or undefined when A is not numerically positive definite. */
function cholesky(a: Float64Array, b: Float64Array, n: number): Float64Array | undefined {
  const l = new Float64Array(n * n);
  let maxDiag = 0;
  for (let i = 0; i < n; i++) maxDiag = Math.max(maxDiag, a[i * n + i]);
  // A pivot this small relative to the largest diagonal means a (near-)dependent column, where
  // Cholesky's answer is dominated by rounding: the eigen path handles that case properly.
  const floor = maxDiag * n * 1e-13;
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j];
    for (let k = 0; k < j; k++) d -= l[j * n + k] * l[j * n + k];
    if (!(d > floor)) return undefined;
    const ljj = Math.sqrt(d);
    l[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j];
      for (let k = 0; k < j; k++) s -= l[i * n + k] * l[j * n + k];
      l[i * n + j] = s / ljj;
    }
  }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i * n + k] * y[k];
    y[i] = s / l[i * n + i];
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i];
    for (let k = i + 1; k < n; k++) s -= l[k * n + i] * x[k];
    x[i] = s / l[i * n + i];
  }
  return x;
}

/** x = A⁺·b through a cyclic Jacobi eigendecomposition; eigenvalues below the cutoff count as 0. */
function pseudoSolve(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const m = a.slice();
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += m[p * n + q] ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = m[p * n + q];
        if (apq === 0) continue;
        const theta = (m[q * n + q] - m[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const mkp = m[k * n + p];
          const mkq = m[k * n + q];
          m[k * n + p] = c * mkp - s * mkq;
          m[k * n + q] = s * mkp + c * mkq;
        }
        for (let k = 0; k < n; k++) {
          const mpk = m[p * n + k];
          const mqk = m[q * n + k];
          m[p * n + k] = c * mpk - s * mqk;
          m[q * n + k] = s * mpk + c * mqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p];
          const vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  let maxEig = 0;
  for (let i = 0; i < n; i++) maxEig = Math.max(maxEig, Math.abs(m[i * n + i]));
  const cutoff = maxEig * n * 1e-12;
  const x = new Float64Array(n);
  for (let e = 0; e < n; e++) {
    const lambda = m[e * n + e];
    if (!(lambda > cutoff)) continue;
    let proj = 0;
    for (let k = 0; k < n; k++) proj += v[k * n + e] * b[k];
    const c = proj / lambda;
    for (let k = 0; k < n; k++) x[k] += c * v[k * n + e];
  }
  return x;
}

export interface LbfgsOptions {
  maxIter: number;
  /** Stop when the largest gradient component is at most this. */
  gtol: number;
  /** Stop when an iteration lowers f by at most ftol·max(|f|, 1). */
  ftol: number;
  memory: number;
  onIteration?: (iteration: number, f: number) => boolean | void;
  /** Awaited after every iteration (lets progress render). */
  pause?: () => Promise<void>;
}

/**
 * Minimises f from x0 (in place) by L-BFGS with a backtracking Armijo line search. `evaluate`
 * returns f(x) and writes ∇f(x) into g; it may be async (fitBatches evaluates by a pass over the
 * batches). Returns the number of iterations and why it stopped.
 */
export async function lbfgs(
  evaluate: (x: Float64Array, g: Float64Array) => number | Promise<number>, x: Float64Array, o: LbfgsOptions,
): Promise<{ iterations: number; reason: string; f: number }> {
  const n = x.length;
  const g = new Float64Array(n);
  let f = await evaluate(x, g);
  const s: Float64Array[] = [];
  const y: Float64Array[] = [];
  const rho: number[] = [];
  const d = new Float64Array(n);
  const xNew = new Float64Array(n);
  const gNew = new Float64Array(n);
  const alpha = new Float64Array(o.memory);
  for (let iter = 1; iter <= o.maxIter; iter++) {
    if (maxAbs(g) <= o.gtol) return { iterations: iter - 1, reason: "gradient below gtol", f };
    // Two-loop recursion: d = −H·g.
    d.set(g);
    for (let i = s.length - 1; i >= 0; i--) {
      alpha[i] = rho[i] * dotp(s[i], d);
      axpyp(-alpha[i], y[i], d);
    }
    const gamma = s.length > 0 ? dotp(s[s.length - 1], y[y.length - 1]) / dotp(y[y.length - 1], y[y.length - 1]) : 1 / Math.max(1, norm(g));
    for (let i = 0; i < n; i++) d[i] *= gamma;
    for (let i = 0; i < s.length; i++) {
      const beta = rho[i] * dotp(y[i], d);
      axpyp(alpha[i] - beta, s[i], d);
    }
    for (let i = 0; i < n; i++) d[i] = -d[i];
    let slope = dotp(g, d);
    if (!(slope < 0)) {
      // Not a descent direction (rounding in the history): restart from steepest descent.
      s.length = 0; y.length = 0; rho.length = 0;
      for (let i = 0; i < n; i++) d[i] = -g[i] / Math.max(1, norm(g));
      slope = dotp(g, d);
    }
    let step = 1;
    let fNew = NaN;
    let accepted = false;
    for (let tries = 0; tries < 40; tries++) {
      for (let i = 0; i < n; i++) xNew[i] = x[i] + step * d[i];
      fNew = await evaluate(xNew, gNew);
      if (fNew <= f + 1e-4 * step * slope) {
        accepted = true;
        break;
      }
      step *= 0.5;
    }
    if (!accepted) return { iterations: iter - 1, reason: "line search found no decrease (at the precision of float32)", f };
    const sk = new Float64Array(n);
    const yk = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      sk[i] = xNew[i] - x[i];
      yk[i] = gNew[i] - g[i];
    }
    const sy = dotp(sk, yk);
    if (sy > 1e-12 * norm(sk) * norm(yk)) {
      if (s.length === o.memory) { s.shift(); y.shift(); rho.shift(); }
      s.push(sk); y.push(yk); rho.push(1 / sy);
    }
    const decrease = f - fNew;
    x.set(xNew);
    g.set(gNew);
    f = fNew;
    if (o.onIteration?.(iter, f) === false) return { iterations: iter, reason: "stopped by onEpoch", f };
    if (decrease <= o.ftol * Math.max(Math.abs(f), 1)) return { iterations: iter, reason: "loss change below ftol", f };
    await o.pause?.();
  }
  return { iterations: o.maxIter, reason: "maxIter reached", f };
}

function dotp(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function axpyp(alpha: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < x.length; i++) y[i] += alpha * x[i];
}

function norm(a: Float64Array): number {
  return Math.sqrt(dotp(a, a));
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}
