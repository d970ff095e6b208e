// The "plain JavaScript" baseline of the benchmarks: for each kernel, the loop a JavaScript
// developer would write by hand over Float32Arrays, without descent. It answers "is the library
// worth it compared with the obvious code?", which the `js` backend (careful float64 code behind
// the same pointer interface) does not.
//
// Each function takes the kernel's arguments in the kernel's order, with arrays where the kernel
// takes byte pointers (labels are an Int32Array). They are deliberately the textbook formulas:
// no overflow guards beyond what the formula needs to give finite results on the benchmark
// inputs, no unrolling. Accuracy is not their job (the tests check descent, not these).
//
// A kernel missing here falls back, for activations, to the registry's `reference` called per
// element (bench/cases.ts), and is marked as such in the output.

type F32 = Float32Array;

export type PlainArg = Float32Array | Int32Array | number;
export type PlainKernel = (...args: PlainArg[]) => number | void;

const table = {
  // ------------------------------------------------------------------ activations
  sigmoid_f32(x: F32, y: F32, n: number): void {
    for (let i = 0; i < n; i++) y[i] = 1 / (1 + Math.exp(-x[i]));
  },
  sigmoid_grad_f32(x: F32, dy: F32, dx: F32, n: number): void {
    for (let i = 0; i < n; i++) {
      const s = 1 / (1 + Math.exp(-x[i]));
      dx[i] = dy[i] * s * (1 - s);
    }
  },
  tanh_f32(x: F32, y: F32, n: number): void {
    for (let i = 0; i < n; i++) y[i] = Math.tanh(x[i]);
  },
  tanh_grad_f32(x: F32, dy: F32, dx: F32, n: number): void {
    for (let i = 0; i < n; i++) {
      const t = Math.tanh(x[i]);
      dx[i] = dy[i] * (1 - t * t);
    }
  },
  relu_f32(x: F32, y: F32, n: number): void {
    for (let i = 0; i < n; i++) y[i] = Math.max(0, x[i]);
  },
  relu_grad_f32(x: F32, dy: F32, dx: F32, n: number): void {
    for (let i = 0; i < n; i++) dx[i] = x[i] > 0 ? dy[i] : 0;
  },
  leakyRelu_f32(x: F32, y: F32, n: number, slope: number): void {
    for (let i = 0; i < n; i++) y[i] = x[i] > 0 ? x[i] : slope * x[i];
  },
  leakyRelu_grad_f32(x: F32, dy: F32, dx: F32, n: number, slope: number): void {
    for (let i = 0; i < n; i++) dx[i] = x[i] > 0 ? dy[i] : slope * dy[i];
  },
  prelu_f32(x: F32, y: F32, n: number, slope: F32, cols: number): void {
    for (let i = 0; i < n; i++) y[i] = x[i] > 0 ? x[i] : slope[i % cols] * x[i];
  },
  prelu_grad_f32(x: F32, dy: F32, dx: F32, n: number, slope: F32, cols: number, dslope: F32): void {
    dslope.fill(0);
    for (let i = 0; i < n; i++) {
      if (x[i] > 0) {
        dx[i] = dy[i];
      } else {
        dx[i] = slope[i % cols] * dy[i];
        dslope[i % cols] += x[i] * dy[i];
      }
    }
  },
  elu_f32(x: F32, y: F32, n: number, alpha: number): void {
    for (let i = 0; i < n; i++) y[i] = x[i] > 0 ? x[i] : alpha * (Math.exp(x[i]) - 1);
  },
  elu_grad_f32(x: F32, dy: F32, dx: F32, n: number, alpha: number): void {
    for (let i = 0; i < n; i++) dx[i] = x[i] > 0 ? dy[i] : dy[i] * alpha * Math.exp(x[i]);
  },
  softplus_f32(x: F32, y: F32, n: number, beta: number, threshold: number): void {
    for (let i = 0; i < n; i++) {
      const z = beta * x[i];
      y[i] = z > threshold ? x[i] : Math.log(1 + Math.exp(z)) / beta;
    }
  },
  softplus_grad_f32(x: F32, dy: F32, dx: F32, n: number, beta: number, threshold: number): void {
    for (let i = 0; i < n; i++) {
      const z = beta * x[i];
      dx[i] = z > threshold ? dy[i] : dy[i] / (1 + Math.exp(-z));
    }
  },
  softmax_f32(x: F32, y: F32, rows: number, cols: number): void {
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      let max = -Infinity;
      for (let j = 0; j < cols; j++) max = Math.max(max, x[o + j]);
      let sum = 0;
      for (let j = 0; j < cols; j++) {
        y[o + j] = Math.exp(x[o + j] - max);
        sum += y[o + j];
      }
      for (let j = 0; j < cols; j++) y[o + j] /= sum;
    }
  },
  softmax_grad_f32(x: F32, dy: F32, dx: F32, rows: number, cols: number): void {
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      let max = -Infinity;
      for (let j = 0; j < cols; j++) max = Math.max(max, x[o + j]);
      let sum = 0;
      for (let j = 0; j < cols; j++) {
        dx[o + j] = Math.exp(x[o + j] - max);
        sum += dx[o + j];
      }
      let dot = 0;
      for (let j = 0; j < cols; j++) {
        dx[o + j] /= sum;
        dot += dx[o + j] * dy[o + j];
      }
      for (let j = 0; j < cols; j++) dx[o + j] *= dy[o + j] - dot;
    }
  },
  logSoftmax_f32(x: F32, y: F32, rows: number, cols: number): void {
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      let max = -Infinity;
      for (let j = 0; j < cols; j++) max = Math.max(max, x[o + j]);
      let sum = 0;
      for (let j = 0; j < cols; j++) sum += Math.exp(x[o + j] - max);
      const lse = max + Math.log(sum);
      for (let j = 0; j < cols; j++) y[o + j] = x[o + j] - lse;
    }
  },
  logSoftmax_grad_f32(x: F32, dy: F32, dx: F32, rows: number, cols: number): void {
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      let max = -Infinity;
      for (let j = 0; j < cols; j++) max = Math.max(max, x[o + j]);
      let sum = 0;
      let dySum = 0;
      for (let j = 0; j < cols; j++) {
        sum += Math.exp(x[o + j] - max);
        dySum += dy[o + j];
      }
      for (let j = 0; j < cols; j++) dx[o + j] = dy[o + j] - (Math.exp(x[o + j] - max) / sum) * dySum;
    }
  },

  // ------------------------------------------------------------------ losses
  mse_f32(p: F32, t: F32, n: number): number {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += (p[i] - t[i]) ** 2;
    return sum / n;
  },
  mse_grad_f32(p: F32, t: F32, g: F32, n: number): void {
    for (let i = 0; i < n; i++) g[i] = (2 * (p[i] - t[i])) / n;
  },
  mseWithGrad_f32(p: F32, t: F32, g: F32, n: number): number {
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const d = p[i] - t[i];
      sum += d * d;
      g[i] = (2 * d) / n;
    }
    return sum / n;
  },
  bceWithLogits_f32(z: F32, t: F32, n: number): number {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += Math.max(z[i], 0) - z[i] * t[i] + Math.log(1 + Math.exp(-Math.abs(z[i])));
    return sum / n;
  },
  bceWithLogits_grad_f32(z: F32, t: F32, g: F32, n: number): void {
    for (let i = 0; i < n; i++) g[i] = (1 / (1 + Math.exp(-z[i])) - t[i]) / n;
  },
  softmaxCrossEntropy_f32(z: F32, labels: Int32Array, rows: number, cols: number): number {
    let total = 0;
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      let max = -Infinity;
      for (let j = 0; j < cols; j++) max = Math.max(max, z[o + j]);
      let sum = 0;
      for (let j = 0; j < cols; j++) sum += Math.exp(z[o + j] - max);
      total += max + Math.log(sum) - z[o + labels[r]];
    }
    return total / rows;
  },
  softmaxCrossEntropy_grad_f32(z: F32, labels: Int32Array, g: F32, rows: number, cols: number): void {
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      let max = -Infinity;
      for (let j = 0; j < cols; j++) max = Math.max(max, z[o + j]);
      let sum = 0;
      for (let j = 0; j < cols; j++) sum += Math.exp(z[o + j] - max);
      for (let j = 0; j < cols; j++) g[o + j] = (Math.exp(z[o + j] - max) / sum - (j === labels[r] ? 1 : 0)) / rows;
    }
  },

  // ------------------------------------------------------------------ weight updates
  sgd_f32(w: F32, g: F32, n: number, lr: number): void {
    for (let i = 0; i < n; i++) w[i] -= lr * g[i];
  },
  momentum_f32(w: F32, g: F32, v: F32, n: number, lr: number, mu: number, nesterov: number): void {
    for (let i = 0; i < n; i++) {
      v[i] = mu * v[i] + g[i];
      w[i] -= nesterov ? lr * (g[i] + mu * v[i]) : lr * v[i];
    }
  },
  adam_f32(
    w: F32, g: F32, m: F32, v: F32, n: number,
    lr: number, b1: number, b2: number, eps: number, t: number,
  ): void {
    for (let i = 0; i < n; i++) {
      m[i] = b1 * m[i] + (1 - b1) * g[i];
      v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
      const mHat = m[i] / (1 - Math.pow(b1, t));
      const vHat = v[i] / (1 - Math.pow(b2, t));
      w[i] -= (lr * mHat) / (Math.sqrt(vHat) + eps);
    }
  },

  // ------------------------------------------------------------------ linear algebra
  dot_f32(a: F32, b: F32, n: number): number {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += a[i] * b[i];
    return sum;
  },
  axpy_f32(n: number, alpha: number, x: F32, y: F32): void {
    for (let i = 0; i < n; i++) y[i] += alpha * x[i];
  },
  gemv_f32(A: F32, x: F32, y: F32, rows: number, cols: number): void {
    for (let r = 0; r < rows; r++) {
      let sum = 0;
      for (let j = 0; j < cols; j++) sum += A[r * cols + j] * x[j];
      y[r] = sum;
    }
  },
  // Row by row (y += x[r]·A[r, :]) rather than the column-strided textbook sum: the cache-friendly
  // order is what a developer who has met the problem once writes, and a fairer baseline.
  gemvT_f32(A: F32, x: F32, y: F32, rows: number, cols: number): void {
    y.fill(0);
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < cols; j++) y[j] += A[r * cols + j] * x[r];
    }
  },
  matmul_f32(A: F32, B: F32, C: F32, m: number, k: number, n: number, transA: number, transB: number): void {
    // The textbook triple loop of each layout, with the layout chosen outside the loops.
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let sum = 0;
        if (transA) for (let p = 0; p < k; p++) sum += A[p * m + i] * B[p * n + j];
        else if (transB) for (let p = 0; p < k; p++) sum += A[i * k + p] * B[j * k + p];
        else for (let p = 0; p < k; p++) sum += A[i * k + p] * B[p * n + j];
        C[i * n + j] = sum;
      }
    }
  },
};

/**
 * The plain loops by kernel name. Each entry has its own precise signature above; the case table
 * calls them generically with the kernel's argument list, hence the one widening cast here.
 */
export const PLAIN: Readonly<Record<string, PlainKernel | undefined>> =
  table as unknown as Readonly<Record<string, PlainKernel | undefined>>;
